import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, errorBodySchema, isErrorCode, PlatformError } from '../src/index.js';

describe('error codes', () => {
  it('send each code of SPEC §7 with the status its table gives', () => {
    expect(ERROR_STATUS).toMatchObject({
      INVALID_REQUEST: 400,
      INVALID_MANIFEST: 400,
      INVALID_IMAGE_REF: 400,
      UNAUTHENTICATED: 401,
      DEVELOPER_ROLE_REQUIRED: 403,
      REGISTRY_UNAUTHORIZED: 403,
      FORBIDDEN: 403,
      IMAGE_NOT_FOUND: 422,
      IMAGE_FORBIDDEN: 422,
      SIGNATURE_REQUIRED: 400,
      SIGNATURE_INVALID: 400,
      UNTRUSTED_KEY: 403,
      VERSION_EXISTS: 409,
      IDEMPOTENCY_KEY_REUSED: 409,
      PAYLOAD_TOO_LARGE: 413,
      RATE_LIMITED: 429,
      REGISTRY_UNAVAILABLE: 502,
    });
  });

  it('add only NOT_FOUND, INTERNAL and STORAGE_FULL to the spec table', () => {
    expect(Object.keys(ERROR_STATUS)).toHaveLength(20);
    expect(ERROR_STATUS.STORAGE_FULL).toBe(507);
    expect(ERROR_STATUS.NOT_FOUND).toBe(404);
    expect(ERROR_STATUS.INTERNAL).toBe(500);
  });

  it('recognise codes by name only', () => {
    expect(isErrorCode('VERSION_EXISTS')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
  });

  it('turn a PlatformError into a body that the error schema accepts', () => {
    const error = new PlatformError('VERSION_EXISTS', 'm@1.0.0 already exists in dev', {
      details: { version: '1.0.0' },
    });
    expect(error.status).toBe(409);
    const body = errorBodySchema.parse(error.toBody('req_1'));
    expect(body).toEqual({
      code: 'VERSION_EXISTS',
      message: 'm@1.0.0 already exists in dev',
      requestId: 'req_1',
      details: { version: '1.0.0' },
    });
    expect('details' in new PlatformError('FORBIDDEN', 'no').toBody('r')).toBe(false);
  });

  it('reject an error body with an unknown code', () => {
    expect(errorBodySchema.safeParse({ code: 'NOPE', message: '', requestId: 'r' }).success).toBe(
      false,
    );
  });
});
