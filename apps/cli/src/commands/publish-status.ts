// `hla-compass publish-status ID`: the state of one publish, and with --watch the wait for a
// superuser's decision on a public one.
import { defineCommand, option } from '../command.js';
import { isDecided, publishName, rejection, waitForDecision } from '../platform/approval.js';
import type { PublishProgress } from '../platform/hosted-answers.js';
import type { Style } from '../terminal.js';

export default defineCommand({
  description:
    'Shows the state of a publish: APPROVED (live), SUBMITTED (waiting for a platform superuser) or REJECTED (with the reason). ' +
    '--watch polls until it is APPROVED or REJECTED. Exits 1 when the publish was rejected, and 4 (WAIT_TIMEOUT, "still SUBMITTED after N s") when --watch gave up before a decision: the publish is still pending, so watching again later can still see it approved.',
  arguments: [{ name: 'publishId', description: 'the id `publish` printed', required: true }],
  options: {
    watch: option.flag('--watch', 'wait until the publish is approved or rejected'),
    timeout: option.integer('--timeout <seconds>', 'how long --watch waits', {
      min: 1,
      defaultValue: 900,
    }),
    interval: option.integer('--interval <seconds>', 'seconds between polls with --watch', {
      min: 1,
      max: 3600,
      defaultValue: 5,
    }),
  },
  examples: [
    {
      command: 'hla-compass publish-status pub_123 --env dev',
      description: 'where is my publish?',
    },
    {
      command: 'hla-compass publish-status pub_123 --env prod --watch --timeout 3600',
      description: 'wait for the approval of a public module',
    },
  ],
  async run({ args, options }, context) {
    const platform = await context.platform();
    let lastState: string | undefined;
    const status = options.watch
      ? await waitForDecision(platform, args.publishId, {
          timeoutMs: options.timeout * 1000,
          intervalMs: options.interval * 1000,
          onStatus: (current) => {
            if (current.state !== lastState) {
              context.logger.info(`${publishName(current)}: ${current.state}`);
              lastState = current.state;
            }
          },
        })
      : await platform.publishStatus(args.publishId);
    context.output.result(status, (result) => describeStatus(result, context.output.style));
    if (status.state === 'REJECTED') throw rejection(status);
    return undefined;
  },
});

/** Every field but the id, environment and state may be missing from the hosted platform's answer. */
export function describeStatus(status: PublishProgress, style: Style): string[] {
  const state =
    status.state === 'APPROVED'
      ? style.green(status.state)
      : status.state === 'REJECTED'
        ? style.red(status.state)
        : style.yellow(status.state);
  const module =
    status.moduleName === undefined
      ? 'unknown'
      : `${status.moduleName}@${status.version ?? 'unknown'}`;
  const progress = [
    status.status,
    status.buildStatus === undefined ? undefined : `build ${status.buildStatus}`,
    status.currentPhase === undefined ? undefined : `phase ${status.currentPhase}`,
  ].filter((part) => part !== undefined);
  return [
    `publish      ${status.publishId}`,
    `module       ${module} (${status.environment}, scope ${status.scope ?? 'unknown'})`,
    `state        ${state}${isDecided(status) ? '' : status.scope === 'public' ? ' (a platform superuser must approve before it is public)' : ' (not decided yet)'}`,
    ...(progress.length > 0 ? [`progress     ${progress.join(', ')}`] : []),
    `image        ${status.imageRef ?? '-'}`,
    `submitted    ${status.startTime ?? '-'}`,
    ...(status.endTime ? [`decided      ${status.endTime}`] : []),
    ...(status.failureReason ? [`reason       ${status.failureReason}`] : []),
    ...(status.message ? [`message      ${status.message}`] : []),
    ...(status.logsUrl ? [`logs         ${status.logsUrl}`] : []),
  ];
}
