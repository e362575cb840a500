// Proof of possession for key registration (POST /v1/keys): the key signs a statement naming the
// user, org and environment it is registered for, so nobody can register a public key they do not
// hold, and a proof made for one user (or org, or env) is worth nothing to anyone else.

import { constants, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64.js';
import { canonicalizeToBytes } from './canonical-json.js';
import { ED25519_SIGNATURE_LENGTH, signBytes, verifyBytes } from './ed25519.js';
import { InvalidStatementError, KeyFormatError } from './errors.js';
import { publicKeyFromSpkiDer } from './key-encoding.js';
import { LEGACY_SIGNATURE_ALGORITHM } from './legacy-signature.js';
import { SIGNATURE_ALGORITHM } from './publish-statement.js';
import { decodeRsaPublicKey } from './rsa-public-key.js';
import type { SigningPublicKey } from './signing-public-key.js';

export const KEY_REGISTRATION_STATEMENT_TYPE = 'hla-compass/key-registration/v1';

/**
 * The RSA proof's salt: the hash length (RFC 8017 §9.1 and what most libraries default to), not
 * the SDK's maximal salt, which only its legacy manifest signatures need; checked exactly.
 */
export const KEY_REGISTRATION_RSA_SALT_LENGTH = 32;

export interface KeyRegistrationInput {
  readonly environment: string;
  /** The org id of the user registering the key. */
  readonly org: string;
  /** The user id (stable, unlike an email address) the key is registered to. */
  readonly user: string;
  /** The DER SubjectPublicKeyInfo of the key being registered. */
  readonly publicKey: Uint8Array;
}

// A type alias, not an interface, so that it is assignable to JsonValue for canonicalization.
export type KeyRegistrationStatement = {
  readonly _type: typeof KEY_REGISTRATION_STATEMENT_TYPE;
  readonly environment: string;
  readonly org: string;
  readonly user: string;
  /** Base64 of the DER SPKI: the proof names the key it proves. */
  readonly publicKey: string;
};

export function keyRegistrationStatement(input: KeyRegistrationInput): KeyRegistrationStatement {
  for (const field of ['environment', 'org', 'user'] as const) {
    if (typeof input[field] !== 'string' || input[field].trim() === '') {
      throw new InvalidStatementError(field, `The key registration's ${field} must not be empty`);
    }
  }
  return {
    _type: KEY_REGISTRATION_STATEMENT_TYPE,
    environment: input.environment,
    org: input.org,
    user: input.user,
    publicKey: encodeBase64(input.publicKey),
  };
}

/** The bytes that are signed: the statement canonicalized with RFC 8785, as UTF-8. */
export function keyRegistrationBytes(input: KeyRegistrationInput): Uint8Array {
  return canonicalizeToBytes(keyRegistrationStatement(input));
}

/** Base64 of the Ed25519 signature over the statement; `privateKey` is the 32-byte seed. */
export function signKeyRegistration(input: KeyRegistrationInput, privateKey: Uint8Array): string {
  return encodeBase64(signBytes(keyRegistrationBytes(input), privateKey));
}

/**
 * Base64 of the RSA-PSS (SHA-256, MGF1 SHA-256, 32-byte salt) signature over the statement, by
 * the Python SDK's RSA private key. Refuses a private key that is not the one named in `input`.
 */
export function signKeyRegistrationRsa(input: KeyRegistrationInput, privateKey: KeyObject): string {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  if (!spki.equals(input.publicKey)) {
    throw new KeyFormatError('The RSA private key does not belong to the public key it proves');
  }
  const signature = sign('sha256', keyRegistrationBytes(input), {
    key: privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: KEY_REGISTRATION_RSA_SALT_LENGTH,
  });
  return encodeBase64(signature);
}

/**
 * Whether `proof` is the key's signature over the statement for this user, org and env: Ed25519
 * (strict RFC 8032) for Ed25519 keys, RSA-PSS as {@link signKeyRegistrationRsa} signs for RSA keys.
 * `key.spki` must be the key as decoded by `decodeSigningPublicKeyBase64`.
 */
export function verifyKeyRegistration(
  input: Omit<KeyRegistrationInput, 'publicKey'>,
  key: SigningPublicKey,
  proof: string,
): boolean {
  const signature = typeof proof === 'string' ? decodeBase64(proof) : undefined;
  if (signature === undefined) return false;
  const message = keyRegistrationBytes({ ...input, publicKey: key.spki });
  if (key.algorithm === SIGNATURE_ALGORITHM) {
    return (
      signature.length === ED25519_SIGNATURE_LENGTH &&
      verifyBytes(signature, message, publicKeyFromSpkiDer(key.spki))
    );
  }
  if (key.algorithm === LEGACY_SIGNATURE_ALGORITHM) {
    const rsa = decodeRsaPublicKey(key.spki);
    if (signature.length !== Math.ceil(rsa.modulusBits / 8)) return false;
    return verify(
      'sha256',
      message,
      {
        key: rsa.key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: KEY_REGISTRATION_RSA_SALT_LENGTH,
      },
      signature,
    );
  }
  return false;
}
