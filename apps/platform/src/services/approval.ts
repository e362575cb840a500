// The public-scope review (SPEC §7): the queue of what waits, and a superuser who did not
// submit the version approves or rejects it, once; a rejection says why.
import {
  PlatformError,
  type PublishState,
  type PublishStatus,
  type ReviewPublish,
  type ReviewPublishList,
} from '@hla-compass/platform-api';
import { type EnvContext, isoTime } from '../env-context.js';
import type { ReviewVersionRecord } from '../store/catalog.js';
import type { Caller } from './authentication.js';
import { getPublishStatus, promoteIfCurrent, toPublishStatus } from './catalog.js';
import { versionSignature } from './signatures.js';

/** A rejection needs a reason; an approval may carry the reviewer's comment. */
export type Decision =
  | { state: 'APPROVED'; reason: string | null }
  | { state: 'REJECTED'; reason: string };

function toReviewPublish(context: EnvContext, version: ReviewVersionRecord): ReviewPublish {
  return {
    ...toPublishStatus(context, version),
    orgId: version.orgId,
    orgName: version.orgName,
    submittedBy: {
      id: version.submittedBy,
      email: version.submitterEmail,
      name: version.submitterName,
    },
    keyFingerprint: version.keyFingerprint,
    signature: versionSignature(version.signatureKind, version.keyFingerprint),
  };
}

/** Every org's publishes in `state`, oldest first: what a superuser reviews. */
export function listPublishes(
  context: EnvContext,
  query: { state: PublishState; limit: number; offset: number },
): ReviewPublishList {
  const { state, ...page } = query;
  const { items, total } = context.store.catalog.listVersionsInState(state, page);
  return { items: items.map((version) => toReviewPublish(context, version)), total, ...page };
}

/** The approval queue: public versions waiting for a superuser's decision, oldest first. */
export function listPendingPublishes(
  context: EnvContext,
  page: { limit: number; offset: number } = { limit: 100, offset: 0 },
): ReviewPublishList {
  return listPublishes(context, { state: 'SUBMITTED', ...page });
}

/**
 * A superuser's decision on a submitted version (the role is the route's, checked by
 * implement() and the console before this); that the submitter may not decide their own
 * version is this function's own rule.
 */
export function decidePublish(
  context: EnvContext,
  caller: Caller,
  publishId: string,
  decision: Decision,
): PublishStatus {
  const verb = decision.state === 'APPROVED' ? 'approve' : 'reject';
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
