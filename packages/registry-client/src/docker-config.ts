// The Docker CLI's config.json as data: parsed and checked before use, then looked up by
// registry host the way `docker login` stores it (Docker Hub under https://index.docker.io/v1/).
import { isRecord, parseJsonObject } from './json.js';
import { DOCKER_HUB_REGISTRY } from './reference.js';

export type RegistryCredentials =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** An OAuth2 refresh token (`identitytoken`, or a helper answering Username `<token>`). */
  | { readonly kind: 'identity-token'; readonly identityToken: string; readonly username?: string }
  /** A bearer token sent to the registry as is (`registrytoken`). */
  | { readonly kind: 'registry-token'; readonly registryToken: string };

/** The key `docker login` uses for Docker Hub, for historical reasons. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export interface DockerAuthEntry {
  readonly auth?: string;
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly registrytoken?: string;
}

export interface DockerConfig {
  readonly auths: Readonly<Record<string, DockerAuthEntry>>;
  readonly credHelpers: Readonly<Record<string, string>>;
  readonly credsStore?: string;
}

export class DockerConfigError extends Error {
  readonly code = 'DOCKER_CONFIG_INVALID';

  constructor(source: string, reason: string) {
    super(`Docker config ${source} is invalid: ${reason}`);
    this.name = 'DockerConfigError';
  }
}

function optionalString(
  entry: Record<string, unknown>,
  field: string,
  where: () => never,
): string | undefined {
  const value = entry[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') where();
  return value;
}

/** Parses config.json text; `source` (a path) only appears in error messages, never the content. */
export function parseDockerConfig(text: string, source: string): DockerConfig {
  const document = parseJsonObject(text);
  if (document === undefined) throw new DockerConfigError(source, 'it is not a JSON object');
  const auths: Record<string, DockerAuthEntry> = {};
  const rawAuths = document.auths ?? {};
  if (!isRecord(rawAuths)) throw new DockerConfigError(source, '"auths" must be an object');
  for (const [key, raw] of Object.entries(rawAuths)) {
    const where = (): never => {
      throw new DockerConfigError(source, `auths["${key}"] must hold string fields`);
    };
    if (!isRecord(raw)) where();
    const entry = raw as Record<string, unknown>;
    auths[key] = {
      auth: optionalString(entry, 'auth', where),
      username: optionalString(entry, 'username', where),
      password: optionalString(entry, 'password', where),
      identitytoken: optionalString(entry, 'identitytoken', where),
      registrytoken: optionalString(entry, 'registrytoken', where),
    };
  }
  const credHelpers: Record<string, string> = {};
  const rawHelpers = document.credHelpers ?? {};
  if (!isRecord(rawHelpers)) throw new DockerConfigError(source, '"credHelpers" must be an object');
  for (const [key, helper] of Object.entries(rawHelpers)) {
    if (typeof helper !== 'string') {
      throw new DockerConfigError(source, `credHelpers["${key}"] must be a helper name`);
    }
    credHelpers[key] = helper;
  }
  const credsStore = document.credsStore;
  if (credsStore !== undefined && typeof credsStore !== 'string') {
    throw new DockerConfigError(source, '"credsStore" must be a helper name');
  }
  return { auths, credHelpers, ...(credsStore ? { credsStore } : {}) };
}

/** The host a config key names: `https://ghcr.io/v1/` → `ghcr.io`; Docker Hub's names → docker.io. */
export function configKeyHost(key: string): string {
  const host = (key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] ?? '').toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB_REGISTRY : host;
}

/** The server URL a credential helper is asked about for this registry. */
export function helperServerUrl(registry: string): string {
  return configKeyHost(registry) === DOCKER_HUB_REGISTRY ? DOCKER_HUB_CONFIG_KEY : registry;
}

/** The value stored under the key for `registry`, preferring an exact key over an equivalent one. */
export function lookupByRegistry<Value>(
  table: Readonly<Record<string, Value>>,
  registry: string,
): Value | undefined {
  const exact = table[helperServerUrl(registry)] ?? table[registry];
  if (exact !== undefined) return exact;
  const host = configKeyHost(registry);
  const key = Object.keys(table).find((candidate) => configKeyHost(candidate) === host);
  return key === undefined ? undefined : table[key];
}

/** Credentials an `auths` entry holds, or undefined for an empty entry (e.g. with credsStore). */
export function credentialsFromAuthEntry(
  entry: DockerAuthEntry,
  source: string,
): RegistryCredentials | undefined {
  let username = entry.username;
  let password = entry.password;
  if (entry.auth !== undefined) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0)
      throw new DockerConfigError(source, '"auth" must be base64 of "username:password"');
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (entry.identitytoken !== undefined) {
    return {
      kind: 'identity-token',
      identityToken: entry.identitytoken,
      ...(username === undefined ? {} : { username }),
    };
  }
  if (entry.registrytoken !== undefined)
    return { kind: 'registry-token', registryToken: entry.registrytoken };
  if (username !== undefined && password !== undefined)
    return { kind: 'basic', username, password };
  return undefined;
}
