// Ed25519 (RFC 8032): key pairs and signing through node:crypto (OpenSSL), and the strict
// verification rule this project uses everywhere through @noble/ed25519 (RFC 8032 decoding, as
// OpenSSL and node:crypto apply it, plus the small-order key checks OpenSSL does not make).
//
// Why two: Ed25519 signing is deterministic, so OpenSSL gives the very bytes noble gave (the
// tests compare them), but noble's first signature in a process builds its base-point tables in
// JavaScript: ~35 ms of a `publish` that takes ~260 ms, against well under 1 ms for OpenSSL
// (issue 18). Verification stays with noble, whose rule is pinned by the tests.

import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';
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
const SPKI_KEY_PREFIX_LENGTH = 12;

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
  return new Uint8Array(spki.subarray(SPKI_KEY_PREFIX_LENGTH));
}

export function signBytes(message: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, opensslPrivateKey(privateKey)));
}

/**
 * Strict RFC 8032 verification (`zip215: false`): non-canonical point encodings, S ≥ L and
 * small-order public keys are rejected. Returns false for a signature or key of the wrong size.
 */
export function verifyBytes(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (signature.length !== ED25519_SIGNATURE_LENGTH || publicKey.length !== ED25519_KEY_LENGTH) {
    return false;
  }
  return ed.verify(signature, message, publicKey, { zip215: false });
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
