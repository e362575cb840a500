// The Docker credential chain for one registry: explicit credentials, else config.json's
// credHelpers, credsStore and auths, helpers run as `docker-credential-<name> get`; then the
// auth files Podman, Buildah and skopeo log in to (same `auths` format), for users of those.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  credentialsFromAuthEntry,
  type DockerConfig,
  helperServerUrl,
  lookupByRegistry,
  parseDockerConfig,
  type RegistryCredentials,
} from './docker-config.js';
import { parseJsonObject } from './json.js';

export type CredentialSource =
  | 'explicit'
  | 'credential-helper'
  | 'credentials-store'
  | 'config-auths'
  | 'auth-file'
  | 'none';

export interface ResolvedCredentials {
  readonly credentials?: RegistryCredentials;
  readonly source: CredentialSource;
  /** The helper's name or the config file's path: where the credentials came from. */
  readonly from?: string;
}

export interface DockerCredentialOptions {
  /** Credentials given by the caller; they win over the Docker config. */
  readonly credentials?: RegistryCredentials;
  /** Environment for DOCKER_CONFIG and the helpers' PATH (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Home directory holding `.docker/config.json` (default: os.homedir()). */
  readonly homeDir?: string;
  readonly helperTimeoutMs?: number;
  /**
   * Given: a helper that fails or is missing is reported here and the chain goes on (auths,
   * then the auth files), as the Docker CLI does, which pushes anonymously past a missing
   * `credsStore`. Without it, the failure is thrown.
   */
  readonly onHelperError?: (
    error: CredentialHelperError,
    where: { readonly setting: 'credsStore' | 'credHelpers'; readonly configPath: string },
  ) => void;
}

const DEFAULT_HELPER_TIMEOUT_MS = 15_000;
const MAX_HELPER_OUTPUT = 64 * 1024;
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export class CredentialHelperError extends Error {
  readonly code = 'CREDENTIAL_HELPER_FAILED';
  /** The helper's name, without `docker-credential-`. */
  readonly helper: string;
  /** The helper is not installed (not on PATH), as with `credsStore: desktop` copied to Linux. */
  readonly missing: boolean;

  constructor(helper: string, reason: string, options: { missing?: boolean } = {}) {
    super(`credential helper docker-credential-${helper} failed: ${reason}`);
    this.name = 'CredentialHelperError';
    this.helper = helper;
    this.missing = options.missing ?? false;
  }
}

/** `$DOCKER_CONFIG/config.json` when DOCKER_CONFIG is set, else `~/.docker/config.json`. */
export function dockerConfigPath(
  env: Readonly<Record<string, string | undefined>>,
  homeDir: string,
): string {
  const dir = env.DOCKER_CONFIG;
  return dir ? join(dir, 'config.json') : join(homeDir, '.docker', 'config.json');
}

/**
 * The auth files of Podman, Buildah and skopeo, in the order they read them:
 * REGISTRY_AUTH_FILE, else `$XDG_RUNTIME_DIR/containers/auth.json`; then
 * `~/.config/containers/auth.json` (XDG_CONFIG_HOME honoured).
 */
export function containersAuthFilePaths(
  env: Readonly<Record<string, string | undefined>>,
  homeDir: string,
): string[] {
  const explicit = env.REGISTRY_AUTH_FILE?.trim();
  const runtimeDir = env.XDG_RUNTIME_DIR?.trim();
  const configHome = env.XDG_CONFIG_HOME?.trim() || join(homeDir, '.config');
  const first = explicit
    ? [explicit]
    : runtimeDir
      ? [join(runtimeDir, 'containers', 'auth.json')]
      : [];
  return [...new Set([...first, join(configHome, 'containers', 'auth.json')])];
}

/** The Docker config, or undefined when the file does not exist. */
export async function readDockerConfig(path: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseDockerConfig(text, path);
}

/** Credentials from a helper's `get` answer (`{"Username","Secret"}`; Username `<token>` = identity token). */
export function credentialsFromHelperOutput(output: string, helper: string): RegistryCredentials {
  const answer = parseJsonObject(output);
  if (
    answer === undefined ||
    typeof answer.Username !== 'string' ||
    typeof answer.Secret !== 'string'
  ) {
    throw new CredentialHelperError(
      helper,
      'its answer is not a JSON object with Username and Secret',
    );
  }
  if (answer.Username === '<token>')
    return { kind: 'identity-token', identityToken: answer.Secret };
  return { kind: 'basic', username: answer.Username, password: answer.Secret };
}

