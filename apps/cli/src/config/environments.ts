// The platform environments, which one a command talks to, and at which URLs (SPEC §3): pure
// functions over the flag, variable, config-file and built-in values, each result naming its source.
import { UsageError } from '../errors.js';

export const ENVIRONMENT_NAMES = ['local', 'dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

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

export interface EnvironmentSelection {
  readonly name: EnvironmentName;
  readonly source: ValueSource;
}

export interface ResolvedEnvironment extends EnvironmentSelection {
  readonly apiUrl: string;
  readonly apiUrlSource: ValueSource;
  readonly consoleUrl: string;
  readonly consoleUrlSource: ValueSource;
}

export function isEnvironmentName(value: string): value is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}

export function parseEnvironmentName(value: string, where: string): EnvironmentName {
  if (isEnvironmentName(value)) return value;
  throw new UsageError(
    `unknown environment "${value}" in ${where}; expected one of ${ENVIRONMENT_NAMES.join(', ')}`,
  );
}

/** `--env` > `HLA_COMPASS_ENV` > config `defaultEnv` > `dev`; `required` demands an explicit choice. */
export function selectEnvironment(
  input: { flag?: string | undefined; variable?: string | undefined; configDefault?: string },
  options: { required?: boolean; command?: string } = {},
): EnvironmentSelection {
  if (input.flag !== undefined) {
    return { name: parseEnvironmentName(input.flag, '--env'), source: 'flag' };
  }
  if (input.variable !== undefined) {
    return { name: parseEnvironmentName(input.variable, 'HLA_COMPASS_ENV'), source: 'environment' };
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
    };
  }
  return { name: DEFAULT_ENVIRONMENT, source: 'default' };
}

interface UrlCandidates {
  readonly flag?: string | undefined;
  readonly variable?: string | undefined;
  readonly config?: string | undefined;
}

/**
 * API URL: `--api-url` > `HLA_API_ENDPOINT` > config > built-in. The console URL has the same chain;
 * when nothing sets it but the API URL was overridden, the console is the API URL, which is what the
 * emulator serves (its login page lives under the env's API base).
 */
export function resolveEndpoints(
  selection: EnvironmentSelection,
  candidates: { api: UrlCandidates; console: UrlCandidates },
): ResolvedEnvironment {
  const builtIn = builtInEndpoints[selection.name];
  const api = firstUrl(candidates.api, {
    flag: '--api-url',
    variable: 'HLA_API_ENDPOINT',
    config: `config.json environments.${selection.name}.apiUrl`,
  }) ?? { url: builtIn.apiUrl, source: 'default' as const };
  const consoleUrl =
    firstUrl(candidates.console, {
      flag: '--console-url',
      variable: 'HLA_CONSOLE_URL',
      config: `config.json environments.${selection.name}.consoleUrl`,
    }) ??
    (api.source === 'default'
      ? { url: builtIn.consoleUrl, source: 'default' as const }
      : { url: api.url, source: api.source });
  return {
    ...selection,
    apiUrl: api.url,
    apiUrlSource: api.source,
    consoleUrl: consoleUrl.url,
    consoleUrlSource: consoleUrl.source,
  };
}

function firstUrl(
  candidates: UrlCandidates,
  labels: { flag: string; variable: string; config: string },
): { url: string; source: ValueSource } | undefined {
  if (candidates.flag !== undefined) {
    return { url: normalizeBaseUrl(candidates.flag, labels.flag), source: 'flag' };
  }
  if (candidates.variable !== undefined) {
    return { url: normalizeBaseUrl(candidates.variable, labels.variable), source: 'environment' };
  }
  if (candidates.config !== undefined) {
    return { url: normalizeBaseUrl(candidates.config, labels.config), source: 'config' };
  }
  return undefined;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

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
  const isLoopback = LOOPBACK_HOSTS.has(url.hostname) || /^127(\.\d{1,3}){3}$/.test(url.hostname);
  if (url.protocol === 'http:' && !isLoopback) {
    throw new UsageError(
      `${where} uses plain HTTP to ${url.host}, which would expose credentials`,
      {
        hint: 'use https://, or http:// only for a platform on this machine (127.0.0.1, localhost)',
      },
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
