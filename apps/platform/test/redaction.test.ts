// No error the emulator answers carries the credentials a caller put in its input: a
// reference's userinfo, a URL's, a Bearer token or one of the platform's own tokens.
import { routes } from '@hla-compass/platform-api';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../src/http/app-env.js';
import { onError } from '../src/http/errors.js';
import { manifest, startTestPlatform, type TestPlatform } from './support/platform.js';

let platform: TestPlatform;
let developer: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  developer = await platform.login('dev', 'developer');
});
afterAll(() => platform?.stop());

const PASSWORD = 'pull-pw-7f3a9c';

describe('errors echo no credentials', () => {
  it.each([
    [`user:${PASSWORD}@127.0.0.1:5000/your-org/m:1.0.0`, 'userinfo'],
    [`https://user:${PASSWORD}@127.0.0.1:5000/your-org/m:1.0.0`, 'scheme'],
    [`https://${PASSWORD}@ghcr.io/your-org/m:1.0.0`, 'scheme'],
  ])('INVALID_IMAGE_REF for %s keeps the rule and drops the password', async (imageRef, rule) => {
    const result = await platform.call('dev', routes.publish, {
      token: developer,
      body: { imageRef, manifest: manifest('redacted', '1.0.0') },
    });
    expect([result.status, result.body.code]).toEqual([400, 'INVALID_IMAGE_REF']);
    expect(result.body.details.rule).toBe(rule);
    expect(result.body.details.imageRef).toContain('***@');
    expect(result.body.details.imageRef).toContain('your-org/m:1.0.0');
    expect(JSON.stringify(result.body)).not.toContain(PASSWORD);
  });

  it('an allowlist pattern with userinfo is refused without echoing the password', async () => {
    const admin = await platform.login('dev', 'admin');
    const result = await platform.call('dev', routes.createRegistry, {
      token: admin,
      params: { orgId: 'your-org' },
      body: { pattern: `bot:${PASSWORD}@ghcr.io/your-org/*` },
    });
    expect([result.status, result.body.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(result.body.details.pattern).toBe('***@ghcr.io/your-org/*');
    expect(JSON.stringify(result.body)).not.toContain(PASSWORD);
  });

  it('a platform token pasted as a reference is not echoed either', async () => {
    const token = `hlc_at_${'A'.repeat(43)}`;
    const result = await platform.call('dev', routes.publish, {
      token: developer,
      body: { imageRef: `ghcr.io/your-org/${token}:1`, manifest: manifest('redacted', '1.0.0') },
    });
    expect(result.status).toBe(400);
    expect(JSON.stringify(result.body)).not.toContain(token);
  });
});

describe('the log of an internal error', () => {
  it('carries no credentials the failing request quoted', async () => {
    const lines: string[] = [];
    const app = new Hono<AppEnv>();
    app.get('/boom', () => {
      throw new Error(
        `could not read https://user:${PASSWORD}@registry.test/x, token hlc_at_${PASSWORD}`,
      );
    });
    app.onError(onError((line) => lines.push(line)));
    const response = await app.request('/boom');
    expect(response.status).toBe(500);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('could not read');
    expect(lines[0]).not.toContain(PASSWORD);
  });
});
