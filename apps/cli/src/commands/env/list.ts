// `hla-compass env list`: the environments, the URLs this CLI would use for each, where each URL
// comes from, and which environment is selected.
import { defineCommand } from '../../command.js';
import type { SdkApiEndpoint } from '../../config/config-file.js';
import type { EnvironmentSelection } from '../../config/environments.js';
import { formatTable } from '../../terminal.js';

export default defineCommand({
  description:
    'Lists the platform environments (local, dev, staging, prod) with the API and console URLs ' +
    'this CLI would use for each, where each URL comes from (the flag or environment variable ' +
    'by name, the config file or the built-in default), and which environment commands use when ' +
    "--env is not given. The Python SDK's variables count, below ours: HLA_ENV after " +
    'HLA_COMPASS_ENV, API_ENDPOINT after HLA_API_ENDPOINT.',
  options: {},
  examples: [
    { command: 'hla-compass env list', description: 'show every environment' },
    {
      command: 'HLA_COMPASS_ENV=local hla-compass env list --json',
      description: 'check what the local emulator setup resolves to',
    },
    {
      command: 'HLA_ENV=staging API_ENDPOINT=http://127.0.0.1:4100/staging hla-compass env list',
      description: 'what a shell set up for the Python SDK resolves to',
    },
  ],
  async run(_input, context) {
    const [{ selected, all }, config] = await Promise.all([
      context.environments(),
      context.config(),
    ]);
    const environments = all.map((environment) => ({
      name: environment.name,
      selected: environment.name === selected.name,
      apiUrl: environment.apiUrl,
      apiUrlSource: environment.apiUrlSource,
      apiUrlFrom: environment.apiUrlFrom,
      consoleUrl: environment.consoleUrl,
      consoleUrlSource: environment.consoleUrlSource,
      consoleUrlFrom: environment.consoleUrlFrom,
    }));
    const sdkApiEndpoint = config.sdkApiEndpoint;
    if (sdkApiEndpoint !== undefined) {
      context.logger.warn(
        `config.json "${sdkApiEndpoint.key}" (${redacted(sdkApiEndpoint.value)}) is the Python SDK's; hla-compass does not use it`,
      );
      context.logger.hint(
        'hla-compass keeps one URL per environment: set environments.<env>.apiUrl in config.json, or API_ENDPOINT / HLA_API_ENDPOINT for one command',
      );
    }
    context.output.result(
      {
        selected: selected.name,
        selectedBy: selected.source,
        selectedFrom: selected.from,
        environments,
        ...(sdkApiEndpoint === undefined
          ? {}
          : { sdkApiEndpoint: { key: sdkApiEndpoint.key, used: false } }),
      },
      (result) => [
        ...formatTable(
          ['', 'ENV', 'API URL', 'FROM', 'CONSOLE URL', 'FROM'],
          result.environments.map((environment) => [
            environment.selected ? '*' : '',
            environment.name,
            environment.apiUrl,
            environment.apiUrlFrom,
            environment.consoleUrl,
            environment.consoleUrlFrom,
          ]),
          context.output.style,
        ),
        '',
        `* selected (${describeSelection(selected)}); choose with --env or HLA_COMPASS_ENV`,
      ],
    );
    return undefined;
  },
});

function describeSelection(selection: EnvironmentSelection): string {
  switch (selection.source) {
    case 'flag':
    case 'environment':
      return `by ${selection.from}`;
    case 'config':
      return 'by defaultEnv in config.json';
    default:
      return 'the default';
  }
}

/** The SDK's URL as written, but never a password someone put in it. */
function redacted(value: SdkApiEndpoint['value']): string {
  try {
    const url = new URL(value);
    if (url.username === '' && url.password === '') return value;
    url.username = '***';
    url.password = '';
    return url.toString();
  } catch {
    return value;
  }
}
