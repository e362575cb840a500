// An org's registry allowlist: which repositories its modules may come from, and with which
// pull credentials the platform checks them. Admins manage it; publish intake matches it.
import {
  PlatformError,
  type RegistryCredentials,
  type RegistryEntry,
  type RegistryProvider,
} from '@hla-compass/platform-api';
import {
  findAllowlistMatch,
  type ImageReference,
  InvalidAllowlistPatternError,
  parseAllowlistPattern,
} from '@hla-compass/registry-client';
import { type EnvContext, isoTime } from '../env-context.js';
import { newId } from '../store/ids.js';
import type { OrgRecord } from '../store/orgs.js';
import type { RegistryRecord } from '../store/registries.js';

const toRegistryEntry = (record: RegistryRecord): RegistryEntry => ({
  id: record.id,
  pattern: record.pattern,
  provider: record.provider,
  hasCredentials: record.credentials !== null,
  createdAt: record.createdAt,
});

/** The provider a pattern's registry host belongs to, for entries that do not name one. */
export function inferProvider(repository: string): RegistryProvider {
  const host = repository.split('/')[0] ?? '';
  if (host === 'ghcr.io') return 'ghcr';
  if (host === 'docker.io') return 'dockerhub';
  if (host === 'public.ecr.aws' || /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?::\d+)?$/.test(host)) {
    return 'ecr';
  }
  return 'generic';
}

/** Throws INVALID_REQUEST for a pattern that is not a normalized repository (optionally `/*`). */
export function validatePattern(pattern: string): { repository: string } {
  try {
    return parseAllowlistPattern(pattern);
  } catch (error) {
    if (!(error instanceof InvalidAllowlistPatternError)) throw error;
    throw new PlatformError('INVALID_REQUEST', error.message, { details: { pattern } });
  }
}

/**
 * The org whose allowlist is managed. Who may manage it is the routes' orgAdmin role, checked by
 * implement() and the console before this, so a refusal says nothing of which orgs exist.
 */
function administeredOrg(context: EnvContext, orgId: string): OrgRecord {
  const org = context.store.orgs.get(orgId);
  if (org === undefined) throw new PlatformError('NOT_FOUND', `No org ${orgId} in ${context.name}`);
  return org;
}

export function listRegistryEntries(context: EnvContext, orgId: string): RegistryEntry[] {
  const org = administeredOrg(context, orgId);
  return context.store.registries.listByOrg(org.id).map(toRegistryEntry);
}

export function addRegistryEntry(
  context: Pick<EnvContext, 'store' | 'now' | 'name'>,
  orgId: string,
  request: {
    pattern: string;
    provider?: RegistryProvider | undefined;
    credentials?: RegistryCredentials | undefined;
  },
): RegistryEntry {
  const { repository } = validatePattern(request.pattern);
  const { registries } = context.store;
  return context.store.transaction(() => {
    if (registries.listByOrg(orgId).some((entry) => entry.pattern === request.pattern)) {
      throw new PlatformError(
        'INVALID_REQUEST',
        `${request.pattern} is already in ${orgId}'s allowlist; delete it first to change it`,
      );
    }
    const record: RegistryRecord = {
      id: newId('reg'),
      orgId,
      pattern: request.pattern,
      provider: request.provider ?? inferProvider(repository),
      credentials: request.credentials ?? null,
      createdAt: isoTime(context),
    };
    registries.insert(record);
    return toRegistryEntry(record);
  });
}

export function createRegistryEntry(
  context: EnvContext,
  orgId: string,
  request: Parameters<typeof addRegistryEntry>[2],
): RegistryEntry {
  const org = administeredOrg(context, orgId);
  return addRegistryEntry(context, org.id, request);
}

export function deleteRegistryEntry(context: EnvContext, orgId: string, entryId: string): void {
  const org = administeredOrg(context, orgId);
  if (!context.store.registries.delete(org.id, entryId)) {
    throw new PlatformError('NOT_FOUND', `No allowlist entry ${entryId} in ${orgId}`);
  }
}

export function allowlistPatterns(context: EnvContext, orgId: string): string[] {
  return context.store.registries.listByOrg(orgId).map((entry) => entry.pattern);
}

/** The entry that lets `org` publish from `reference`'s repository, or REGISTRY_UNAUTHORIZED. */
export function matchAllowlist(
  context: EnvContext,
  org: OrgRecord,
  reference: ImageReference,
): RegistryRecord {
  const entries = context.store.registries.listByOrg(org.id);
  const match = findAllowlistMatch(entries, reference);
  if (match !== undefined) return match;
  const patterns = entries.map((entry) => entry.pattern);
  throw new PlatformError(
    'REGISTRY_UNAUTHORIZED',
    `Registry not in allowlist: ${reference.repository} is not covered by ${
      patterns.length === 0 ? '(no patterns)' : patterns.join(', ')
    } (org ${org.id} in ${context.name}); ask an org admin to add the namespace`,
    { details: { repository: reference.repository, allowlist: patterns } },
  );
}

/**
 * Re-decides, inside the transaction that writes a version, that the entry whose credentials
 * vouched for the image still covers it: the allowlist may have changed while the registry
 * answered, and only the allowlist as it stands at the write may accept a version.
 */
export function requireAllowlistEntry(
  context: EnvContext,
  org: OrgRecord,
  reference: ImageReference,
  checkedEntryId: string,
): void {
  const entry = matchAllowlist(context, org, reference);
  if (entry.id === checkedEntryId) return;
  throw new PlatformError(
    'REGISTRY_UNAUTHORIZED',
    `Registry not in allowlist: the entry ${reference.repository} was checked under was removed during the publish (org ${org.id} in ${context.name}); send the publish again`,
    {
      details: { repository: reference.repository, allowlist: allowlistPatterns(context, org.id) },
    },
  );
}
