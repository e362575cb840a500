// Credentials per environment (SPEC §4): `credentials/<env>.json`, mode 0600, bound to the API URL
// that issued them so a token is never sent to another environment or URL. A file readable by
// group or others is refused, and the message says how to fix it.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EnvironmentName } from '../config/environments.js';
import { AuthenticationError, RejectedError, relayed } from '../errors.js';

export interface StoredCredentials {
  readonly version: 1;
  readonly environment: EnvironmentName;
  /** The API base URL that issued these credentials; they are used with no other. */
  readonly apiUrl: string;
  readonly accessToken?: string;
  readonly refreshToken?: string;
  /** ISO 8601 time at which `accessToken` expires. */
  readonly expiresAt?: string;
  readonly apiKey?: string;
  /** Who logged in and how, for `auth status`. */
  readonly email?: string;
  readonly method: 'password' | 'browser' | 'api-key';
  readonly savedAt: string;
}

export function credentialsDirectory(configDir: string): string {
  return join(configDir, 'credentials');
}

export function credentialsPath(configDir: string, environment: EnvironmentName): string {
  return join(credentialsDirectory(configDir), `${environment}.json`);
}

/** The stored credentials of an environment, or undefined when there are none. */
export async function readCredentials(
  configDir: string,
  environment: EnvironmentName,
): Promise<StoredCredentials | undefined> {
  const path = credentialsPath(configDir, environment);
  let text: string;
  try {
    const mode = (await stat(path)).mode;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new AuthenticationError(
        `refusing to use ${path}: it is readable by other users (mode 0${(mode & 0o777).toString(8)})`,
        { code: 'CREDENTIALS_FILE_MODE', hint: `run \`chmod 600 ${path}\`, then try again` },
      );
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = parseCredentials(text, environment);
  if (parsed === undefined) {
    throw new AuthenticationError(`${path} is not a credentials file this CLI can read`, {
      code: 'CREDENTIALS_FILE_INVALID',
      hint: `run \`hla-compass auth login --env ${environment}\` to replace it`,
    });
  }
  return parsed;
}

/** The lock that processes sharing this config dir take around a refresh (refresh-lock.ts). */
export function refreshLockPath(configDir: string, environment: EnvironmentName): string {
  return `${credentialsPath(configDir, environment)}.lock`;
}

/**
 * Writes atomically with mode 0600 from the first byte; the directory is 0700. A write that fails
 * (a full disk) leaves the previous file as it was and no temporary file behind, and the error
 * names the file and what to do.
 */
export async function writeCredentials(
  configDir: string,
  credentials: StoredCredentials,
): Promise<string> {
  const dir = credentialsDirectory(configDir);
  const path = credentialsPath(configDir, credentials.environment);
  const temporary = join(dir, `.${credentials.environment}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    handle = await open(temporary, 'wx', 0o600);
  } catch (error) {
    throw writeFailure(path, error);
  }
  try {
    try {
      await handle.writeFile(`${JSON.stringify(credentials, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw writeFailure(path, error);
  }
  return path;
}

const WRITE_FAILURES: Readonly<Record<string, { why: string; hint: (dir: string) => string }>> = {
  ENOSPC: {
    why: 'the disk is full',
    hint: (dir) => `free some space on the disk that holds ${dir}, then run the command again`,
  },
  EDQUOT: {
    why: 'the disk quota is used up',
    hint: (dir) =>
      `free some of your quota on the disk that holds ${dir}, then run the command again`,
  },
  EROFS: {
    why: 'the file system is read-only',
    hint: () => 'point HLA_COMPASS_CONFIG_DIR at a writable directory',
  },
  EACCES: {
    why: 'permission denied',
    hint: (dir) => `check the permissions of ${dir} (or of HLA_COMPASS_CONFIG_DIR)`,
  },
  EPERM: {
    why: 'permission denied',
    hint: (dir) => `check the permissions of ${dir} (or of HLA_COMPASS_CONFIG_DIR)`,
  },
};

/** A failed write of a credentials file as the user's problem, naming the file and the fix. */
function writeFailure(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !(error instanceof Error)) return error;
  const known = WRITE_FAILURES[code];
  const dir = dirname(path);
  return new RejectedError(`cannot save credentials to ${path}: ${known?.why ?? error.message}`, {
    code: relayed(code),
    hint: known?.hint(dir) ?? `check ${dir} and try again`,
    cause: error,
  });
}

/** Deletes an environment's credentials; resolves to whether there were any. */
export async function deleteCredentials(
  configDir: string,
  environment: EnvironmentName,
): Promise<boolean> {
  const path = credentialsPath(configDir, environment);
  try {
    await rm(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function parseCredentials(
  text: string,
  environment: EnvironmentName,
): StoredCredentials | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const optionalString = (key: string) =>
    record[key] === undefined || typeof record[key] === 'string';
  const valid =
    record.version === 1 &&
    record.environment === environment &&
    typeof record.apiUrl === 'string' &&
    (record.method === 'password' || record.method === 'browser' || record.method === 'api-key') &&
    typeof record.savedAt === 'string' &&
    ['accessToken', 'refreshToken', 'expiresAt', 'apiKey', 'email'].every(optionalString) &&
    (typeof record.accessToken === 'string' || typeof record.apiKey === 'string');
  return valid ? (record as unknown as StoredCredentials) : undefined;
}
