// What of git a build stamp needs to know that the image's git labels and time would come out the
// same: the commit HEAD names, the repository's config (remote.origin.url is the source label) and
// `git status` of the module. The same HEAD gives the same last commit touching the module; the
// same status and the same files (the stamp hashes them) give the same clean-or-not. Read from the
// files under .git with one git process, where provenance takes three: it is on the fast path.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const GIT_TIMEOUT_MS = 5_000;
/** Variables that point git somewhere else than the walk up from the module finds. */
const RELOCATING = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE'];

/**
 * One string that changes whenever the module's git provenance may; 'no git' outside a checkout;
 * undefined when it cannot be known this way (git relocated by the environment, an odd layout):
 * then no build can be reused.
 */
export async function gitState(
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  if (RELOCATING.some((name) => env[name] !== undefined)) return undefined;
  const gitDir = await findGitDir(resolve(dir));
  if (gitDir === undefined) return 'no git';
  const commonDir = await readText(join(gitDir, 'commondir')).then((text) =>
    text === undefined ? gitDir : resolve(gitDir, text.trim()),
  );
  const head = (await readText(join(gitDir, 'HEAD')))?.trim();
  if (head === undefined) return undefined;
  const commit = head.startsWith('ref: ') ? await refValue(commonDir, head.slice(5)) : head;
  const [config, status] = await Promise.all([
    readText(join(commonDir, 'config')),
    run(
      'git',
      [
        '-C',
        dir,
        'status',
        '--porcelain',
        '--untracked-files=all',
        '--',
        '.',
        ':(exclude).hla-compass',
      ],
      { env: env as NodeJS.ProcessEnv, timeout: GIT_TIMEOUT_MS },
    ).then(
      ({ stdout }) => stdout,
      () => undefined,
    ),
  ]);
  if (status === undefined) return undefined;
  return JSON.stringify({ gitDir, head, commit: commit ?? 'unborn', config, status });
}

/** The .git directory of the checkout holding `dir` (a `.git` file points at a worktree's). */
async function findGitDir(dir: string): Promise<string | undefined> {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, '.git');
    const info = await stat(candidate).catch(() => undefined);
    if (info?.isDirectory()) return candidate;
    if (info?.isFile()) {
      const pointer = /^gitdir: (.+)$/m.exec((await readText(candidate)) ?? '')?.[1];
      return pointer === undefined ? undefined : resolve(current, pointer.trim());
    }
    if (dirname(current) === current) return undefined;
  }
}

/** The commit a ref names: its loose file, else its line in packed-refs. */
async function refValue(commonDir: string, ref: string): Promise<string | undefined> {
  const loose = await readText(join(commonDir, ref));
  if (loose !== undefined) return loose.trim();
  const packed = (await readText(join(commonDir, 'packed-refs'))) ?? '';
  return packed
    .split('\n')
    .map((line) => line.split(' '))
    .find(([, name]) => name === ref)?.[0];
}

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}
