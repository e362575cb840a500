// Ed25519 (RFC 8032) through @noble/ed25519: key pairs, signing, and the strict verification
// rule this project uses everywhere (RFC 8032 decoding, as OpenSSL and node:crypto apply it).

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

export function generateKeyPair(): KeyPair {
  const { secretKey, publicKey } = ed.keygen();
  return { privateKey: secretKey, publicKey };
}

export function publicKeyFromPrivateKey(privateKey: Uint8Array): Uint8Array {
  assertPrivateKey(privateKey);
  return ed.getPublicKey(privateKey);
}

export function signBytes(message: Uint8Array, privateKey: Uint8Array): Uint8Array {
  assertPrivateKey(privateKey);
  return ed.sign(message, privateKey);
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
