// A public key as a user registers it (POST /v1/keys): an Ed25519 key for publish statements, or
// the Python SDK's RSA key for legacy manifest signatures, both as base64 DER SPKI.

import { decodeBase64 } from './base64.js';
import { KeyFormatError } from './errors.js';
import { spkiFingerprint } from './fingerprint.js';
import { publicKeyFromSpkiDer } from './key-encoding.js';
import { LEGACY_SIGNATURE_ALGORITHM } from './legacy-signature.js';
import { SIGNATURE_ALGORITHM } from './publish-statement.js';
import { decodeRsaPublicKey } from './rsa-public-key.js';

/** The signature algorithm a registered key is accepted for. */
export type SigningKeyAlgorithm = typeof SIGNATURE_ALGORITHM | typeof LEGACY_SIGNATURE_ALGORITHM;

export interface SigningPublicKey {
  readonly algorithm: SigningKeyAlgorithm;
  /** The DER SubjectPublicKeyInfo, canonical. */
  readonly spki: Uint8Array;
  /** `SHA256:` + unpadded base64 of sha256(spki), whatever the algorithm. */
  readonly fingerprint: string;
}

// SEQUENCE { SEQUENCE { OID 1.3.101.112 } …: how an Ed25519 SPKI begins, whatever follows.
const ED25519_SPKI_START = '300506032b6570';

/**
 * Decodes and checks a key the way its signatures will be verified: Ed25519 with the strict
 * checks of `publicKeyFromSpkiDer` (canonical point, not small order), RSA with those of
 * `decodeRsaPublicKey` (2048 bits or more). Throws {@link KeyFormatError} naming the problem.
 */
export function decodeSigningPublicKeyBase64(text: string): SigningPublicKey {
  const spki = typeof text === 'string' ? decodeBase64(text) : undefined;
  if (spki === undefined) {
    throw new KeyFormatError(
      'Not base64 of a DER SubjectPublicKeyInfo (standard alphabet, padded)',
    );
  }
  if (Buffer.from(spki.subarray(2, 9)).toString('hex') === ED25519_SPKI_START) {
    publicKeyFromSpkiDer(spki);
    return { algorithm: SIGNATURE_ALGORITHM, spki, fingerprint: spkiFingerprint(spki) };
  }
  let rsa: ReturnType<typeof decodeRsaPublicKey>;
  try {
    rsa = decodeRsaPublicKey(spki);
  } catch (error) {
    if (!(error instanceof KeyFormatError)) throw error;
    throw new KeyFormatError(`Neither an Ed25519 nor an accepted RSA key: ${error.message}`, {
      cause: error,
    });
  }
  return {
    algorithm: LEGACY_SIGNATURE_ALGORITHM,
    spki: rsa.spki,
    fingerprint: spkiFingerprint(rsa.spki),
  };
}
