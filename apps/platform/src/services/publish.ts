// Publish intake (SPEC §6, §7): the checks in their order, each failing with its own code and
// writing nothing, then one transaction that records the version, where the database's
// UNIQUE key decides which of several concurrent publishes of one version wins. A version that
// exists is immutable; sending the very publish that made it again is answered with it.
import { validateManifest } from '@hla-compass/manifest';
import { PlatformError, type PublishAccepted, type Scope } from '@hla-compass/platform-api';
import {
  type ImageReference,
  InvalidReferenceError,
  isLoopbackRegistry,
  parseImageReference,
} from '@hla-compass/registry-client';
import { canonicalize, type JsonObject } from '@hla-compass/signing';
import { type EnvContext, isoTime } from '../env-context.js';
import type { VersionRecord } from '../store/catalog.js';
import { isUniqueViolation } from '../store/database.js';
import { newId } from '../store/ids.js';
import { matchAllowlist, requireAllowlistEntry } from './allowlist.js';
import type { Caller } from './authentication.js';
import { promoteIfCurrent, toPublishAccepted } from './catalog.js';
import { readPolicy } from './policy.js';
import { storedManifest, verifySignature } from './signatures.js';

export interface PublishSubmission {
  imageRef: string;
  /** The manifest exactly as parsed from the body (signature fields included). */
  manifest: JsonObject;
  scope: Scope;
  /** The body as received: a legacy signature is verified over its manifest, read losslessly. */
  bodyText: string;
}

export interface Idempotency {
  key: string;
  /** sha256 of the request body as received. */
  requestHash: string;
}

export interface PublishResponse {
  /** 202: recorded now; 200: the caller's same publish, recorded before. */
  status: 202 | 200;
  body: PublishAccepted;
}

/**
 * The first response to this user's Idempotency-Key when the body is the same, undefined when
 * the key is new; IDEMPOTENCY_KEY_REUSED when the key came with another body.
 */
