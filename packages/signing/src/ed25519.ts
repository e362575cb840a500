// Ed25519 (RFC 8032): key pairs and signing through node:crypto (OpenSSL), and the strict
// verification rule this project uses everywhere: @noble/ed25519's with `zip215: false` (RFC 8032
// decoding, as OpenSSL applies it, plus a refusal of small-order public keys, which OpenSSL
// accepts).
//
// Why OpenSSL where it can: noble computes in JavaScript. Its first signature or verification in
// a process builds base-point tables (~35-40 ms), and each verification after costs ~2.3 ms
// against ~0.14 ms for OpenSSL: a third of a `publish`'s start-up in the CLI, most of a publish
// request's CPU in the emulator (issue 18). Signing is deterministic, so OpenSSL gives the very
// bytes noble gave (the tests compare them). Verification keeps noble's rule exactly: see
// verifyBytes.

import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { KeyFormatError } from './errors.js';

// noble's synchronous API takes its SHA-512 from here; without it only the async API works.
ed.hashes.sha512 = sha512;

export const ED25519_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

/** `privateKey` is the 32-byte RFC 8032 seed, `publicKey` the 32-byte encoded point. */
export interface KeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

// DER of PKCS #8 PrivateKeyInfo for Ed25519 up to the seed (RFC 8410), and of the
// SubjectPublicKeyInfo up to the point: the bare 32-byte keys in and out of node:crypto.
const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_KEY_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function opensslPrivateKey(privateKey: Uint8Array): KeyObject {
  assertPrivateKey(privateKey);
  return createPrivateKey({
    key: Buffer.concat([PKCS8_SEED_PREFIX, privateKey]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function generateKeyPair(): KeyPair {
  const privateKey = new Uint8Array(randomBytes(ED25519_KEY_LENGTH));
  return { privateKey, publicKey: publicKeyFromPrivateKey(privateKey) };
}

export function publicKeyFromPrivateKey(privateKey: Uint8Array): Uint8Array {
  const spki = createPublicKey(opensslPrivateKey(privateKey)).export({
    format: 'der',
    type: 'spki',
  });
  return new Uint8Array(spki.subarray(SPKI_KEY_PREFIX.length));
}

export function signBytes(message: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, opensslPrivateKey(privateKey)));
}

/**
 * Strict RFC 8032 verification (`zip215: false`): non-canonical point encodings, S ≥ L and
 * small-order public keys are rejected. Returns false for a signature or key of the wrong size.
 *
 * The answer is noble's, computed the fast way where that is the same answer. Noble checks the
 * cofactored equation [8][S]B = [8]R + [8][k]A; OpenSSL the cofactorless [S]B - [k]A = R,
 * comparing encodings, after the same S < L and A decoding rules. Cofactorless implies
 * cofactored, so when A is a canonical point outside the small-order subgroup (noble's own
 * refusals, checked first), OpenSSL's yes is noble's yes. OpenSSL's no is not always noble's: a
 * signer can make R with a small-order part, which only the cofactored equation accepts; so a
 * no is asked of noble again. Valid signatures never reach noble; invalid ones pay its price.
 */
export function verifyBytes(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (signature.length !== ED25519_SIGNATURE_LENGTH || publicKey.length !== ED25519_KEY_LENGTH) {
    return false;
  }
  const key = opensslPublicKey(publicKey);
  if (key === undefined) return false;
  if (verify(null, message, key, signature)) return true;
  return ed.verify(signature, message, publicKey, { zip215: false });
}

// Decoding A in JavaScript and making OpenSSL's key object are most of what is left of a
// verification (~0.35 and ~0.1 of ~0.5 ms), and a process sees few keys, each many times: both,
// functions of the 32 bytes alone, are kept for the last few hundred keys.
const publicKeys = new Map<string, KeyObject | undefined>();
const PUBLIC_KEYS_KEPT = 256;

/** OpenSSL's key for a canonical point outside the small-order subgroup, else undefined. */
function opensslPublicKey(publicKey: Uint8Array): KeyObject | undefined {
  const id = Buffer.from(publicKey).toString('base64');
  if (publicKeys.has(id)) return publicKeys.get(id);
  let key: KeyObject | undefined;
  try {
    assertPublicKey(publicKey);
    key = createPublicKey({
      key: Buffer.concat([SPKI_KEY_PREFIX, publicKey]),
      format: 'der',
      type: 'spki',
    });
  } catch {
    key = undefined;
  }
  if (publicKeys.size >= PUBLIC_KEYS_KEPT) publicKeys.clear();
  publicKeys.set(id, key);
  return key;
}

export function assertPrivateKey(privateKey: Uint8Array): void {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== ED25519_KEY_LENGTH) {
    throw new KeyFormatError(
      `An Ed25519 private key is a ${ED25519_KEY_LENGTH}-byte seed, got ${describeBytes(privateKey)}`,
    );
  }
}

/**
 * A public key must be a canonical encoding of a curve point outside the small-order subgroup:
 * strict verification rejects every signature under any other key, so such a key is refused
 * when it is read rather than when it is first used.
 */
export function assertPublicKey(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_KEY_LENGTH) {
    throw new KeyFormatError(
      `An Ed25519 public key is ${ED25519_KEY_LENGTH} bytes, got ${describeBytes(publicKey)}`,
    );
  }
  let point: ed.Point;
  try {
    point = ed.Point.fromBytes(publicKey, false);
  } catch (cause) {
    throw new KeyFormatError('The Ed25519 public key is not a valid curve point', { cause });
  }
  if (point.isSmallOrder()) {
    throw new KeyFormatError('The Ed25519 public key is a small-order point, which no one can use');
  }
}

function describeBytes(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
}
