// Turns whatever a handler threw into the platform's error body: PlatformErrors keep their
// code and status; a full disk is STORAGE_FULL; anything else is an INTERNAL error whose
// details stay in the server log.
import { PlatformError, redactSecrets } from '@hla-compass/platform-api';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './app-env.js';

export type ErrorLogger = (message: string) => void;

export function errorResponse(c: Context<AppEnv>, error: PlatformError): Response {
  if (error.retryAfter !== undefined) c.header('Retry-After', String(error.retryAfter));
  return c.json(error.toBody(c.get('requestId') ?? 'unknown'), error.status);
}

export function onError(log: ErrorLogger) {
  return (error: Error, c: Context<AppEnv>): Response => {
    if (error instanceof PlatformError) return errorResponse(c, error);
    if (error instanceof HTTPException && error.status === 413) {
      // The rest of the body is never read: the connection cannot carry another request.
      c.header('Connection', 'close');
      return errorResponse(c, new PlatformError('PAYLOAD_TOO_LARGE', 'Request body is over 1 MiB'));
    }
    if (error instanceof HTTPException && error.status < 500) {
      return errorResponse(
        c,
        new PlatformError('INVALID_REQUEST', `Malformed request: ${error.message}`),
      );
    }
    if (isStorageFull(error)) {
      log(`request ${c.get('requestId')} could not write: the data dir's file system is full`);
      return errorResponse(
        c,
        new PlatformError(
          'STORAGE_FULL',
          "Storage full: the platform's disk is full, so nothing was written; reads still work. Free space on the file system of the emulator's data dir (--data), then try again",
        ),
      );
    }
    // A stack's messages can quote what the request carried (a reference with userinfo, a token).
    log(redactSecrets(`request ${c.get('requestId')} failed: ${error.stack ?? error.message}`));
    return errorResponse(
      c,
      new PlatformError('INTERNAL', 'Internal error in the platform emulator; see its log'),
    );
  };
}

/**
 * SQLite says SQLITE_FULL when a write to its database or WAL met ENOSPC (or EDQUOT, a quota);
 * a file the emulator writes itself says so directly.
 */
export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT';
}

export function notFound(c: Context<AppEnv>): Response {
  return errorResponse(
    c,
    new PlatformError('NOT_FOUND', `No route ${c.req.method} ${new URL(c.req.url).pathname}`),
  );
}
