// `hla-compass registries remove ID|PATTERN`: takes an entry off an org's allowlist, with its
// pull credentials. Publishes already registered stay; new ones from there are refused.
import { defineCommand } from '../../command.js';
import { RejectedError } from '../../errors.js';
import { allowlistOrg, orgOption } from './org.js';

export default defineCommand({
  description:
    "Removes an entry from your org's registry allowlist in the selected environment (org admins), by its id or its exact pattern, and the pull credentials stored with it. " +
    'Versions already published from there stay; new publishes from there are refused with REGISTRY_UNAUTHORIZED. Needs an explicit --env.',
  arguments: [
    {
      name: 'entry',
      description: 'the entry id (reg_…) or its pattern, as `registries list` shows them',
      required: true,
    },
  ],
  options: { org: orgOption },
  examples: [
    {
      command: "hla-compass registries remove 'ghcr.io/your-org/*' --env dev",
      description: 'by pattern',
    },
    {
      command: 'hla-compass registries remove reg_4f1c2a9b0d3e5f6a7b8c --env prod --json',
      description: 'by id, for scripts',
    },
  ],
  async run({ args, options }, context) {
    const platform = await context.platform({ requireEnvironment: true });
    const environment = platform.environment.name;
    const org = await allowlistOrg(platform, options.org);
    // Listed first: a pattern names the entry too, and the result says what was removed.
    const { items } = await platform.listRegistries(org.id);
    const entry =
      items.find((item) => item.id === args.entry) ??
      items.find((item) => item.pattern === args.entry);
    if (entry === undefined) {
      throw new RejectedError(
        `${args.entry} is neither the id nor the pattern of an entry of ${org.name}'s registry allowlist in ${environment}`,
        {
          code: 'NOT_FOUND',
          hint: `\`hla-compass registries list --env ${environment}\` shows the ids and patterns`,
        },
      );
    }
    await platform.deleteRegistry(org.id, entry.id);
    context.output.result({ environment, org, removed: entry }, (result) => [
      `${context.output.style.green('✓')} Removed ${result.removed.pattern} from ${result.org.name}'s registry allowlist in ${result.environment}${result.removed.hasCredentials ? ', with its pull credentials' : ''}`,
    ]);
    return undefined;
  },
});
