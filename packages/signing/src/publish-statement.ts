// The publish statement (SPEC §6): what a module signature covers. Binding the environment, the
// image repository and digest, the manifest (so name and version) and the scope means a
// signature cannot be replayed onto another env, image, digest, version or scope; v2 also binds
// the publishing org, so it cannot be replayed into another org either.

import { decodeBase64, encodeBase64 } from './base64.js';
import { canonicalizeToBytes } from './canonical-json.js';
import {
  ED25519_SIGNATURE_LENGTH,
  publicKeyFromPrivateKey,
  signBytes,
  verifyBytes,
} from './ed25519.js';
import { InvalidStatementError, KeyFormatError } from './errors.js';
import { keyFingerprint } from './fingerprint.js';
import type { JsonObject } from './json-value.js';
import { decodePublicKeyBase64, encodePublicKeyBase64 } from './key-encoding.js';
import { unsignedManifest } from './signature-fields.js';
import {
  describeWireValue as describe,
  verificationFailure as failure,
  type VerificationFailure,
} from './verification.js';

/** v1: environment, image, manifest, scope. Still verified (see the platform's signatures). */
export const PUBLISH_STATEMENT_TYPE_V1 = 'hla-compass/publish-statement/v1';
/** v2: v1 and the publishing org's id; what the CLI signs. */
export const PUBLISH_STATEMENT_TYPE = 'hla-compass/publish-statement/v2';
export const SIGNATURE_ALGORITHM = 'Ed25519';

/**
 * The four manifest fields an Ed25519 signature travels in (SPEC §6). What is signed leaves out
 * all of RESERVED_SIGNATURE_FIELDS, which include these.
 */
export const SIGNATURE_FIELDS = [
  'signature',
  'publicKey',
  'keyFingerprint',
  'signatureAlgorithm',
] as const;
export type SignatureField = (typeof SIGNATURE_FIELDS)[number];

export const PUBLISH_SCOPES = ['org', 'public'] as const;
export type PublishScope = (typeof PUBLISH_SCOPES)[number];

export interface PublishStatementInput {
  readonly environment: string;
  /** Normalized, fully qualified: `127.0.0.1:5000/your-org/my-module`, `docker.io/library/x`. */
  readonly repository: string;
  /** `sha256:` + 64 lowercase hex digits: the image manifest digest the platform resolved. */
  readonly digest: string;
  /**
   * The manifest exactly as sent (parsed JSON, not a copy rebuilt by a schema, which could add
   * defaults or drop members). Its top-level reserved signature fields, if any, are ignored.
   */
  readonly manifest: JsonObject;
  readonly scope: PublishScope;
  /** The publishing org's id: given, the statement is v2, which binds it; absent, v1. */
  readonly org?: string | undefined;
}

// A type alias, not an interface, so that it is assignable to JsonValue for canonicalization.
export type PublishStatement =
  | {
      readonly _type: typeof PUBLISH_STATEMENT_TYPE_V1;
      readonly environment: string;
      readonly image: { readonly repository: string; readonly digest: string };
      readonly manifest: JsonObject;
      readonly scope: PublishScope;
    }
  | {
      readonly _type: typeof PUBLISH_STATEMENT_TYPE;
      readonly environment: string;
      readonly image: { readonly repository: string; readonly digest: string };
      readonly manifest: JsonObject;
      readonly org: string;
      readonly scope: PublishScope;
    };

/** The four manifest fields that carry a signature on the wire (SPEC §6). */
export interface SignatureFields {
  /** Base64 of the 64-byte Ed25519 signature over the canonical statement. */
  readonly signature: string;
  /** Base64 of the DER SubjectPublicKeyInfo. */
  readonly publicKey: string;
  readonly keyFingerprint: string;
  readonly signatureAlgorithm: typeof SIGNATURE_ALGORITHM;
}

export type VerificationResult =
  | {
      readonly valid: true;
      readonly keyFingerprint: string;
      readonly publicKey: Uint8Array;
      /** Which statement the signature is over: v2 binds the org, v1 does not. */
      readonly statementType: PublishStatement['_type'];
    }
  | VerificationFailure;

/** What an Ed25519 publish statement (v1) covers besides the manifest: nothing can be moved. */
export const PUBLISH_STATEMENT_BINDS = ['environment', 'image', 'manifest', 'scope'] as const;

/**
 * Builds the statement, v2 when `input.org` is given, else v1, refusing inputs that could not be
 * what the platform verifies.
 */
export function publishStatement(input: PublishStatementInput): PublishStatement {
  assertStatementInput(input);
  const image = { repository: input.repository, digest: input.digest };
  const manifest = unsignedManifest(input.manifest);
  const { environment, scope, org } = input;
  return org === undefined
    ? { _type: PUBLISH_STATEMENT_TYPE_V1, environment, image, manifest, scope }
    : { _type: PUBLISH_STATEMENT_TYPE, environment, image, manifest, org, scope };
}

/** The bytes that are signed: the statement canonicalized with RFC 8785, as UTF-8. */
export function publishStatementBytes(input: PublishStatementInput): Uint8Array {
  return canonicalizeToBytes(publishStatement(input));
}

