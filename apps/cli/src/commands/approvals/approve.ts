// `hla-compass approvals approve PUBLISH_ID`: a superuser makes a submitted public version
// public; other orgs see it in their catalog from then on.
import { defineCommand, option } from '../../command.js';
import { publishName } from '../../platform/approval.js';

export default defineCommand({
  description:
    'Approves a SUBMITTED public version in the selected environment (platform superusers, and not the one who submitted it): it becomes APPROVED, and every org sees it in `modules list`. ' +
    'A decision is final. --comment records a note with it. Needs an explicit --env.',
  arguments: [
    { name: 'publishId', description: 'the publish, as `approvals list` shows it', required: true },
  ],
  options: {
    comment: option.string('--comment <text>', 'a note recorded with the approval'),
  },
  examples: [
    {
      command: 'hla-compass approvals approve pub_8d0c2f71a3b94e5d6c7a --env prod',
      description: 'publish a reviewed module to every org',
    },
    {
      command:
        "hla-compass approvals approve pub_8d0c2f71a3b94e5d6c7a --env prod --comment 'image scanned, manifest reviewed'",
      description: 'with a note',
    },
  ],
  async run({ args, options }, context) {
    const platform = await context.platform({ requireEnvironment: true });
    const status = await platform.approvePublish(args.publishId, options.comment);
    context.output.result(status, (result) => [
      `${context.output.style.green('✓')} Approved ${publishName(result)} in ${result.environment}: ${result.state}, visible to every org`,
      `image        ${result.imageRef ?? '-'}`,
    ]);
    return undefined;
  },
});
