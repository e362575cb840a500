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
      { environment: platform.environment.name, total: page.total ?? null, modules: page.items },
      (result) =>
        result.modules.length === 0
          ? [`No modules visible in ${result.environment} yet.`]
          : [
              ...formatTable(
                ['NAME', 'VERSION', 'ORG', 'IMAGE'],
                result.modules.map((module) => [
                  module.moduleName,
                  describeVersion(module.currentVersion),
                  module.orgName ?? '-',
                  module.imageRef === undefined ? '-' : (module.imageRef ?? ''),
                ]),
                context.output.style,
              ),
              // Without a total (the hosted platform's listing), the page is all there is to say.
              ...(result.total !== null && result.total > result.modules.length
                ? [`(${result.modules.length} of ${result.total}; use --limit to see more)`]
                : []),
            ],
    );
    return undefined;
  },
});

/** null: the platform says none is approved yet; undefined: its answer did not say. */
export function describeVersion(version: string | null | undefined): string {
  return version === null ? '(none approved)' : (version ?? 'unknown');
}
