// `hla-compass registries list`: an org's registry allowlist, the repositories its developers may
// publish images from, and whether the platform holds pull credentials for each.
import { defineCommand } from '../../command.js';
import { formatTable } from '../../terminal.js';
import { allowlistOrg, orgOption } from './org.js';

export default defineCommand({
  description:
    "Lists your org's registry allowlist in the selected environment (org admins; platform superusers may name any org with --org). " +
    'A publish is accepted only from a repository one of these patterns covers. CREDENTIALS says whether the platform holds pull credentials for the entry; they are never shown.',
  options: { org: orgOption },
  examples: [
    { command: 'hla-compass registries list --env dev', description: "your org's allowlist" },
    {
      command: "hla-compass registries list --env prod --json | jq -r '.registries[].pattern'",
      description: 'just the patterns',
    },
  ],
  async run({ options }, context) {
    const platform = await context.platform();
    const org = await allowlistOrg(platform, options.org);
    const { items } = await platform.listRegistries(org.id);
    context.output.result(
      { environment: platform.environment.name, org, registries: items },
      (result) =>
        result.registries.length === 0
          ? [
              `${result.org.name} has no registry allowlist entries in ${result.environment}: nobody can publish there yet.`,
              `Add one with \`hla-compass registries add ghcr.io/${result.org.id}/* --env ${result.environment}\`.`,
            ]
          : formatTable(
              ['PATTERN', 'PROVIDER', 'CREDENTIALS', 'ADDED', 'ID'],
              result.registries.map((entry) => [
                entry.pattern,
                entry.provider,
                entry.hasCredentials ? 'stored' : 'none',
                entry.createdAt,
                entry.id,
              ]),
              context.output.style,
            ),
    );
    return undefined;
  },
});
