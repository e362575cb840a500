// Waiting for a publish's decision (`publish --wait`, `publish-status --watch`): poll until the
// state is terminal (APPROVED or REJECTED) or the deadline passes; only terminal states end it.
// A wait that runs out is not a rejection: the publish is still pending and may yet be approved,
// so it is exit 4 (the decision is not available yet, WAIT_TIMEOUT), where REJECTED is exit 1.
import { RejectedError, ServiceUnavailableError } from '../errors.js';
import type { PlatformClient } from './client.js';
import type { PublishProgress } from './hosted-answers.js';

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** Called with every status read, so the caller can report changes. */
  readonly onStatus?: (status: PublishProgress) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export function isDecided(status: Pick<PublishProgress, 'state'>): boolean {
  return status.state === 'APPROVED' || status.state === 'REJECTED';
}

export async function waitForDecision(
  platform: PlatformClient,
  publishId: string,
  options: WaitOptions,
): Promise<PublishProgress> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((done) => setTimeout(done, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  for (;;) {
    const status = await platform.publishStatus(publishId);
    options.onStatus?.(status);
    if (isDecided(status)) return status;
    const remaining = deadline - now();
    if (remaining <= 0) {
      throw new ServiceUnavailableError(
        `publish ${publishId} is still ${status.state} after ${Math.round(options.timeoutMs / 1000)} s: no decision yet`,
        {
          code: 'WAIT_TIMEOUT',
          hint: `a platform superuser must approve it; check later with \`hla-compass publish-status ${publishId} --env ${status.environment}\``,
        },
      );
    }
    await sleep(Math.min(options.intervalMs, remaining));
  }
}

/** What a publish is called in messages: its module and version, or its id when not told them. */
export function publishName(status: PublishProgress): string {
  return status.moduleName === undefined || status.version === undefined
    ? `publish ${status.publishId}`
    : `${status.moduleName}@${status.version}`;
}

/** The failure a REJECTED publish is, with the superuser's reason (or the platform's message). */
export function rejection(status: PublishProgress): RejectedError {
  return new RejectedError(
    `${publishName(status)} was rejected in ${status.environment}: ${status.failureReason ?? status.message ?? 'no reason given'}`,
    {
      code: 'PUBLISH_REJECTED',
      hint: 'address the reason, bump `version` in manifest.json and publish again',
    },
  );
}
