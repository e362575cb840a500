// RSA public keys as the Python SDK sends them (base64 DER SubjectPublicKeyInfo, rsaEncryption),
// checked before any signature is verified with them.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { KeyFormatError } from './errors.js';

/** Below 2048 bits RSA is considered breakable (NIST SP 800-131A); the SDK makes 4096-bit keys. */
export const MIN_RSA_MODULUS_BITS = 2048;
/** OpenSSL's own ceiling for RSA verification (OPENSSL_RSA_MAX_MODULUS_BITS). */
export const MAX_RSA_MODULUS_BITS = 16384;

export interface RsaPublicKey {
  readonly key: KeyObject;
  /** The DER SubjectPublicKeyInfo, in its one canonical encoding. */
  readonly spki: Uint8Array;
  readonly modulusBits: number;
}

/**
 * Reads an RSA key from DER SPKI, refusing what could make a fingerprint ambiguous or a signature
 * meaningless: another DER spelling of the same key (it must re-encode to the same bytes), a key
 * restricted to RSASSA-PSS parameters (the SDK's keys are plain rsaEncryption), a modulus outside
 * 2048..16384 bits, an even or trivial public exponent. Throws {@link KeyFormatError}.
 */
export function decodeRsaPublicKey(spki: Uint8Array): RsaPublicKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (error) {
    throw new KeyFormatError('Not a DER SubjectPublicKeyInfo', { cause: error });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new KeyFormatError(
      `Not an RSA (rsaEncryption) public key: this is a ${key.asymmetricKeyType ?? 'unknown'} key`,
    );
  }
  const canonical = key.export({ format: 'der', type: 'spki' });
  if (!canonical.equals(spki)) {
    throw new KeyFormatError('The RSA SubjectPublicKeyInfo is not in canonical DER form');
  }
  const { modulusLength, publicExponent } = key.asymmetricKeyDetails ?? {};
  if (modulusLength === undefined || publicExponent === undefined) {
    throw new KeyFormatError('The RSA key has no modulus or public exponent');
  }
  if (modulusLength < MIN_RSA_MODULUS_BITS || modulusLength > MAX_RSA_MODULUS_BITS) {
    throw new KeyFormatError(
      `The RSA key has ${modulusLength} bits: ${MIN_RSA_MODULUS_BITS} to ${MAX_RSA_MODULUS_BITS} are accepted`,
    );
  }
  // e = 1 would make every "signature" its own padded message; an even e is not RSA at all.
  if (publicExponent < 3n || publicExponent % 2n === 0n) {
    throw new KeyFormatError(`The RSA key's public exponent ${publicExponent} is not odd and ≥ 3`);
  }
  return { key, spki: new Uint8Array(canonical), modulusBits: modulusLength };
}
