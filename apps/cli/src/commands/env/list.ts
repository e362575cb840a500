// `hla-compass env list`: the environments, the URLs this CLI would use for each, where each URL
// comes from, and which environment is selected.
import { defineCommand } from '../../command.js';
import type { ValueSource } from '../../config/environments.js';
import { formatTable } from '../../terminal.js';

export default defineCommand({
  description:
    'Lists the platform environments (local, dev, staging, prod) with the API and console URLs ' +
    'this CLI would use for each, where each URL comes from (flag, environment variable, ' +
    'config file or built-in default), and which environment commands use when --env is not given.',
  options: {},
  examples: [
    { command: 'hla-compass env list', description: 'show every environment' },
    {
      command: 'HLA_COMPASS_ENV=local hla-compass env list --json',
      description: 'check what the local emulator setup resolves to',
    },
  ],
  async run(_input, context) {
    const { selected, all } = await context.environments();
    const environments = all.map((environment) => ({
      name: environment.name,
      selected: environment.name === selected.name,
      apiUrl: environment.apiUrl,
      apiUrlSource: environment.apiUrlSource,
      consoleUrl: environment.consoleUrl,
      consoleUrlSource: environment.consoleUrlSource,
    }));
    context.output.result(
      { selected: selected.name, selectedBy: selected.source, environments },
      (result) => [
        ...formatTable(
          ['', 'ENV', 'API URL', 'FROM', 'CONSOLE URL', 'FROM'],
          result.environments.map((environment) => [
            environment.selected ? '*' : '',
            environment.name,
            environment.apiUrl,
            environment.apiUrlSource,
            environment.consoleUrl,
            environment.consoleUrlSource,
          ]),
          context.output.style,
        ),
        '',
        `* selected (${describeSource(result.selectedBy)}); choose with --env or HLA_COMPASS_ENV`,
      ],
    );
    return undefined;
  },
});

function describeSource(source: ValueSource): string {
  switch (source) {
    case 'flag':
      return 'by --env';
    case 'environment':
      return 'by HLA_COMPASS_ENV';
    case 'config':
      return 'by defaultEnv in config.json';
    default:
      return 'the default';
  }
}
