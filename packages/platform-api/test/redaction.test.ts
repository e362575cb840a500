import { describe, expect, it } from 'vitest';
import { PlatformError } from '../src/errors.js';
import { redactSecrets, redactValue } from '../src/redaction.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('redactSecrets', () => {
  it.each([
    ['user:hunter2@ghcr.io/x/m:1', '***@ghcr.io/x/m:1'],
    ['base image "u:p@ss@ghcr.io/x": bad', 'base image "***@ghcr.io/x": bad'],
    ['https://user:hunter2@ghcr.io/x', 'https://***@ghcr.io/x'],
    ['see http://ghp_token123@github.com/a', 'see http://***@github.com/a'],
    ['Authorization: Bearer eyJhbGciOi.abc.def', 'Authorization: Bearer ***'],
    ['Basic dXNlcjpodW50ZXIy', 'Basic ***'],
    [
      'token hlc_at_abc-DEF_123 and hlc_rt_x1 and hlc_ak_k and hlc_code_c',
      'token hlc_at_*** and hlc_rt_*** and hlc_ak_*** and hlc_code_***',
    ],
  ])('removes the credentials of %j', (input, output) => {
    expect(redactSecrets(input)).toBe(output);
  });

  it.each([
    'ghcr.io/your-org/m:1.0.0',
    `ghcr.io/your-org/m:1.0.0@${DIGEST}`,
    `ubuntu:24.04@${DIGEST}`,
    '127.0.0.1:5000/your-org/m',
    'registered to alice@example.com',
    'send "Authorization: Bearer <token>"',
    'a Bearer token',
    'key SHA256:abc+/def=',
  ])('leaves %j as it is', (input) => {
    expect(redactSecrets(input)).toBe(input);
  });

  it('redacts every string of a detail, nested', () => {
    expect(
      redactValue({ imageRef: 'u:p@h/x', issues: [{ message: 'Bearer abcdefgh1' }], n: 1 }),
    ).toEqual({
      imageRef: '***@h/x',
      issues: [{ message: 'Bearer ***' }],
      n: 1,
    });
  });
});

describe('PlatformError', () => {
  it('carries no credentials in its message, details or body', () => {
    const error = new PlatformError('INVALID_IMAGE_REF', 'Invalid: https://u:hunter2@h/x', {
      details: { imageRef: 'u:hunter2@h/x' },
    });
    expect(JSON.stringify(error.toBody('req_1'))).not.toContain('hunter2');
    expect(error.message).toBe('Invalid: https://***@h/x');
  });
});
