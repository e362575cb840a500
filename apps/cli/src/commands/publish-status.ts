// `hla-compass publish-status ID`: the state of one publish, and with --watch the wait for a
// superuser's decision on a public one.
import type { PublishStatus } from '@hla-compass/platform-api';
import { defineCommand, option } from '../command.js';
import { isDecided, rejection, waitForDecision } from '../platform/approval.js';
import type { Style } from '../terminal.js';

export default defineCommand({
  description:
    'Shows the state of a publish: APPROVED (live), SUBMITTED (waiting for a platform superuser) or REJECTED (with the reason). ' +
    '--watch polls until it is APPROVED or REJECTED. Exits 1 when the publish was rejected or the wait timed out.',
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
              context.logger.info(`${current.moduleName}@${current.version}: ${current.state}`);
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

export function describeStatus(status: PublishStatus, style: Style): string[] {
  const state =
    status.state === 'APPROVED'
      ? style.green(status.state)
      : status.state === 'REJECTED'
        ? style.red(status.state)
        : style.yellow(status.state);
  return [
    `publish      ${status.publishId}`,
    `module       ${status.moduleName}@${status.version} (${status.environment}, scope ${status.scope})`,
    `state        ${state}${isDecided(status) ? '' : ' (a platform superuser must approve before it is public)'}`,
    `image        ${status.imageRef}`,
    `submitted    ${status.startTime}`,
    ...(status.endTime ? [`decided      ${status.endTime}`] : []),
    ...(status.failureReason ? [`reason       ${status.failureReason}`] : []),
  ];
}
