// The catalog as the API presents it: module and version listings filtered by visibility,
// publish job status, and the bookkeeping of each module's current versions.
import { compareSemVer } from '@hla-compass/manifest';
import {
  type ModuleDetail,
  type ModuleList,
  type ModuleSummary,
  type ModuleVersion,
  PlatformError,
  type PublishAccepted,
  type PublishState,
  type PublishStatus,
  type PublishStatusValue,
} from '@hla-compass/platform-api';
import type { EnvContext } from '../env-context.js';
import type { ModuleListing, VersionRecord } from '../store/catalog.js';
import type { Caller } from './authentication.js';
import { versionSignature } from './signatures.js';
import { canSeePublish, versionVisibility } from './visibility.js';

export const pinnedImageRef = (version: Pick<VersionRecord, 'repository' | 'digest'>): string =>
  `${version.repository}@${version.digest}`;

export function toModuleVersion(version: VersionRecord): ModuleVersion {
  return {
    id: version.id,
    moduleId: version.moduleId,
    moduleName: version.moduleName,
    version: version.version,
    repository: version.repository,
    digest: version.digest,
    imageRef: pinnedImageRef(version),
    scope: version.scope,
    state: version.state,
    publishId: version.publishId,
    keyFingerprint: version.keyFingerprint,
    signature: versionSignature(version.signatureKind, version.keyFingerprint),
    publishedAt: version.createdAt,
  };
}

const STATUS_OF_STATE: Record<PublishState, PublishStatusValue> = {
  SUBMITTED: 'pending',
  APPROVED: 'completed',
  REJECTED: 'failed',
};

export function toPublishAccepted(context: EnvContext, version: VersionRecord): PublishAccepted {
  return {
    publishId: version.publishId,
    moduleId: version.moduleId,
    versionId: version.id,
    moduleName: version.moduleName,
    version: version.version,
    environment: context.name,
    scope: version.scope,
    state: version.state,
    status: STATUS_OF_STATE[version.state],
    image: { repository: version.repository, digest: version.digest },
    imageRef: pinnedImageRef(version),
  };
}

export function toPublishStatus(context: EnvContext, version: VersionRecord): PublishStatus {
  return {
    ...toPublishAccepted(context, version),
    currentPhase: version.state === 'SUBMITTED' ? 'approval' : 'done',
    failureReason: version.state === 'REJECTED' ? version.decisionReason : null,
    startTime: version.createdAt,
    endTime: version.state === 'SUBMITTED' ? null : (version.decidedAt ?? version.createdAt),
  };
}

function toModuleSummary(module: ModuleListing): ModuleSummary {
  const { current } = module;
  return {
    id: module.id,
    moduleName: module.name,
    orgId: module.orgId,
    orgName: module.orgName,
    currentVersion: current?.version ?? null,
    imageRef: current === null ? null : pinnedImageRef(current),
    createdAt: module.createdAt,
    updatedAt: module.updatedAt,
  };
}

export function listModules(
  context: EnvContext,
  caller: Caller,
  page: { limit: number; offset: number },
): ModuleList {
  const { items, total } = context.store.catalog.listModules(versionVisibility(caller), page);
  return {
    items: items.map(toModuleSummary),
    total,
    ...page,
  };
}

function visibleModule(context: EnvContext, caller: Caller, moduleId: string): ModuleListing {
  const module = context.store.catalog.getVisibleModule(moduleId, versionVisibility(caller));
  if (module === undefined) {
    throw new PlatformError('NOT_FOUND', `No module ${moduleId} in ${context.name}`);
  }
  return module;
}

export function listVersions(
  context: EnvContext,
  caller: Caller,
  moduleId: string,
): ModuleVersion[] {
  visibleModule(context, caller, moduleId);
  return context.store.catalog
    .listVisibleVersions(moduleId, versionVisibility(caller))
    .map(toModuleVersion);
}

export function getModule(context: EnvContext, caller: Caller, moduleId: string): ModuleDetail {
  const module = visibleModule(context, caller, moduleId);
  return {
    ...toModuleSummary(module),
    versions: listVersions(context, caller, moduleId),
  };
}

export function getPublishStatus(
  context: EnvContext,
  caller: Caller,
  publishId: string,
): PublishStatus {
  const version = context.store.catalog.getVersionByPublishId(publishId);
  // Someone who may not see a publish learns nothing about it, not even that it exists.
  if (version === undefined || !canSeePublish(caller, version)) {
    throw new PlatformError('NOT_FOUND', `No publish ${publishId} in ${context.name}`);
  }
  return toPublishStatus(context, version);
}

/**
 * Records `version` as its module's current version (and current public version) when it is
 * approved and outranks the present one. Call in the transaction that approved it.
 */
export function promoteIfCurrent(context: EnvContext, version: VersionRecord, at: string): void {
  const { catalog } = context.store;
  const module = catalog.getModule(version.moduleId);
  if (module === undefined) return;
  const outranks = (currentId: string | null): boolean => {
    const current = currentId === null ? undefined : catalog.getVersion(currentId);
    return current === undefined || compareSemVer(version.version, current.version) > 0;
  };
  const approved = version.state === 'APPROVED';
  catalog.updateModule(module.id, {
    updatedAt: at,
    currentVersionId:
      approved && outranks(module.currentVersionId) ? version.id : module.currentVersionId,
    currentPublicVersionId:
      approved && version.scope === 'public' && outranks(module.currentPublicVersionId)
        ? version.id
        : module.currentPublicVersionId,
  });
}
