// Signing in and staying signed in: password login, the PKCE code exchange, refresh-token
// rotation with reuse detection (and a grace window for benign reuse), and the sign-in codes or
// sessions the console page hands out.
import { createHmac, randomBytes } from 'node:crypto';
import { PlatformError, type Tokens } from '@hla-compass/platform-api';
import type { EnvContext } from '../env-context.js';
import { newId } from '../store/ids.js';
import type { UserRecord } from '../store/users.js';
import { verifyPassword } from './passwords.js';
import { codeChallengeMatches } from './pkce.js';
import { hashSecret, newSecret } from './secrets.js';

const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;
export const AUTH_CODE_TTL_MS = 60 * 1000;

/**
 * How long a rotated refresh token, presented again, is answered with its successor instead of
 * ending the sign-in. Two commands that found the same expired session (a CI matrix, a shell loop)
 * send their refreshes milliseconds apart, and a client that lost the answer re-sends at once:
 * both are benign and well inside 30 s, which is also the CLI's default HTTP timeout. A copy of
 * the token in other hands is still caught: outside the window, or once the successor has been
 * used, the reuse revokes the whole family (RFC 6819 §5.2.2.3, OAuth 2.0 Security BCP §4.14.2).
 */
export const REFRESH_GRACE_MS = 30 * 1000;

/** The settings key of the HMAC key that derives each refresh token's successor. */
const SUCCESSOR_KEY_SETTING = 'auth.refreshSuccessorKey';

const unauthenticated = (message: string): PlatformError =>
  new PlatformError('UNAUTHENTICATED', message);

/**
 * A new access token of the family, with `refreshToken` as the refresh token of the answer. The
 * refresh token is stored too unless `stored` says the row exists (a successor answered again).
 */
function issueTokens(
  context: EnvContext,
  userId: string,
  familyId: string,
  refreshToken: string = newSecret('rt'),
  stored = false,
): Tokens {
  const now = context.now();
  const accessToken = newSecret('at');
  const { credentials } = context.store;
  credentials.insertAccessToken(
    hashSecret(accessToken),
    userId,
    familyId,
    now + context.accessTokenTtlSeconds * 1000,
  );
  if (!stored) {
    credentials.insertRefreshToken(
      hashSecret(refreshToken),
      userId,
      familyId,
      now + REFRESH_TOKEN_TTL_MS,
    );
  }
  const expiresIn = context.accessTokenTtlSeconds;
  // Both spellings, same values: our CLI reads camelCase, the Python SDK 2.0.13 snake_case.
  return {
    accessToken,
    refreshToken,
    expiresIn,
    tokenType: 'Bearer',
    access_token: accessToken,
    refresh_token: refreshToken,
    expires_in: expiresIn,
    token_type: 'Bearer',
  };
}

/**
 * Checks an email and password, counting failures per client address. The same message for
 * an unknown email and a wrong password, so that neither can be told from the other.
 */
export async function checkPassword(
  context: EnvContext,
  peer: string,
  email: string,
  password: string,
): Promise<UserRecord> {
  context.loginLimiter.check(peer, email);
  const user = context.store.users.getByEmail(email);
  const valid = await verifyPassword(password, user?.passwordHash ?? null);
  if (!valid || user === undefined) {
    context.loginLimiter.recordFailure(peer, email);
    throw unauthenticated('Wrong email or password');
  }
  return user;
}

/** A new sign-in (its own token family) for a user whose password was checked. */
export function startSession(context: EnvContext, userId: string): Tokens {
  return context.store.transaction(() => issueTokens(context, userId, newId('fam')));
}

export async function login(
  context: EnvContext,
  peer: string,
  email: string,
  password: string,
): Promise<Tokens> {
  const user = await checkPassword(context, peer, email, password);
  return startSession(context, user.id);
}

/**
 * Rotates a refresh token: it is spent, and its successor comes with a new access token. The
 * successor is derived from the spent token (an HMAC under a key only the platform holds), so
 * the platform can answer it again without keeping it: a token presented again within
 * {@link REFRESH_GRACE_MS} of its rotation, while its successor is still unused, gets the same
 * successor and a new access token of the same sign-in. Any other reuse ends the sign-in.
 */
export function refresh(context: EnvContext, refreshToken: string): Tokens {
  const { credentials } = context.store;
  const tokenHash = hashSecret(refreshToken);
  // The revocation must commit, so the transaction returns null and the error is thrown after.
  const tokens = context.store.transaction(() => {
    const now = context.now();
    const record = credentials.getRefreshToken(tokenHash);
    if (record === undefined || record.expiresAt <= now) {
      throw unauthenticated('Refresh token is invalid or expired; sign in again');
    }
    const successor = successorOf(context, refreshToken);
    if (credentials.useRefreshToken(tokenHash, now)) {
      return issueTokens(context, record.userId, record.familyId, successor);
    }
    if (isBenignReuse(context, record.usedAt, successor, now)) {
      return issueTokens(context, record.userId, record.familyId, successor, true);
    }
    // A used refresh token came back late, or after its successor was used: someone holds a
    // copy. End the whole sign-in.
    credentials.revokeFamily(record.familyId);
    return null;
  });
  if (tokens === null) {
    throw unauthenticated(
      'Refresh token was already used; every token of this sign-in is revoked; sign in again',
    );
  }
  return tokens;
}

