// The Docker credential chain for one registry: explicit credentials, else config.json's
// credHelpers, credsStore and auths, helpers run as `docker-credential-<name> get`.
import { spawn } from 'node:child_process';
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
}

const DEFAULT_HELPER_TIMEOUT_MS = 15_000;
const MAX_HELPER_OUTPUT = 64 * 1024;
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export class CredentialHelperError extends Error {
  readonly code = 'CREDENTIAL_HELPER_FAILED';

  constructor(helper: string, reason: string) {
    super(`credential helper docker-credential-${helper} failed: ${reason}`);
    this.name = 'CredentialHelperError';
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
      const reason =
        error.code === 'ENOENT'
          ? `docker-credential-${helper} is not on PATH; install it or remove it from the Docker config`
          : error.message;
      finish(() => reject(new CredentialHelperError(helper, reason)));
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
  const path = dockerConfigPath(env, options.homeDir ?? homedir());
  const config = await readDockerConfig(path);
  if (config === undefined) return { source: 'none' };
  const perRegistryHelper = lookupByRegistry(config.credHelpers, registry);
  const helper = perRegistryHelper ?? config.credsStore;
  if (helper !== undefined) {
    const credentials = await runCredentialHelper(helper, helperServerUrl(registry), {
      env,
      timeoutMs: options.helperTimeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS,
    });
    const source = perRegistryHelper === undefined ? 'credentials-store' : 'credential-helper';
    if (credentials !== undefined) return { credentials, source, from: helper };
  }
  const entry = lookupByRegistry(config.auths, registry);
  const credentials = entry === undefined ? undefined : credentialsFromAuthEntry(entry, path);
  return credentials === undefined
    ? { source: 'none' }
    : { credentials, source: 'config-auths', from: path };
}
