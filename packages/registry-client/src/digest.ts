// Content digests (`algorithm:hex`): the syntax the reference grammar accepts and the sha256
// a client computes itself, because a registry's word for a digest is never trusted.
import { createHash } from 'node:crypto';

/** Hex lengths of the algorithms a registry may name; anything else is refused. */
const DIGEST_HEX_LENGTH = { sha256: 64, sha512: 128 } as const;

export type DigestAlgorithm = keyof typeof DIGEST_HEX_LENGTH;

/** Why a digest string is not acceptable, or undefined when it is. */
export function digestProblem(value: string): string | undefined {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) {
    return 'a digest must be written algorithm:hex, e.g. sha256:<64 hex characters>';
  }
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  if (!Object.hasOwn(DIGEST_HEX_LENGTH, algorithm)) {
    return `digest algorithm "${algorithm.slice(0, 32)}" is not supported (use sha256 or sha512)`;
  }
  const length = DIGEST_HEX_LENGTH[algorithm as DigestAlgorithm];
  if (!/^[0-9a-f]*$/.test(hex)) {
    return `a ${algorithm} digest is lowercase hexadecimal (0-9, a-f)`;
  }
  if (hex.length !== length) {
    return `a ${algorithm} digest has ${length} hex characters, not ${hex.length}`;
  }
  return undefined;
}

export function isDigest(value: string): boolean {
  return digestProblem(value) === undefined;
}

/** The digest of `bytes` with the algorithm `like` names (sha256 unless it names sha512). */
export function computeDigest(bytes: Uint8Array, like = 'sha256:'): string {
  const algorithm: DigestAlgorithm = like.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}