export function replayPublish(
  context: EnvContext,
  caller: Caller,
  idempotency: Idempotency,
): { status: number; body: string } | undefined {
  const record = context.store.idempotency.get(caller.user.id, idempotency.key);
  if (record === undefined) return undefined;
  if (record.requestHash !== idempotency.requestHash) {
    throw new PlatformError(
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key ${idempotency.key} was already used with another request body; use a new key for a new publish`,
    );
  }
  return { status: record.status, body: record.body };
}

/** Validates the manifest as it will be stored (without signature fields). */
function validated(manifest: JsonObject): { name: string; version: string } {
  const result = validateManifest(manifest, { strict: false });
  if (!result.valid || result.manifest === undefined) {
    const errors = result.issues.filter((issue) => issue.severity === 'error');
    throw new PlatformError(
      'INVALID_MANIFEST',
      `Invalid manifest: ${errors.length} issue(s): ${errors
        .slice(0, 3)
        .map((issue) => `${issue.path || '/'} ${issue.message}`)
        .join('; ')}`,
      { details: { issues: result.issues } },
    );
  }
  return { name: result.manifest.name, version: result.manifest.version };
}

function parsedReference(imageRef: string): ImageReference {
  try {
    return parseImageReference(imageRef);
  } catch (error) {
    if (!(error instanceof InvalidReferenceError)) throw error;
    throw new PlatformError('INVALID_IMAGE_REF', `Invalid image reference: ${error.message}`, {
      details: { imageRef, rule: error.rule },
    });
  }
}

async function resolveDigest(
  context: EnvContext,
  reference: ImageReference,
  credentials: Parameters<EnvContext['images']['resolve']>[1],
): Promise<string> {
  const shown = reference.toString();
  const result = await context.images.resolve(reference, credentials);
  switch (result.status) {
    case 'found':
      if (reference.digest !== undefined && reference.digest !== result.digest) {
        throw new PlatformError(
          'IMAGE_NOT_FOUND',
          `Image not found: the registry answered ${result.digest} for ${shown}`,
          { details: { imageRef: shown } },
        );
      }
      return result.digest;
    case 'not_found':
      throw new PlatformError(
        'IMAGE_NOT_FOUND',
        `Image not found: ${shown} has no manifest at ${reference.registry}; push it first (check with \`docker manifest inspect ${shown}${isLoopbackRegistry(reference.registry) ? ' --insecure' : ''}\`)`,
        { details: { imageRef: shown, registryMessage: result.message } },
      );
    case 'unauthorized':
    case 'forbidden':
      throw new PlatformError(
        'IMAGE_FORBIDDEN',
        `Forbidden: ${reference.registry} refused the platform's pull credentials for ${reference.repository}; ask an org admin to update the allowlist entry's credentials`,
        { details: { imageRef: shown, registryMessage: result.message } },
      );
    case 'unavailable':
      throw new PlatformError(
        'REGISTRY_UNAVAILABLE',
        `Registry unavailable: ${reference.registry} could not be reached or failed (${result.message}); try again later`,
        { details: { imageRef: shown } },
      );
  }
}

export async function publish(
  context: EnvContext,
  caller: Caller,
  submission: PublishSubmission,
  idempotency: Idempotency | undefined,
): Promise<PublishResponse> {
  const manifest = storedManifest(submission.manifest);
  const { name, version } = validated(manifest);
  const reference = parsedReference(submission.imageRef);
  const entry = matchAllowlist(context, caller.org, reference);
  const digest = await resolveDigest(context, reference, entry.credentials);
  const signature = verifySignature(context, caller, {
    repository: reference.repository,
    digest,
    manifest: submission.manifest,
    scope: submission.scope,
    bodyText: submission.bodyText,
  });
  const policy = readPolicy(context);
  const state =
    submission.scope === 'public' && policy.publicScopeRequiresApproval ? 'SUBMITTED' : 'APPROVED';
  return record(context, caller, idempotency, {
    name,
    version,
    repository: reference.repository,
    digest,
    keyFingerprint: signature?.keyFingerprint ?? null,
    signatureKind: signature?.kind ?? null,
    manifest,
    scope: submission.scope,
    state,
    reference,
    allowlistEntryId: entry.id,
  });
}

type AcceptedPublish = Pick<
  VersionRecord,
  'version' | 'repository' | 'digest' | 'keyFingerprint' | 'signatureKind' | 'scope' | 'state'
> & {
  name: string;
  /** Without signature fields: what the signature covers. */
  manifest: JsonObject;
  reference: ImageReference;
  /** The allowlist entry whose credentials the image was resolved with. */
  allowlistEntryId: string;
};

/**
 * Whether `existing` is what this caller is publishing again: the same submitter, image
 * digest, manifest (as JSON, RFC 8785), scope and signing key. Then a rerun of a publish whose
 * answer was lost (with another Idempotency-Key, or none: the SDK, an older CLI, a record
 * gone) gets the publish it made instead of VERSION_EXISTS; anything else stays VERSION_EXISTS,
 * so a version still never changes and nobody is answered with another user's publish.
 */
function isSamePublish(
  existing: VersionRecord,
  caller: Caller,
  accepted: AcceptedPublish,
): boolean {
  return (
    existing.submittedBy === caller.user.id &&
    existing.repository === accepted.repository &&
    existing.digest === accepted.digest &&
    existing.scope === accepted.scope &&
    existing.keyFingerprint === accepted.keyFingerprint &&
    existing.signatureKind === accepted.signatureKind &&
    canonicalize(JSON.parse(existing.manifest)) === canonicalize(accepted.manifest)
  );
}

function record(
  context: EnvContext,
  caller: Caller,
  idempotency: Idempotency | undefined,
  accepted: AcceptedPublish,
): PublishResponse {
  const { store } = context;
  return store.transaction(() => {
    // A concurrent request with the same key may have committed since the first look.
    const replay =
      idempotency === undefined ? undefined : replayPublish(context, caller, idempotency);
    if (replay !== undefined) {
      return {
        status: replay.status as PublishResponse['status'],
        body: JSON.parse(replay.body) as PublishAccepted,
      };
    }
    requireAllowlistEntry(context, caller.org, accepted.reference, accepted.allowlistEntryId);
    const at = isoTime(context);
    let module = store.catalog.findModule(caller.org.id, accepted.name);
    if (module === undefined) {
      store.catalog.insertModule({
        id: newId('mod'),
        orgId: caller.org.id,
        name: accepted.name,
        createdAt: at,
      });
      module = store.catalog.findModule(caller.org.id, accepted.name);
    }
    if (module === undefined) throw new Error('module row vanished inside its transaction');
    const version: VersionRecord = {
      id: newId('ver'),
      publishId: newId('pub'),
      moduleId: module.id,
      orgId: caller.org.id,
      moduleName: accepted.name,
      version: accepted.version,
      repository: accepted.repository,
      digest: accepted.digest,
      scope: accepted.scope,
      state: accepted.state,
      manifest: JSON.stringify(accepted.manifest),
      keyFingerprint: accepted.keyFingerprint,
      signatureKind: accepted.signatureKind,
      submittedBy: caller.user.id,
      createdAt: at,
      decidedAt: accepted.state === 'APPROVED' ? at : null,
      decidedBy: null,
      decisionReason: null,
    };
    try {
      store.catalog.insertVersion(version);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = store.catalog.findVersion(caller.org.id, accepted.name, accepted.version);
      if (existing !== undefined && isSamePublish(existing, caller, accepted)) {
        // As it stands now (approved, rejected or still waiting), not as it was first answered.
        return remember(context, caller, idempotency, 200, toPublishAccepted(context, existing));
      }
      throw new PlatformError(
        'VERSION_EXISTS',
        `${accepted.name}@${accepted.version} already exists in ${context.name}: published versions are immutable; bump \`version\` in manifest.json`,
        { details: { moduleName: accepted.name, version: accepted.version } },
      );
    }
    promoteIfCurrent(context, version, at);
    return remember(context, caller, idempotency, 202, toPublishAccepted(context, version));
  });
}

/** Records the answer for the request's Idempotency-Key, if it has one, and returns it. */
function remember(
  context: EnvContext,
  caller: Caller,
  idempotency: Idempotency | undefined,
  status: PublishResponse['status'],
  body: PublishAccepted,
): PublishResponse {
  if (idempotency !== undefined) {
    context.store.idempotency.insert(
      caller.user.id,
      idempotency.key,
      { requestHash: idempotency.requestHash, status, body: JSON.stringify(body) },
      isoTime(context),
    );
  }
  return { status, body };
}
