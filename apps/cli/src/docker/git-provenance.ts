// Where a module's code comes from, for the image's revision and source labels: the commit and
// the `origin` URL of the git checkout it lives in, without any credentials in that URL.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const GIT_TIMEOUT_MS = 5_000;

export interface GitProvenance {
  readonly revision?: string;
  readonly source?: string;
}

/** What git knows about `dir`; empty when git is missing or `dir` is not in a checkout. */
export async function gitProvenance(
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<GitProvenance> {
  const git = async (...args: string[]): Promise<string | undefined> => {
    try {
      const { stdout } = await run('git', ['-C', dir, ...args], {
        env: env as NodeJS.ProcessEnv,
        timeout: GIT_TIMEOUT_MS,
      });
      return stdout.trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const revision = await git('rev-parse', '--verify', '--quiet', 'HEAD');
  if (revision === undefined) return {};
  const remote = await git('config', '--get', 'remote.origin.url');
  const source = remote === undefined ? undefined : publicSourceUrl(remote);
  return source === undefined ? { revision } : { revision, source };
}

/**
 * A remote URL fit for a label anyone can read: URL forms lose their user and password
 * (`https://user:token@host/…`), scp-like `git@host:org/repo` stays, local paths are dropped.
 */
export function publicSourceUrl(remote: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) {
    let url: URL;
    try {
      url = new URL(remote);
    } catch {
      return undefined;
    }
    if (url.protocol === 'file:') return undefined;
    url.username = '';
    url.password = '';
    return url.toString();
  }
  return /^[\w.-]+@[\w.-]+:[^/\\]/.test(remote) ? remote : undefined;
}
