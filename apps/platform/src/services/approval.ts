// The public-scope review (SPEC §7): a superuser who did not submit the version approves or
// rejects it, once; a rejection says why.
import { PlatformError, type PublishStatus } from '@hla-compass/platform-api';
import { type EnvContext, isoTime } from '../env-context.js';
import type { Caller } from './authentication.js';
import { getPublishStatus, promoteIfCurrent, toPublishStatus } from './catalog.js';

/** A rejection needs a reason; an approval may carry the reviewer's comment. */
export type Decision =
  | { state: 'APPROVED'; reason: string | null }
  | { state: 'REJECTED'; reason: string };

export function decidePublish(
  context: EnvContext,
  caller: Caller,
  publishId: string,
  decision: Decision,
): PublishStatus {
  const verb = decision.state === 'APPROVED' ? 'approve' : 'reject';
  if (!caller.user.superuser) {
    throw new PlatformError(
      'FORBIDDEN',
      `Forbidden: only a platform superuser can ${verb} public modules; org admins cannot`,
    );
  }
  const { catalog } = context.store;
  return context.store.transaction(() => {
    const status = getPublishStatus(context, caller, publishId);
    const version = catalog.getVersionByPublishId(publishId);
    if (version === undefined) throw new PlatformError('NOT_FOUND', `No publish ${publishId}`);
    if (version.submittedBy === caller.user.id) {
      throw new PlatformError(
        'FORBIDDEN',
        `Forbidden: you submitted ${version.moduleName}@${version.version}; another superuser must ${verb} it`,
      );
    }
    if (status.state !== 'SUBMITTED') {
      throw new PlatformError(
        'INVALID_REQUEST',
        `${version.moduleName}@${version.version} is ${status.state}, not SUBMITTED: a decision is final`,
        { details: { state: status.state } },
      );
    }
    const at = isoTime(context);
    catalog.decide(publishId, { ...decision, at, by: caller.user.id });
    const decided = catalog.getVersionByPublishId(publishId) ?? version;
    promoteIfCurrent(context, decided, at);
    return toPublishStatus(context, decided);
  });
}
