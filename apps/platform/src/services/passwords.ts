// Password hashing with scrypt (OpenSSL through node:crypto): a per-user random salt, the
// parameters stored with the hash, constant-time comparison.
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

/**
 * What a stored hash may ask of scrypt. Outside them OpenSSL refuses (N not a power of two,
 * memory past `maxmem`) or a sign-in would burn seconds of CPU: a seed is refused instead, and
 * a stored hash outside them never verifies.
 */
export const SCRYPT_BOUNDS = {
  log2N: { min: 10, max: 16 },
  r: { min: 1, max: 16 },
  p: { min: 1, max: 4 },
  /** 128 × N × r, scrypt's working memory; 64 MiB is N = 2^16 with r = 8. */
  maxMemoryBytes: 64 * 1024 * 1024,
  saltBytes: { min: 16, max: 64 },
  hashBytes: KEY_LENGTH,
} as const;

export interface ScryptHash {
  options: Required<Pick<ScryptOptions, 'N' | 'r' | 'p'>>;
  salt: Buffer;
  hash: Buffer;
}

function base64Bytes(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  // Node skips what is not base64: only text that is its bytes' own encoding is taken.
  return bytes.toString('base64') === text ? bytes : undefined;
}

function integerWithin(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !/^[1-9]\d{0,9}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** A stored `scrypt$N$r$p$<salt>$<hash>` within SCRYPT_BOUNDS, or what is wrong with it. */
export function parsePasswordHash(stored: string): ScryptHash | string {
  const parts = stored.split('$');
  const [scheme, n, r, p, salt, hash] = parts;
  if (parts.length !== 6 || scheme !== 'scrypt') {
    return 'is not scrypt$N$r$p$<salt base64>$<hash base64>';
  }
  const { log2N } = SCRYPT_BOUNDS;
  const N = integerWithin(n, 2 ** log2N.min, 2 ** log2N.max);
  if (N === undefined || (N & (N - 1)) !== 0) {
    return `has N ${n}: a power of two from 2^${log2N.min} to 2^${log2N.max}`;
  }
  const blockSize = integerWithin(r, SCRYPT_BOUNDS.r.min, SCRYPT_BOUNDS.r.max);
  if (blockSize === undefined) {
    return `has r ${r}: from ${SCRYPT_BOUNDS.r.min} to ${SCRYPT_BOUNDS.r.max}`;
  }
  const parallelism = integerWithin(p, SCRYPT_BOUNDS.p.min, SCRYPT_BOUNDS.p.max);
  if (parallelism === undefined) {
    return `has p ${p}: from ${SCRYPT_BOUNDS.p.min} to ${SCRYPT_BOUNDS.p.max}`;
  }
  if (128 * N * blockSize > SCRYPT_BOUNDS.maxMemoryBytes) {
    return `needs ${128 * N * blockSize} bytes (128 × N × r): at most ${SCRYPT_BOUNDS.maxMemoryBytes}`;
  }
  const saltBytes = base64Bytes(salt ?? '');
  const { saltBytes: saltBounds } = SCRYPT_BOUNDS;
  if (
    saltBytes === undefined ||
    saltBytes.length < saltBounds.min ||
    saltBytes.length > saltBounds.max
  ) {
    return `has a salt that is not ${saltBounds.min} to ${saltBounds.max} bytes of base64`;
  }
  const hashBytes = base64Bytes(hash ?? '');
  if (hashBytes === undefined || hashBytes.length !== SCRYPT_BOUNDS.hashBytes) {
    return `has a hash that is not ${SCRYPT_BOUNDS.hashBytes} bytes of base64`;
  }
  return { options: { N, r: blockSize, p: parallelism }, salt: saltBytes, hash: hashBytes };
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const bounded = { ...options, maxmem: SCRYPT_BOUNDS.maxMemoryBytes + 1024 * 1024 };
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, bounded, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `scrypt$N$r$p$<salt base64>$<hash base64>` */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$');
}

// Derived against when the email is unknown, so that the answer takes as long either way: the
// same parameters as a real hash, random bytes for the salt and the hash (nothing derives to
// them, and `stored === null` refuses regardless). Not a hash of a password: computing one
// here ran scrypt (16 MiB, ~50 ms of a core) at every emulator start (issue 18).
export const UNKNOWN_USER_HASH = [
  'scrypt',
  PARAMS.N,
  PARAMS.r,
  PARAMS.p,
  randomBytes(16).toString('base64'),
  randomBytes(KEY_LENGTH).toString('base64'),
].join('$');

/** False for a wrong password, a malformed hash, or no hash (`null`: the user cannot sign in). */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = parsePasswordHash(stored ?? UNKNOWN_USER_HASH);
  if (typeof parsed === 'string') return false;
  const key = await derive(password, parsed.salt, parsed.options);
  return stored !== null && timingSafeEqual(key, parsed.hash);
}
