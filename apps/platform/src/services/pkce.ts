// PKCE (RFC 7636, S256 only) and the rule for where the console page may send a code: the
// CLI's loopback listener, never anywhere else.
import { createHash } from 'node:crypto';
import { constantTimeEqual } from './secrets.js';

/** base64url(sha256(verifier)), 43 characters. */
export function codeChallengeOf(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

export function codeChallengeMatches(codeVerifier: string, codeChallenge: string): boolean {
  return constantTimeEqual(codeChallengeOf(codeVerifier), codeChallenge);
}

export const CODE_CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

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
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    return 'redirect_uri must point to 127.0.0.1, localhost or [::1]';
  }
  if (url.port === '') return 'redirect_uri must name the port the CLI listens on';
  if (url.username !== '' || url.password !== '') return 'redirect_uri must not carry credentials';
  if (url.hash !== '') return 'redirect_uri must not have a fragment';
  return null;
}
