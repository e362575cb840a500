// The console's sign-in: the platform's own session (an access token of a new sign-in, made by
// the sessions service after the password check) in an HttpOnly cookie scoped to the console.
import { PlatformError } from '@hla-compass/platform-api';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { EnvContext } from '../env-context.js';
import type { AppEnv } from '../http/app-env.js';
import { authenticate, type Caller } from '../services/authentication.js';
import { hashSecret } from '../services/secrets.js';
import { endSession, startSession } from '../services/sessions.js';
import { consolePath } from './layout.js';

const COOKIE = 'hlc_console';
const ACCESS_TOKEN = /^hlc_at_[A-Za-z0-9_-]{43}$/;

export interface ConsoleSession {
  caller: Caller;
  /** sha256 of the session's token: what its forms' CSRF tokens are bound to. */
  id: string;
}

const cookieOptions = (context: EnvContext) => ({
  path: consolePath(context.name),
  httpOnly: true,
  sameSite: 'Strict' as const,
});

/**
 * Starts a sign-in for a user whose password was checked. The cookie holds the sign-in's access
 * token and lives as long as it; the refresh token is dropped, so the console session ends with
 * it (or at sign-out) and the browser never holds anything that outlives it.
 */
export function openConsoleSession(c: Context<AppEnv>, context: EnvContext, userId: string): void {
  const { accessToken, expiresIn } = startSession(context, userId);
  setCookie(c, COOKIE, accessToken, { ...cookieOptions(context), maxAge: expiresIn });
}

/**
 * The signed-in caller, looked up through the same authentication as a Bearer token on every
 * request (so a revoked sign-in, a deleted account or a changed role takes effect at once), or
 * undefined without a live session.
 */
export function consoleSession(
  c: Context<AppEnv>,
  context: EnvContext,
): ConsoleSession | undefined {
  const token = getCookie(c, COOKIE);
  if (token === undefined || !ACCESS_TOKEN.test(token)) return undefined;
  try {
    return {
      caller: authenticate(context, { authorization: `Bearer ${token}` }),
      id: hashSecret(token),
    };
  } catch (error) {
    if (error instanceof PlatformError && error.code === 'UNAUTHENTICATED') return undefined;
    throw error;
  }
}

/** Ends the sign-in for real (its tokens are revoked, as at `POST /v1/auth/logout`). */
export function closeConsoleSession(c: Context<AppEnv>, context: EnvContext): void {
  const token = getCookie(c, COOKIE);
  deleteCookie(c, COOKIE, cookieOptions(context));
  if (token === undefined || !ACCESS_TOKEN.test(token)) return;
  try {
    endSession(context, { accessToken: token });
  } catch (error) {
    // Already over (expired or revoked elsewhere): signing out has nothing left to end.
    if (!(error instanceof PlatformError && error.code === 'UNAUTHENTICATED')) throw error;
  }
}
