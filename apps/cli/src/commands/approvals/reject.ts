// `hla-compass approvals reject PUBLISH_ID --reason R`: a superuser turns a submitted public
// version down; its submitter reads the reason in `publish-status`.
import { defineCommand, option } from '../../command.js';
import { UsageError } from '../../errors.js';
import { publishName } from '../../platform/approval.js';

export default defineCommand({
  description:
    'Rejects a SUBMITTED public version in the selected environment (platform superusers, and not the one who submitted it), with a reason its submitter sees in `publish-status`. ' +
    'A decision is final: the version stays REJECTED, and a fixed module is published under a new version. Needs an explicit --env.',
  arguments: [
    { name: 'publishId', description: 'the publish, as `approvals list` shows it', required: true },
  ],
  options: {
    reason: option.string('--reason <text>', 'why, for the submitter (required)'),
  },
  examples: [
    {
      command:
        "hla-compass approvals reject pub_8d0c2f71a3b94e5d6c7a --env prod --reason 'unpinned requirements in backend/requirements.txt'",
      description: 'turn a submission down, saying why',
    },
  ],
  async run({ args, options }, context) {
    if (options.reason === undefined) {
      throw new UsageError('approvals reject needs --reason: the submitter is told why', {
        hint: `hla-compass approvals reject ${args.publishId} --env E --reason 'what to fix'`,
      });
    }
    const platform = await context.platform({ requireEnvironment: true });
    const status = await platform.rejectPublish(args.publishId, options.reason);
    context.output.result(status, (result) => [
      `${context.output.style.green('✓')} Rejected ${publishName(result)} in ${result.environment}: ${result.failureReason ?? options.reason}`,
    ]);
    return undefined;
  },
});
