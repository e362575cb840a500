// Manifest signatures made by the platform's Python SDK 2.0.13 (python-sdk.md §3): RSA-PSS over
// the manifest alone, as the hosted platform takes them. They bind no environment, image, digest
// or scope, so callers record what a version's signature covers.

import { constants, createHash, verify } from 'node:crypto';
import { decodeBase64 } from './base64.js';
import { KeyFormatError } from './errors.js';
import { spkiFingerprint } from './fingerprint.js';
import type { LosslessJsonObject } from './json-value.js';
import { pythonJsonDumps } from './python-json.js';
import { decodeRsaPublicKey, type RsaPublicKey } from './rsa-public-key.js';
import { legacyUnsignedManifest } from './signature-fields.js';
import {
  describeWireValue as describe,
  verificationFailure as failure,
  type VerificationFailure,
} from './verification.js';

export const LEGACY_SIGNATURE_ALGORITHM = 'RSA-PSS';
export const LEGACY_HASH_ALGORITHM = 'SHA-256';

/** The five manifest fields the SDK sends with a signature. */
export const LEGACY_SIGNATURE_FIELDS = [
  'signature',
  'publicKey',
  'keyFingerprint',
  'signatureAlgorithm',
  'hashAlgorithm',
] as const;

/** What a legacy signature covers: the manifest, nothing else. */
export const LEGACY_SIGNATURE_BINDS = ['manifest'] as const;

export type LegacyVerificationResult =
  | {
      readonly valid: true;
      /** Our notation (`SHA256:` + unpadded base64), not the SDK's padded one. */
      readonly keyFingerprint: string;
      /** The DER SubjectPublicKeyInfo. */
      readonly publicKey: Uint8Array;
      readonly binds: typeof LEGACY_SIGNATURE_BINDS;
    }
  | VerificationFailure;

/**
 * The bytes the SDK signs: the manifest without the reserved signature names at any depth, as
 * Python's `json.dumps(…, sort_keys=True, separators=(",", ":"))` writes it (pure ASCII). The
 * manifest must come from `parseJsonLossless` over the text that was received.
 */
export function legacyManifestBytes(manifest: LosslessJsonObject): Uint8Array {
  return Buffer.from(pythonJsonDumps(legacyUnsignedManifest(manifest)), 'ascii');
}

/**
 * Verifies the SDK's signature fields carried by `manifest`: RSA-PSS, SHA-256, MGF1 SHA-256, salt
 * of the maximal length (emLen − 32 − 2, 478 bytes for a 4096-bit key), checked exactly. Which
 * keys are trusted is the caller's decision, made with the returned fingerprint. A manifest that
 * is not JSON at all throws, as `verifyPublishStatement` does; every signature problem is a
 * `valid: false`.
 */
export function verifyLegacyManifestSignature(
  manifest: LosslessJsonObject,
): LegacyVerificationResult {
  const message = legacyManifestBytes(manifest);
  const fields: Record<string, unknown> = manifest;

  const missing = LEGACY_SIGNATURE_FIELDS.filter((field) => !Object.hasOwn(fields, field));
  if (missing.length === LEGACY_SIGNATURE_FIELDS.length) {
    return failure(
      'unsigned',
      `The manifest is not signed (no ${LEGACY_SIGNATURE_FIELDS.join(', ')})`,
    );
  }
  if (missing.length > 0) {
    return failure('missing_fields', `The manifest's signature is missing ${missing.join(', ')}`);
  }
  if (fields.signatureAlgorithm !== LEGACY_SIGNATURE_ALGORITHM) {
    return failure(
      'unsupported_algorithm',
      `Unsupported signatureAlgorithm ${describe(fields.signatureAlgorithm)}: expected ${LEGACY_SIGNATURE_ALGORITHM}`,
    );
  }
  if (fields.hashAlgorithm !== LEGACY_HASH_ALGORITHM) {
    return failure(
      'unsupported_algorithm',
      `Unsupported hashAlgorithm ${describe(fields.hashAlgorithm)}: only ${LEGACY_HASH_ALGORITHM} is accepted with ${LEGACY_SIGNATURE_ALGORITHM}`,
    );
  }

  const spki = typeof fields.publicKey === 'string' ? decodeBase64(fields.publicKey) : undefined;
  if (spki === undefined) {
    return failure(
      'malformed_public_key',
      'publicKey is not base64 of a DER SubjectPublicKeyInfo (standard alphabet, padded)',
    );
  }
  let publicKey: RsaPublicKey;
  try {
    publicKey = decodeRsaPublicKey(spki);
  } catch (error) {
    if (error instanceof KeyFormatError) {
      return failure('malformed_public_key', `publicKey: ${error.message}`);
    }
    throw error;
  }

  const signatureLength = Math.ceil(publicKey.modulusBits / 8);
  const signature =
    typeof fields.signature === 'string' ? decodeBase64(fields.signature) : undefined;
  if (signature === undefined || signature.length !== signatureLength) {
    return failure(
      'malformed_signature',
      `signature is not base64 of a ${signatureLength}-byte RSA signature`,
    );
  }

  // The SDK's notation: padded standard base64 of sha256(DER SPKI), no prefix.
  const sdkFingerprint = createHash('sha256').update(spki).digest('base64');
  if (fields.keyFingerprint !== sdkFingerprint) {
    return failure(
      'fingerprint_mismatch',
      `keyFingerprint ${describe(fields.keyFingerprint)} does not match the public key (${sdkFingerprint})`,
    );
  }

  const verified = verify(
    'sha256',
    message,
    {
      key: publicKey.key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: maximalSaltLength(publicKey.modulusBits),
    },
    signature,
  );
  if (!verified) {
    return failure('bad_signature', 'The signature does not match the manifest');
  }
  return {
    valid: true,
    keyFingerprint: spkiFingerprint(spki),
    publicKey: spki,
    binds: LEGACY_SIGNATURE_BINDS,
  };
}

// RFC 8017 §9.1.1: emLen = ⌈(modBits − 1)/8⌉; the largest salt leaves room for the hash (32) and
// two bytes. This is what the SDK's PSS.MAX_LENGTH signs with; a fixed length is checked exactly.
function maximalSaltLength(modulusBits: number): number {
  return Math.ceil((modulusBits - 1) / 8) - 32 - 2;
}
