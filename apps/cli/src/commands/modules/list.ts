// `hla-compass modules list`: the modules you may see in an environment: your org's, and other
// orgs' approved public ones.
import { defineCommand, option } from '../../command.js';
import { formatTable } from '../../terminal.js';

export default defineCommand({
  description:
    "Lists the modules you may see in the selected environment: every module of your org, and other orgs' modules with an approved public version. " +
    'IMAGE is the digest-pinned reference of the current version.',
  options: {
    limit: option.integer('--limit <n>', 'at most this many modules', {
      min: 1,
      max: 500,
      defaultValue: 100,
    }),
  },
  examples: [
    { command: 'hla-compass modules list --env dev', description: 'the catalog of dev' },
    { command: 'hla-compass modules list --env prod --json', description: 'for scripts' },
  ],
  async run({ options }, context) {
    const platform = await context.platform();
    const page = await platform.listModules({ limit: options.limit });
    context.output.result(
      { environment: platform.environment.name, total: page.total, modules: page.items },
      (result) =>
        result.modules.length === 0
          ? [`No modules visible in ${result.environment} yet.`]
          : [
              ...formatTable(
                ['NAME', 'VERSION', 'ORG', 'IMAGE'],
                result.modules.map((module) => [
                  module.moduleName,
                  module.currentVersion ?? '(none approved)',
                  module.orgName,
                  module.imageRef ?? '',
                ]),
                context.output.style,
              ),
              ...(result.total > result.modules.length
                ? [`(${result.modules.length} of ${result.total}; use --limit to see more)`]
                : []),
            ],
    );
    return undefined;
  },
});
