// Publish signatures (SPEC §6, §6a): which signature a manifest carries, whether it verifies, and
// whether its key may sign for the caller here. An Ed25519 publish statement binds env, image,
// manifest and scope, and from v2 on the caller's org; the Python SDK's legacy RSA-PSS signature binds the manifest only, which
// the catalog records with the version.
import {
  PlatformError,
  type Scope,
  type SignatureKind,
  type VersionSignature,
} from '@hla-compass/platform-api';
import {
  InvalidStatementError,
  JsonNumber,
  type JsonObject,
  LEGACY_SIGNATURE_ALGORITHM,
  LEGACY_SIGNATURE_BINDS,
  type LosslessJsonObject,
  type LosslessJsonValue,
  legacyUnsignedManifest,
  PUBLISH_STATEMENT_BINDS,
  parseJsonLossless,
  RESERVED_SIGNATURE_FIELDS,
  SIGNATURE_ALGORITHM,
  SIGNATURE_FIELDS,
  unsignedManifest,
  type VerificationFailure,
  verifyLegacyManifestSignature,
  verifyPublishStatement,
} from '@hla-compass/signing';
import type { EnvContext } from '../env-context.js';
import type { Caller } from './authentication.js';
import { readPolicy } from './policy.js';
import { untrustedKeyReason } from './signing-keys.js';

export interface SignedPublish {
  repository: string;
  digest: string;
  /** The manifest as parsed from the body, signature fields included. */
  manifest: JsonObject;
  scope: Scope;
  /** The body as received, for the legacy signature's lossless reading of the manifest. */
  bodyText: string;
}

export interface VerifiedSignature {
  kind: SignatureKind;
  keyFingerprint: string;
}

const KINDS: Record<SignatureKind, Omit<VersionSignature, 'keyFingerprint'>> = {
  'ed25519-statement': {
    kind: 'ed25519-statement',
    algorithm: SIGNATURE_ALGORITHM,
    binds: [...PUBLISH_STATEMENT_BINDS],
  },
  'rsa-pss-manifest': {
    kind: 'rsa-pss-manifest',
    algorithm: LEGACY_SIGNATURE_ALGORITHM,
    binds: [...LEGACY_SIGNATURE_BINDS],
  },
};

/** How a version's signature reads in the API. */
export function versionSignature(
  kind: SignatureKind | null,
  keyFingerprint: string | null,
): VersionSignature | null {
  if (kind === null || keyFingerprint === null) return null;
  return { ...KINDS[kind], keyFingerprint };
}

function isLegacySigned(manifest: JsonObject): boolean {
  return manifest.signatureAlgorithm === LEGACY_SIGNATURE_ALGORITHM;
}

/**
 * The manifest as the catalog keeps it: without the reserved signature names, at every depth
 * when it carries a legacy signature (which covers exactly that), else at the top level (the
 * Ed25519 statement's manifest). Either way, what is stored is what the signature covers.
 */
export function storedManifest(manifest: JsonObject): JsonObject {
  return isLegacySigned(manifest) ? legacyUnsignedManifest(manifest) : unsignedManifest(manifest);
}

/**
 * The verified signature of a publish, or null for an unsigned one where the env allows that.
 * Any reserved signature field makes a publish signed: it must verify, in every env, or it is
 * SIGNATURE_INVALID; a valid signature by a key the caller may not use is UNTRUSTED_KEY.
 */
export function verifySignature(
  context: EnvContext,
  caller: Caller,
  publish: SignedPublish,
): VerifiedSignature | null {
  const { manifest } = publish;
  const present = RESERVED_SIGNATURE_FIELDS.filter((field) => Object.hasOwn(manifest, field));
  if (present.length === 0) {
    if (readPolicy(context).requireSignature) {
      throw new PlatformError(
        'SIGNATURE_REQUIRED',
        `Signature required: ${context.name} accepts only signed publishes; run \`hla-compass keys init\` and \`hla-compass keys register --env ${context.name}\`, then publish again`,
      );
    }
    return null;
  }
  return isLegacySigned(manifest)
    ? verifyLegacy(context, caller, publish)
    : verifyStatement(context, caller, publish, present);
}

function verifyStatement(
  context: EnvContext,
  caller: Caller,
  publish: SignedPublish,
  present: readonly string[],
): VerifiedSignature {
  if (!SIGNATURE_FIELDS.some((field) => present.includes(field))) {
    throw invalid({
      valid: false,
      reason: 'missing_fields',
      message: `the manifest carries ${present.join(', ')} but no signature; those names are reserved for signatures`,
    });
  }
  const statement = {
    environment: context.name,
    repository: publish.repository,
    digest: publish.digest,
    manifest: publish.manifest,
    scope: publish.scope,
  };
  let result: ReturnType<typeof verifyPublishStatement>;
  try {
    // v2 names the caller's org, so a body signed for one org verifies in no other. v1 (signed
    // by CLIs before v2) stays valid under the same trust rule: its key must be registered to
    // the caller, which since registration takes proof of possession means held by the caller,
    // so another org's developer cannot replay it either.
    result = verifyPublishStatement({ ...statement, org: caller.org.id });
    if (!result.valid && result.reason === 'bad_signature') {
      const v1 = verifyPublishStatement(statement);
      if (v1.valid) result = v1;
    }
  } catch (error) {
    if (!(error instanceof InvalidStatementError)) throw error;
    throw new PlatformError('SIGNATURE_INVALID', `Signature invalid: ${error.message}`);
  }
  if (!result.valid) throw invalid(result);
  return trusted(
    context,
    caller,
    { kind: 'ed25519-statement', keyFingerprint: result.keyFingerprint },
    'refuse',
  );
}

function verifyLegacy(
  context: EnvContext,
  caller: Caller,
  publish: SignedPublish,
): VerifiedSignature {
  const result = verifyLegacyManifestSignature(losslessManifest(publish.bodyText));
  if (!result.valid) throw invalid(result);
  const unregistered = readPolicy(context).legacySignatureKeys === 'any' ? 'accept' : 'refuse';
  return trusted(
    context,
    caller,
    { kind: 'rsa-pss-manifest', keyFingerprint: result.keyFingerprint },
    unregistered,
  );
}

// The same text the route parsed (so it is strict JSON with an object manifest), read again with
// every number as written: Python tells `1` from `1.0`, and so must the bytes that are verified.
function losslessManifest(bodyText: string): LosslessJsonObject {
  const manifest = asObject(asObject(parseJsonLossless(bodyText))?.manifest);
  if (manifest === undefined) {
    throw new Error('the publish body no longer has the manifest object it was parsed with');
  }
  return manifest;
}

function asObject(value: LosslessJsonValue | undefined): LosslessJsonObject | undefined {
  return typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof JsonNumber)
    ? value
    : undefined;
}

function trusted(
  context: EnvContext,
  caller: Caller,
  signature: VerifiedSignature,
  unregistered: 'accept' | 'refuse',
): VerifiedSignature {
  const untrusted = untrustedKeyReason(
    context,
    caller,
    { fingerprint: signature.keyFingerprint, algorithm: KINDS[signature.kind].algorithm },
    unregistered,
  );
  if (untrusted !== null) {
    throw new PlatformError('UNTRUSTED_KEY', untrusted, {
      details: { keyFingerprint: signature.keyFingerprint, signatureKind: signature.kind },
    });
  }
  return signature;
}

function invalid(failure: VerificationFailure): PlatformError {
  return new PlatformError('SIGNATURE_INVALID', `Signature invalid: ${failure.message}`, {
    details: { reason: failure.reason },
  });
}
