// Who sees what (SPEC §7): an org sees all of its own versions in every state, other orgs see
// only approved public versions, superusers (who review submissions) see everything.
import type { VersionRecord, VersionVisibility } from '../store/catalog.js';
import { type Caller, hasRole } from './authentication.js';

export function versionVisibility(caller: Caller): VersionVisibility {
  return caller.user.superuser ? { all: true } : { all: false, orgId: caller.org.id };
}

/** A publish job is visible to its submitter, the admins of its org and superusers. */
export function canSeePublish(caller: Caller, version: VersionRecord): boolean {
  return (
    caller.user.superuser ||
    version.submittedBy === caller.user.id ||
    (version.orgId === caller.org.id && hasRole(caller, 'admin'))
  );
}
