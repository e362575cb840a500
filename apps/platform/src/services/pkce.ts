// What the console page sends back to the CLI: a PKCE code (RFC 7636, S256 only) or, for the
// Python SDK 2.0.13, the tokens in `payload`; and the rule for where either may go: the CLI's
// loopback listener, never anywhere else.
import { createHash } from 'node:crypto';
import type { Tokens } from '@hla-compass/platform-api';
import { isLoopbackHost } from '@hla-compass/platform-api/loopback';
import { constantTimeEqual } from './secrets.js';

/** base64url(sha256(verifier)), 43 characters. */
export function codeChallengeOf(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

export function codeChallengeMatches(codeVerifier: string, codeChallenge: string): boolean {
  return constantTimeEqual(codeChallengeOf(codeVerifier), codeChallenge);
}

export const CODE_CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Null when `redirectUri` is an `http://` URL on a loopback host with an explicit port and no
 * credentials or fragment; otherwise the reason it is refused.
 */
export function loopbackRedirectProblem(redirectUri: string): string | null {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return 'redirect_uri is not a URL';
  }
  if (url.protocol !== 'http:') return 'redirect_uri must use http:// on a loopback address';
  if (!isLoopbackHost(url.hostname)) {
    return 'redirect_uri must point to 127.0.0.1, localhost or [::1]';
  }
  if (url.port === '') return 'redirect_uri must name the port the CLI listens on';
  if (url.username !== '' || url.password !== '') return 'redirect_uri must not carry credentials';
  if (url.hash !== '') return 'redirect_uri must not have a fragment';
  return null;
}

/**
 * The `payload` of the Python SDK 2.0.13's browser flow: standard base64 (not base64url) of
 * `{"access_token","refresh_token","expires_in"}`, the fields the SDK stores.
 */
export function sdkCallbackPayload(
  tokens: Pick<Tokens, 'access_token' | 'refresh_token' | 'expires_in'>,
): string {
  const { access_token, refresh_token, expires_in } = tokens;
  const json = JSON.stringify({ access_token, refresh_token, expires_in });
  return Buffer.from(json, 'utf8').toString('base64');
}

/**
 * `redirectUri` with `params` set in its query. `URLSearchParams` percent-encodes `+`, `/` and
 * `=`, which the SDK needs: it URL-decodes the query (a raw `+` would become a space) before it
 * base64-decodes `payload`.
 */
export function callbackUrl(redirectUri: string, params: Readonly<Record<string, string>>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}
