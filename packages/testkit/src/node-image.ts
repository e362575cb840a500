// A Node base image made without any pull, standing in for the official node image offline:
// this machine's node binary, its npm, /bin/sh and /usr/bin/env (npm runs install scripts with
// them) and the shared libraries they load, imported into the engine as one layer.
import { chmod, mkdir, realpath, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureImportedImage, sharedLibraries, tar } from './imported-image.js';

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
export function ensureNodeBaseImage(
  dockerHost: string,
  tag: string = NODE_BASE_IMAGE_TAG,
): Promise<string> {
  return ensureImportedImage(dockerHost, tag, {
    service: SERVICE,
    madeFrom: "this machine's node",
    async writeArchive(archive, stage) {
      const node = await realpath(process.execPath);
      await writeArchive(archive, stage, node, npmDirectoryOf(node));
      return ['ENV PATH=/usr/local/bin:/usr/bin:/bin', 'CMD ["node"]'];
    },
  });
}

async function writeArchive(archive: string, stage: string, node: string, npm: string) {
  const binaries = [node, ...PROGRAMS];
  const libraries = await sharedLibraries(binaries);
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
  await tar(SERVICE, [
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
  await tar(SERVICE, [
    '-r',
    '-h',
    '-f',
    archive,
    '-C',
    '/',
    ...[...binaries, ...libraries].map(relative),
  ]);
  await tar(SERVICE, ['-r', '-f', archive, '-C', '/', relative(npm)]);
  await tar(SERVICE, ['-r', '-f', archive, '-C', root, 'usr/bin/npm']);
}

/** `/usr/lib/x/y.so` → `/usr`, `/usr/lib`, `/usr/lib/x`. */
function ancestors(path: string): string[] {
  const parts = path.split('/').slice(1, -1);
  return parts.map((_, index) => `/${parts.slice(0, index + 1).join('/')}`);
}
