// The platform environments, which one a command talks to, and at which URLs (SPEC §3): pure
// functions over the flag, variable, config-file and built-in values, each result naming its source.
import {
  ENVIRONMENTS as ENVIRONMENT_NAMES,
  type Environment as EnvironmentName,
  isEnvironment as isEnvironmentName,
} from '@hla-compass/platform-api/environments';
import { isLoopbackHost } from '@hla-compass/platform-api/loopback';
import { UsageError } from '../errors.js';
import type { EnvironmentConfig } from './config-file.js';
import type { Settings, VariableName } from './variables.js';

// The contract's list, through its zod-free entry: global options and completion need the names
// at start-up, before any command loads the schemas.
export { ENVIRONMENT_NAMES, type EnvironmentName, isEnvironmentName };

export const DEFAULT_ENVIRONMENT: EnvironmentName = 'dev';

export const builtInEndpoints: Readonly<
  Record<EnvironmentName, { apiUrl: string; consoleUrl: string }>
> = {
  local: { apiUrl: 'http://127.0.0.1:4100/local', consoleUrl: 'http://127.0.0.1:4100/local' },
  dev: { apiUrl: 'https://api-dev.alithea.bio', consoleUrl: 'https://hub-dev.alithea.bio' },
  staging: {
    apiUrl: 'https://api-staging.alithea.bio',
    consoleUrl: 'https://hub-staging.alithea.bio',
  },
  prod: { apiUrl: 'https://api.alithea.bio', consoleUrl: 'https://hub.alithea.bio' },
};

/** Where a resolved value came from, shown by `env list` and `--verbose`. */
export type ValueSource = 'flag' | 'environment' | 'config' | 'default';

/**
 * The variables that choose the environment and its URLs, in rank order: ours first, then the
 * Python SDK's names (`HLA_ENV`, `API_ENDPOINT`), so a shell or CI set up for the SDK keeps working
 * and ours win where both are set, as in the SDK.
 */
export const ENVIRONMENT_VARIABLES = ['HLA_COMPASS_ENV', 'HLA_ENV'] as const;
export const API_URL_VARIABLES = ['HLA_API_ENDPOINT', 'API_ENDPOINT'] as const;
export const CONSOLE_URL_VARIABLES = ['HLA_CONSOLE_URL'] as const;

export interface EnvironmentSelection {
  readonly name: EnvironmentName;
  readonly source: ValueSource;
  /** What set it, for messages: the flag or variable name (`--env`, `HLA_ENV`), `config` or `default`. */
  readonly from: string;
}

export interface ResolvedEnvironment extends EnvironmentSelection {
  readonly apiUrl: string;
  readonly apiUrlSource: ValueSource;
  readonly apiUrlFrom: string;
  readonly consoleUrl: string;
  readonly consoleUrlSource: ValueSource;
  readonly consoleUrlFrom: string;
}

export function parseEnvironmentName(value: string, where: string): EnvironmentName {
  if (isEnvironmentName(value)) return value;
  throw new UsageError(
    `unknown environment "${value}" in ${where}; expected one of ${ENVIRONMENT_NAMES.join(', ')}`,
  );
}

/**
 * `--env` > `HLA_COMPASS_ENV` > `HLA_ENV` > config `defaultEnv` > `dev`. `required` demands an
 * explicit choice: a flag or either variable, since each is set on purpose, unlike the defaults.
 */
export function selectEnvironment(
  input: { flag?: string | undefined; settings?: Settings; configDefault?: string | undefined },
  options: { required?: boolean; command?: string } = {},
): EnvironmentSelection {
  if (input.flag !== undefined) {
    return { name: parseEnvironmentName(input.flag, '--env'), source: 'flag', from: '--env' };
  }
  const variable = firstVariable(input.settings, ENVIRONMENT_VARIABLES);
  if (variable !== undefined) {
    return {
      name: parseEnvironmentName(variable.value, variable.name),
      source: 'environment',
      from: variable.name,
    };
  }
  if (options.required) {
    throw new UsageError(`${options.command ?? 'this command'} needs an explicit environment`, {
      hint: `pass --env ${ENVIRONMENT_NAMES.join('|')} or set HLA_COMPASS_ENV`,
    });
  }
  if (input.configDefault !== undefined) {
    return {
      name: parseEnvironmentName(input.configDefault, 'config.json "defaultEnv"'),
      source: 'config',
      from: 'config',
    };
  }
  return { name: DEFAULT_ENVIRONMENT, source: 'default', from: 'default' };
}

