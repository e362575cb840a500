// A Node base image made without any pull, standing in for the official node image offline:
// this machine's node binary, its npm, /bin/sh and /usr/bin/env (npm runs install scripts with
// them) and the shared libraries they load, imported into the engine as one layer.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { imageId, parseLddOutput, splitTag } from './base-image.js';
import { engineRequest, progressError, socketPathOf } from './engine-api.js';
import { ServiceUnavailableError } from './service-unavailable.js';

const run = promisify(execFile);

const SERVICE = 'The test Node base image';
const PROGRAMS = ['/bin/sh', '/usr/bin/env'];

/** `hla-compass-test/node:<this machine's Node version>`. */
export const NODE_BASE_IMAGE_TAG = `hla-compass-test/node:${process.versions.node}`;

/** Where npm's package lives next to a node binary (`/usr/bin/node` → `/usr/lib/node_modules/npm`). */
export function npmDirectoryOf(nodeBinary: string): string {
  return join(dirname(dirname(nodeBinary)), 'lib', 'node_modules', 'npm');
}

/**
 * Makes `tag` exist in the engine at `dockerHost` and returns its image id: a no-op when it is
 * there, else `docker import` (through the engine API) of the running node, its npm (with an
 * `npm` launcher in /usr/bin), /bin/sh, /usr/bin/env, their libraries and an empty /tmp. Needs a
 * Linux host, as the files go into a Linux image.
 */
export async function ensureNodeBaseImage(
  dockerHost: string,
  tag: string = NODE_BASE_IMAGE_TAG,
): Promise<string> {
  const socketPath = socketPathOf(dockerHost);
  const existing = await imageId(socketPath, tag);
  if (existing !== undefined) return existing;
  if (process.platform !== 'linux') {
    throw new ServiceUnavailableError(
      SERVICE,
      `it is made from this machine's node, which is not a Linux program on ${process.platform}`,
    );
  }
  const node = await realpath(process.execPath);
  const npm = npmDirectoryOf(node);
  const stage = await mkdtemp(join(tmpdir(), 'hla-node-image-'));
  try {
    const archive = join(stage, 'image.tar');
    await writeArchive(archive, stage, node, npm);
    return await importArchive(socketPath, tag, archive);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

async function tar(args: string[]): Promise<void> {
  try {
    await run('tar', args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    throw new ServiceUnavailableError(SERVICE, `tar ${args.join(' ')} failed: ${stderr.trim()}`);
  }
}

async function writeArchive(archive: string, stage: string, node: string, npm: string) {
  const binaries = [node, ...PROGRAMS];
  const libraries = new Set<string>();
  for (const binary of binaries) {
    for (const library of parseLddOutput((await run('ldd', [binary])).stdout)) {
      libraries.add(library);
    }
  }
  const root = join(stage, 'root');
  const hostFiles = [...binaries, ...libraries, npm];
  // Every parent directory as an entry of its own (mode 0755): without one, the import makes it
  // 0700 and a non-root user finds no node on PATH.
  const directories = [...new Set(hostFiles.flatMap(ancestors))].sort();
  for (const directory of [...directories, '/tmp']) {
    await mkdir(join(root, directory), { recursive: true, mode: 0o755 });
  }
  await chmod(join(root, 'tmp'), 0o1777);
  // A launcher rather than npm's own symlink: npm-cli.js finds its package relative to itself.
  const launcher = join(root, 'usr', 'bin', 'npm');
  await writeFile(launcher, `#!/bin/sh\nexec ${node} ${join(npm, 'bin', 'npm-cli.js')} "$@"\n`);
  await chmod(launcher, 0o755);
  const relative = (path: string) => path.slice(1);
  await tar([
    '-c',
    '--no-recursion',
    '-f',
    archive,
    '-C',
    root,
    ...directories.map(relative),
    'tmp',
  ]);
  // -h stores what symlinks point to (merged /usr, /bin/sh → dash), so the image needs no links;
  // npm goes in a pass without it, keeping its own relative .bin links.
  await tar(['-r', '-h', '-f', archive, '-C', '/', ...[...binaries, ...libraries].map(relative)]);
  await tar(['-r', '-f', archive, '-C', '/', relative(npm)]);
  await tar(['-r', '-f', archive, '-C', root, 'usr/bin/npm']);
}

/** `/usr/lib/x/y.so` → `/usr`, `/usr/lib`, `/usr/lib/x`. */
function ancestors(path: string): string[] {
  const parts = path.split('/').slice(1, -1);
  return parts.map((_, index) => `/${parts.slice(0, index + 1).join('/')}`);
}

async function importArchive(socketPath: string, tag: string, archive: string): Promise<string> {
  const { repository, tag: version } = splitTag(tag);
  const query = new URLSearchParams({ fromSrc: '-', repo: repository, tag: version });
  query.append('changes', 'ENV PATH=/usr/local/bin:/usr/bin:/bin');
  query.append('changes', 'CMD ["node"]');
  const response = await engineRequest(socketPath, 'POST', `/images/create?${query}`, {
    body: createReadStream(archive),
    contentType: 'application/x-tar',
    timeoutMs: 300_000,
  });
  const failure =
    response.status === 200 ? progressError(response.body) : `HTTP ${response.status}`;
  if (failure !== undefined) {
    throw new ServiceUnavailableError(SERVICE, `importing ${tag} failed: ${failure}`);
  }
  const id = await imageId(socketPath, tag);
  if (id === undefined)
    throw new ServiceUnavailableError(SERVICE, `${tag} is missing after import`);
  return id;
}