/**
 * A spent token presented again is the same client re-sending (a lost answer) or a sibling process
 * racing it when it comes within the grace window and the successor it was rotated into is alive
 * and unused: the family has not moved on, so the one who sent it is the one who will use it.
 */
function isBenignReuse(
  context: EnvContext,
  usedAt: number | null,
  successor: string,
  now: number,
): boolean {
  if (usedAt === null || now - usedAt > REFRESH_GRACE_MS) return false;
  const next = context.store.credentials.getRefreshToken(hashSecret(successor));
  return next !== undefined && next.usedAt === null && next.expiresAt > now;
}

/**
 * The successor of a refresh token: HMAC-SHA256 of it under the environment's key, created on
 * first use and kept in its settings. Only hashes of tokens are stored, so the key alone yields
 * no token; without the key, a token's successor cannot be guessed from it.
 */
function successorOf(context: EnvContext, refreshToken: string): string {
  const { settings } = context.store;
  let key = settings.get(SUCCESSOR_KEY_SETTING);
  if (key === undefined) {
    key = randomBytes(32).toString('base64url');
    settings.set(SUCCESSOR_KEY_SETTING, key);
  }
  const mac = createHmac('sha256', Buffer.from(key, 'base64url'))
    .update(`refresh-successor\0${refreshToken}`, 'utf8')
    .digest('base64url');
  return `hlc_rt_${mac}`;
}

/**
 * Logout: ends the sign-in of each presented token (a live access token, or a known, unexpired
 * refresh token, used or not). Holding either is the authority, as in RFC 7009: whoever holds a
 * refresh token could trade it for an access token anyway. Nothing live to end is a 401, so a
 * client can tell "ended now" from "already over".
 */
export function endSession(
  context: EnvContext,
  presented: { accessToken?: string | undefined; refreshToken?: string | undefined },
): void {
  const { credentials } = context.store;
  const ended = context.store.transaction(() => {
    const now = context.now();
    const families = new Set<string>();
    if (presented.accessToken !== undefined) {
      const family = credentials.familyOfAccessToken(hashSecret(presented.accessToken), now);
      if (family !== undefined) families.add(family);
    }
    if (presented.refreshToken !== undefined) {
      const record = credentials.getRefreshToken(hashSecret(presented.refreshToken));
      if (record !== undefined && record.expiresAt > now) families.add(record.familyId);
    }
    for (const family of families) credentials.revokeFamily(family);
    return families.size;
  });
  if (ended === 0) {
    throw unauthenticated(
      'Nothing to log out of: send the sign-in\'s access token as "Authorization: Bearer <token>" or its refreshToken; these are invalid, expired or already revoked',
    );
  }
}

/** A single-use code for the console page's redirect, bound to the PKCE challenge and URI. */
export function createAuthCode(
  context: EnvContext,
  userId: string,
  codeChallenge: string,
  redirectUri: string,
): string {
  const code = newSecret('code');
  context.store.credentials.insertAuthCode(hashSecret(code), {
    userId,
    codeChallenge,
    redirectUri,
    expiresAt: context.now() + AUTH_CODE_TTL_MS,
    familyId: newId('fam'),
  });
  return code;
}

export function exchangeCode(
  context: EnvContext,
  request: { code: string; codeVerifier: string; redirectUri: string },
): Tokens {
  const { credentials } = context.store;
  const codeHash = hashSecret(request.code);
  const invalid =
    'Sign-in code is invalid, expired, already used, or was issued for another redirect URI or verifier';
  const tokens = context.store.transaction(() => {
    const record = credentials.getAuthCode(codeHash);
    if (record === undefined || record.expiresAt <= context.now()) throw unauthenticated(invalid);
    if (!credentials.useAuthCode(codeHash, context.now())) {
      // RFC 6749 §4.1.2: a code used twice revokes what the first use issued.
      credentials.revokeFamily(record.familyId);
      return null;
    }
    if (
      record.redirectUri !== request.redirectUri ||
      !codeChallengeMatches(request.codeVerifier, record.codeChallenge)
    ) {
      return undefined;
    }
    return issueTokens(context, record.userId, record.familyId);
  });
  if (tokens === null || tokens === undefined) throw unauthenticated(invalid);
  return tokens;
}