/**
 * API URL: `--api-url` > `HLA_API_ENDPOINT` > `API_ENDPOINT` > config > built-in. The console URL
 * has the same chain; when nothing sets it but the API URL was overridden, the console is the API
 * URL, which is what the emulator serves (its login page lives under the env's API base). Flags and
 * variables concern the selected environment only: leave them out for the others.
 */
export function resolveEndpoints(
  selection: EnvironmentSelection,
  input: {
    flags?: { api?: string | undefined; console?: string | undefined };
    settings?: Settings;
    config?: EnvironmentConfig | undefined;
  },
): ResolvedEnvironment {
  const builtIn = builtInEndpoints[selection.name];
  const configLabel = (key: string) => `config.json environments.${selection.name}.${key}`;
  const api = firstUrl(
    { flag: '--api-url', value: input.flags?.api },
    firstVariable(input.settings, API_URL_VARIABLES),
    { label: configLabel('apiUrl'), value: input.config?.apiUrl },
  ) ?? { url: builtIn.apiUrl, source: 'default' as const, from: 'default' };
  const consoleUrl =
    firstUrl(
      { flag: '--console-url', value: input.flags?.console },
      firstVariable(input.settings, CONSOLE_URL_VARIABLES),
      { label: configLabel('consoleUrl'), value: input.config?.consoleUrl },
    ) ??
    (api.source === 'default'
      ? { url: builtIn.consoleUrl, source: 'default' as const, from: 'default' }
      : api);
  return {
    ...selection,
    apiUrl: api.url,
    apiUrlSource: api.source,
    apiUrlFrom: api.from,
    consoleUrl: consoleUrl.url,
    consoleUrlSource: consoleUrl.source,
    consoleUrlFrom: consoleUrl.from,
  };
}

interface ResolvedUrl {
  readonly url: string;
  readonly source: ValueSource;
  readonly from: string;
}

function firstUrl(
  flag: { flag: string; value: string | undefined },
  variable: { name: string; value: string } | undefined,
  config: { label: string; value: string | undefined },
): ResolvedUrl | undefined {
  if (flag.value !== undefined) {
    return { url: normalizeBaseUrl(flag.value, flag.flag), source: 'flag', from: flag.flag };
  }
  if (variable !== undefined) {
    return {
      url: normalizeBaseUrl(variable.value, variable.name),
      source: 'environment',
      from: variable.name,
    };
  }
  if (config.value !== undefined) {
    return { url: normalizeBaseUrl(config.value, config.label), source: 'config', from: 'config' };
  }
  return undefined;
}

function firstVariable(
  settings: Settings | undefined,
  names: readonly VariableName[],
): { name: VariableName; value: string } | undefined {
  for (const name of names) {
    const value = settings?.get(name);
    if (value !== undefined) return { name, value };
  }
  return undefined;
}

/**
 * A base URL the CLI may send credentials to: http(s), no credentials, query or fragment, no
 * trailing slash. Plain HTTP only to loopback, so a token never crosses a network in clear text.
 */
export function normalizeBaseUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${where} is not a URL: "${value}"`, {
      hint: 'use an absolute URL such as https://api-dev.alithea.bio or http://127.0.0.1:4100/dev',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${where} must be an http(s) URL, got "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw new UsageError(`${where} must not contain credentials`, {
      hint: 'log in with `hla-compass auth login` instead',
    });
  }
  if (url.search || url.hash) {
    throw new UsageError(`${where} must not have a query or fragment: "${value}"`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new UsageError(
      `${where} uses plain HTTP to ${url.host}, which would expose credentials`,
      {
        hint: 'use https://, or http:// only for a platform on this machine (127.0.0.1, localhost)',
      },
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
