// Where a module's code comes from, for the image's revision, source and created labels: the last
// commit that touched it, its time when the module is as committed, and the `origin` URL of the
// checkout without any credentials in it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const GIT_TIMEOUT_MS = 5_000;

export interface GitProvenance {
  /** The last commit that touched the module's directory (not HEAD: other commits do not change it). */
  readonly revision?: string;
  readonly source?: string;
  /** That commit's time, when the module's files are exactly as committed (nothing changed or new). */
  readonly committedAt?: Date;
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
      return stdout.trim();
    } catch {
      return undefined;
    }
  };
  // Three independent questions, asked at once: each is a git process.
  const [last, status, remote] = await Promise.all([
    git('log', '-1', '--format=%H %ct', '--', '.'),
    // Our own .hla-compass/ (the generated Dockerfile, build.json) is not a change to the sources.
    git('status', '--porcelain', '--untracked-files=all', '--', '.', ':(exclude).hla-compass'),
    git('config', '--get', 'remote.origin.url'),
  ]);
  const [revision, seconds] = (last ?? '').split(' ');
  if (revision === undefined || revision === '' || seconds === undefined) return {};
  const source = remote ? publicSourceUrl(remote) : undefined;
  return {
    revision,
    ...(source === undefined ? {} : { source }),
    ...(status === '' ? { committedAt: new Date(Number(seconds) * 1000) } : {}),
  };
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
