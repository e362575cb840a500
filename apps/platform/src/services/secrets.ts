// Bearer secrets (access and refresh tokens, sign-in codes, API keys): random, prefixed so
// a leaked one is recognisable, and kept at rest only as sha256 hashes.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type SecretKind = 'at' | 'rt' | 'code' | 'ak';

export function newSecret(kind: SecretKind): string {
  return `hlc_${kind}_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}
