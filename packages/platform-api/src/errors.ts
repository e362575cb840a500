// The platform's error vocabulary (SPEC §7): every code with its HTTP status, the error body,
// and the typed error value that the emulator throws and the CLI receives.

import * as z from 'zod';
import { apiSchemas } from './components.js';
import { redactSecrets, redactValue } from './redaction.js';

/**
 * Each error code and the status it is always sent with. `NOT_FOUND`, `INTERNAL` and
 * `STORAGE_FULL` are not in SPEC §7's table; they are added for unknown resources, the emulator's
 * own bugs, and a platform whose disk is full (507, RFC 4918: nothing was written, and trying
 * again soon will not help until space is freed, unlike a 503).
 */
export const ERROR_STATUS = {
  INVALID_REQUEST: 400,
  INVALID_MANIFEST: 400,
  INVALID_IMAGE_REF: 400,
  SIGNATURE_REQUIRED: 400,
  SIGNATURE_INVALID: 400,
  UNAUTHENTICATED: 401,
  DEVELOPER_ROLE_REQUIRED: 403,
  REGISTRY_UNAUTHORIZED: 403,
  UNTRUSTED_KEY: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VERSION_EXISTS: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  IMAGE_NOT_FOUND: 422,
  IMAGE_FORBIDDEN: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  REGISTRY_UNAVAILABLE: 502,
  STORAGE_FULL: 507,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export const errorCodeSchema = z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]);

export const errorBodySchema = z
  .object({
    code: errorCodeSchema,
    message: z.string(),
    requestId: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .register(apiSchemas, { id: 'Error' });
export type ErrorBody = z.infer<typeof errorBodySchema>;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_STATUS, value);
}

/** A failure the platform reports to its caller: a stable code, a message for people, details for tools. */
export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  readonly code: ErrorCode;
  readonly status: ErrorStatus;
  readonly details: Record<string, unknown> | undefined;
  /** Seconds a caller should wait before trying again (`RATE_LIMITED`). */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; retryAfter?: number; cause?: unknown } = {},
  ) {
    // Messages and details quote user input (a reference, a header): redacted here, once, so
    // that no error envelope and no log line made from one can carry credentials.
    super(
      redactSecrets(message),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = options.details === undefined ? undefined : redactValue(options.details);
    this.retryAfter = options.retryAfter;
  }

  toBody(requestId: string): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      requestId,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}