export function signPublishStatement(
  input: PublishStatementInput,
  privateKey: Uint8Array,
): SignatureFields {
  const message = publishStatementBytes(input);
  const publicKey = publicKeyFromPrivateKey(privateKey);
  return {
    signature: encodeBase64(signBytes(message, privateKey)),
    publicKey: encodePublicKeyBase64(publicKey),
    keyFingerprint: keyFingerprint(publicKey),
    signatureAlgorithm: SIGNATURE_ALGORITHM,
  };
}

/**
 * Verifies the signature fields carried by `input.manifest` against the statement recomputed
 * from `input`. Which keys are trusted (registered, not revoked) is the caller's decision, made
 * with the returned fingerprint. Throws {@link InvalidStatementError} or a canonicalization error
 * for an input that is not a statement at all; every signature problem is a `valid: false`.
 */
export function verifyPublishStatement(input: PublishStatementInput): VerificationResult {
  const message = publishStatementBytes(input);
  const fields: Record<string, unknown> = input.manifest;

  const missing = SIGNATURE_FIELDS.filter((field) => !Object.hasOwn(fields, field));
  if (missing.length === SIGNATURE_FIELDS.length) {
    return failure('unsigned', `The manifest is not signed (no ${SIGNATURE_FIELDS.join(', ')})`);
  }
  if (missing.length > 0) {
    return failure('missing_fields', `The manifest's signature is missing ${missing.join(', ')}`);
  }
  if (fields.signatureAlgorithm !== SIGNATURE_ALGORITHM) {
    return failure(
      'unsupported_algorithm',
      `Unsupported signatureAlgorithm ${describe(fields.signatureAlgorithm)}: only ${SIGNATURE_ALGORITHM} is accepted`,
    );
  }

  if (typeof fields.publicKey !== 'string') {
    return failure(
      'malformed_public_key',
      `publicKey is ${describe(fields.publicKey)}, not a string`,
    );
  }
  let publicKey: Uint8Array;
  try {
    publicKey = decodePublicKeyBase64(fields.publicKey);
  } catch (error) {
    if (error instanceof KeyFormatError) {
      return failure('malformed_public_key', `publicKey: ${error.message}`);
    }
    throw error;
  }

  const signature =
    typeof fields.signature === 'string' ? decodeBase64(fields.signature) : undefined;
  if (signature === undefined || signature.length !== ED25519_SIGNATURE_LENGTH) {
    return failure('malformed_signature', 'signature is not base64 of a 64-byte Ed25519 signature');
  }

  const fingerprint = keyFingerprint(publicKey);
  if (fields.keyFingerprint !== fingerprint) {
    return failure(
      'fingerprint_mismatch',
      `keyFingerprint ${describe(fields.keyFingerprint)} does not match the public key (${fingerprint})`,
    );
  }

  if (!verifyBytes(signature, message, publicKey)) {
    return failure(
      'bad_signature',
      `The signature does not match this ${input.org === undefined ? '' : 'org, '}environment, image, digest, manifest and scope`,
    );
  }
  return {
    valid: true,
    keyFingerprint: fingerprint,
    publicKey,
    statementType: input.org === undefined ? PUBLISH_STATEMENT_TYPE_V1 : PUBLISH_STATEMENT_TYPE,
  };
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

function assertStatementInput(input: PublishStatementInput): void {
  if (typeof input.environment !== 'string' || input.environment.trim() === '') {
    throw new InvalidStatementError('environment', 'The environment must be a non-empty name');
  }
  if (!isNormalizedRepository(input.repository)) {
    throw new InvalidStatementError(
      'repository',
      `Image repository ${describe(input.repository)} is not normalized and fully qualified ` +
        '(lowercase host/path without tag or digest, e.g. ghcr.io/your-org/my-module)',
    );
  }
  if (typeof input.digest !== 'string' || !DIGEST.test(input.digest)) {
    throw new InvalidStatementError(
      'digest',
      `Image digest ${describe(input.digest)} is not sha256: followed by 64 lowercase hex digits`,
    );
  }
  if (input.org !== undefined && (typeof input.org !== 'string' || input.org.trim() === '')) {
    throw new InvalidStatementError('org', 'The org must be a non-empty id');
  }
  if (!(PUBLISH_SCOPES as readonly unknown[]).includes(input.scope)) {
    throw new InvalidStatementError(
      'scope',
      `Scope ${describe(input.scope)} is not one of ${PUBLISH_SCOPES.join(', ')}`,
    );
  }
  const { manifest } = input;
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new InvalidStatementError('manifest', 'The manifest must be a JSON object');
  }
}

// A light check, not the reference grammar (that is @hla-compass/registry-client's job): it
// catches the likely mistakes, a tag or digest left on, a short name, or unnormalized case,
// which would otherwise surface as a signature that mysteriously does not verify.
function isNormalizedRepository(repository: unknown): boolean {
  if (typeof repository !== 'string') return false;
  const segments = repository.split('/');
  return (
    segments.length >= 2 &&
    repository === repository.toLowerCase() &&
    !/[\s@]/.test(repository) &&
    segments.every((segment) => segment !== '') &&
    !segments.slice(1).some((segment) => segment.includes(':'))
  );
}
