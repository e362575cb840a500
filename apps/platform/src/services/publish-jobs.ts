// The publish jobs a caller may follow, newest first: the history the console shows. Built from
// the catalog's visible versions and the publish-visibility rule, so no rule is written twice.
import type { PublishStatus } from '@hla-compass/platform-api';
import type { EnvContext } from '../env-context.js';
import type { Caller } from './authentication.js';
import { toPublishStatus } from './catalog.js';
import { canSeePublish, versionVisibility } from './visibility.js';

const PAGE = 500;

/**
 * Every publish `caller` may see the status of (SPEC §7: their own, their org's as an admin,
 * all as a superuser). Each such version belongs to a module the caller may list, since a
 * submitter's module is their org's, so walking the visible catalog finds them all.
 */
export function listPublishJobs(context: EnvContext, caller: Caller): PublishStatus[] {
  const { catalog } = context.store;
  const visibility = versionVisibility(caller);
  const jobs: PublishStatus[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { items, total } = catalog.listModules(visibility, { limit: PAGE, offset });
    for (const module of items) {
      for (const version of catalog.listVisibleVersions(module.id, visibility)) {
        if (canSeePublish(caller, version)) jobs.push(toPublishStatus(context, version));
      }
    }
    if (offset + PAGE >= total) break;
  }
  return jobs.sort((a, b) => b.startTime.localeCompare(a.startTime));
}
