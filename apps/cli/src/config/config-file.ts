// The config directory (`HLA_COMPASS_CONFIG_DIR` or ~/.hla-compass) and its `config.json`: where
// defaults per environment live. Parsed strictly so a typo is an error that names the field.
// The Python SDK uses the same directory and file: its keys are left alone (the CLI never writes
// config.json), and its API endpoint override is reported, not used (see `SdkApiEndpoint`).
import { mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { type EnvironmentName, isEnvironmentName } from './environments.js';

export interface EnvironmentConfig {
  readonly apiUrl?: string;
  readonly consoleUrl?: string;
}

export interface CliConfig {
  readonly defaultEnv?: string;
  readonly environments: Readonly<Partial<Record<EnvironmentName, EnvironmentConfig>>>;
  readonly author?: { readonly name?: string; readonly email?: string };
  /** Defaults for `hla-compass build`; `baseImage` replaces the platform's runtime image. */
  readonly build?: { readonly baseImage?: string };
  /** The Python SDK's API endpoint override in the same file, for `env list` to point out. */
  readonly sdkApiEndpoint?: SdkApiEndpoint;
}

/**
 * The SDK's `api_endpoint` (or `apiEndpoint`, `endpoints.*`) applies to whichever environment is
 * selected, so one URL would serve dev, staging and prod alike: hla-compass keeps URLs per
 * environment (`environments.<env>.apiUrl`) and does not use it. It is kept to say so.
 */
export interface SdkApiEndpoint {
  /** Where in config.json, e.g. `api_endpoint` or `endpoints.apiEndpoint`. */
  readonly key: string;
  readonly value: string;
}

/** The SDK's endpoint keys, in the order the SDK reads them. */
const SDK_ENDPOINT_KEYS = [
  ['api_endpoint'],
  ['apiEndpoint'],
  ['endpoints', 'api_endpoint'],
  ['endpoints', 'apiEndpoint'],
] as const;

export const CONFIG_FILE = 'config.json';

/** The config directory's name in the home directory, as the Python SDK names it too. */
export const CONFIG_DIR_NAME = '.hla-compass';

export function configDirectory(
  variable: string | undefined,
  context: { homeDir: string; cwd: string },
): string {
  if (variable === undefined) return join(context.homeDir, CONFIG_DIR_NAME);
  return isAbsolute(variable) ? variable : resolve(context.cwd, variable);
}

/** Creates the config directory (0700) when missing; credentials and keys live below it. */
export async function ensureConfigDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

export async function readConfig(dir: string): Promise<CliConfig> {
  const path = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { environments: {} };
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`, {
      hint: 'fix the file or delete it to go back to the defaults',
    });
  }
  return parseConfig(value, path);
}

/** Validates the parsed `config.json`; unknown keys are kept out, wrong types are errors. */
export function parseConfig(value: unknown, path: string): CliConfig {
  const fail = (field: string, expected: string): never => {
    throw new UsageError(`${path}: "${field}" must be ${expected}`);
  };
  if (!isRecord(value)) return fail('(root)', 'a JSON object');
  const config: {
    defaultEnv?: string;
    environments: Partial<Record<EnvironmentName, EnvironmentConfig>>;
    author?: { name?: string; email?: string };
    build?: { baseImage?: string };
    sdkApiEndpoint?: SdkApiEndpoint;
  } = { environments: {} };

  if (value.defaultEnv !== undefined) {
    if (typeof value.defaultEnv !== 'string') fail('defaultEnv', 'a string');
    config.defaultEnv = value.defaultEnv as string;
  }
  if (value.environments !== undefined) {
    if (!isRecord(value.environments)) return fail('environments', 'an object');
    for (const [name, entry] of Object.entries(value.environments)) {
      if (!isEnvironmentName(name)) {
        fail(`environments.${name}`, 'one of local, dev, staging, prod');
      }
      if (!isRecord(entry)) return fail(`environments.${name}`, 'an object');
      const environment: { apiUrl?: string; consoleUrl?: string } = {};
      for (const key of ['apiUrl', 'consoleUrl'] as const) {
        const url = entry[key];
        if (url === undefined) continue;
        if (typeof url !== 'string') fail(`environments.${name}.${key}`, 'a string');
        environment[key] = url as string;
      }
      config.environments[name as EnvironmentName] = environment;
    }
  }
  if (value.author !== undefined) {
    if (!isRecord(value.author)) return fail('author', 'an object');
    const author: { name?: string; email?: string } = {};
    for (const key of ['name', 'email'] as const) {
      const field = value.author[key];
      if (field === undefined) continue;
      if (typeof field !== 'string') fail(`author.${key}`, 'a string');
      author[key] = field as string;
    }
    config.author = author;
  }
  if (value.build !== undefined) {
    if (!isRecord(value.build)) return fail('build', 'an object');
    const { baseImage } = value.build;
    if (baseImage !== undefined && typeof baseImage !== 'string')
      fail('build.baseImage', 'a string');
    config.build = baseImage === undefined ? {} : { baseImage: baseImage as string };
  }
  const sdkApiEndpoint = findSdkApiEndpoint(value);
  if (sdkApiEndpoint !== undefined) config.sdkApiEndpoint = sdkApiEndpoint;
  return config;
}

// Read leniently: the SDK owns these keys, so a shape this CLI does not expect is not an error here.
function findSdkApiEndpoint(value: Record<string, unknown>): SdkApiEndpoint | undefined {
  for (const path of SDK_ENDPOINT_KEYS) {
    let node: unknown = value;
    for (const key of path) node = isRecord(node) ? node[key] : undefined;
    if (typeof node === 'string' && node.trim() !== '') {
      return { key: path.join('.'), value: node.trim() };
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
