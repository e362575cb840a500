// A version's manifest as the catalog keeps it (without its signature fields), for readers who
// may see that version.
import { type ModuleVersion, PlatformError } from '@hla-compass/platform-api';
import type { JsonObject } from '@hla-compass/signing';
import type { EnvContext } from '../env-context.js';
import type { Caller } from './authentication.js';
import { toModuleVersion } from './catalog.js';
import { versionVisibility } from './visibility.js';

export function getVersionManifest(
  context: EnvContext,
  caller: Caller,
  moduleId: string,
  versionId: string,
): { version: ModuleVersion; manifest: JsonObject } {
  // Versions the caller may not see are not listed, so neither they nor their module are found.
  const record = context.store.catalog
    .listVisibleVersions(moduleId, versionVisibility(caller))
    .find((version) => version.id === versionId);
  if (record === undefined) {
    throw new PlatformError(
      'NOT_FOUND',
      `No version ${versionId} of ${moduleId} in ${context.name}`,
    );
  }
  return { version: toModuleVersion(record), manifest: JSON.parse(record.manifest) as JsonObject };
}