/**
 * Runs `docker-credential-<helper> get` with the server URL on stdin. Undefined when the
 * helper has nothing for it. Its stdout may hold a secret, so errors quote stderr only.
 */
export function runCredentialHelper(
  helper: string,
  serverUrl: string,
  options: { env: Readonly<Record<string, string | undefined>>; timeoutMs: number },
): Promise<RegistryCredentials | undefined> {
  if (!HELPER_NAME.test(helper)) {
    return Promise.reject(
      new CredentialHelperError(helper.slice(0, 64), 'the helper name is not a plain name'),
    );
  }
  // node:child_process (with dgram and the socket list under it, ~2.5 ms on Node 24) only for a
  // configured helper: most registry calls never need one.
  const { spawn } = process.getBuiltinModule('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(`docker-credential-${helper}`, ['get'], {
      env: options.env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() =>
        reject(new CredentialHelperError(helper, `no answer within ${options.timeoutMs} ms`)),
      );
    }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_HELPER_OUTPUT) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_HELPER_OUTPUT) stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const missing = error.code === 'ENOENT';
      const reason = missing ? `docker-credential-${helper} is not on PATH` : error.message;
      finish(() => reject(new CredentialHelperError(helper, reason, { missing })));
    });
    child.on('close', (code) => {
      finish(() => {
        if (code === 0) {
          try {
            resolve(credentialsFromHelperOutput(stdout, helper));
          } catch (error) {
            reject(error);
          }
        } else if (/credentials not found/i.test(`${stdout}\n${stderr}`)) {
          resolve(undefined);
        } else {
          const firstLine = stderr.trim().split('\n')[0]?.slice(0, 200) ?? '';
          reject(
            new CredentialHelperError(
              helper,
              `exit code ${code}${firstLine ? `: ${firstLine}` : ''}`,
            ),
          );
        }
      });
    });
    child.stdin.on('error', () => {
      // The helper may exit before reading stdin; its exit code says what happened.
    });
    child.stdin.end(serverUrl);
  });
}

/**
 * Resolves credentials for `registry` (a normalized `host[:port]`, `docker.io` for Docker Hub)
 * the way the Docker CLI does: credHelpers for the host, else credsStore, else auths. A
 * helper that has nothing falls through to auths.
 */
export async function resolveDockerCredentials(
  registry: string,
  options: DockerCredentialOptions = {},
): Promise<ResolvedCredentials> {
  if (options.credentials !== undefined)
    return { credentials: options.credentials, source: 'explicit' };
  const env = options.env ?? process.env;
  const homeDir = options.homeDir ?? homedir();
  const path = dockerConfigPath(env, homeDir);
  const config = await readDockerConfig(path);
  if (config !== undefined) {
    const fromDocker = await fromDockerConfig(registry, config, path, env, options);
    if (fromDocker !== undefined) return fromDocker;
  }
  for (const authFile of containersAuthFilePaths(env, homeDir)) {
    const file = await readDockerConfig(authFile);
    const entry = file === undefined ? undefined : lookupByRegistry(file.auths, registry);
    const credentials = entry === undefined ? undefined : credentialsFromAuthEntry(entry, authFile);
    if (credentials !== undefined) return { credentials, source: 'auth-file', from: authFile };
  }
  return { source: 'none' };
}

/** config.json's answer: its helper's, else its `auths` entry's; undefined when it has none. */
async function fromDockerConfig(
  registry: string,
  config: DockerConfig,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  options: DockerCredentialOptions,
): Promise<ResolvedCredentials | undefined> {
  const perRegistryHelper = lookupByRegistry(config.credHelpers, registry);
  const helper = perRegistryHelper ?? config.credsStore;
  if (helper !== undefined) {
    let credentials: RegistryCredentials | undefined;
    try {
      credentials = await runCredentialHelper(helper, helperServerUrl(registry), {
        env,
        timeoutMs: options.helperTimeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS,
      });
    } catch (error) {
      if (!(error instanceof CredentialHelperError) || options.onHelperError === undefined) {
        throw error;
      }
      options.onHelperError(error, {
        setting: perRegistryHelper === undefined ? 'credsStore' : 'credHelpers',
        configPath: path,
      });
    }
    const source = perRegistryHelper === undefined ? 'credentials-store' : 'credential-helper';
    if (credentials !== undefined) return { credentials, source, from: helper };
  }
  const entry = lookupByRegistry(config.auths, registry);
  const credentials = entry === undefined ? undefined : credentialsFromAuthEntry(entry, path);
  return credentials === undefined
    ? undefined
    : { credentials, source: 'config-auths', from: path };
}
