// Packs a workspace package the way it is published: `pnpm pack` (which rewrites `workspace:` and
// `catalog:` ranges into versions) with lifecycle scripts off, then the packed package.json
// without its devDependencies: they name workspace packages (the private testkit among them) and
// tools no user installs. The checkout's package.json is never rewritten, not even for a moment:
// a pnpm command running meanwhile in the workspace would install from the stripped one and prune
// the lockfile. Prints the tarball's path; publish it with `npm publish <tarball>`.
//
//   node scripts/pack-published.mjs <package dir> <destination dir>
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [packageDir, destination] = process.argv.slice(2).map((path) => resolve(path));
if (packageDir === undefined || destination === undefined) {
  throw new Error('usage: node scripts/pack-published.mjs <package dir> <destination dir>');
}
const work = await mkdtemp(join(tmpdir(), 'hla-compass-pack-'));
try {
  execFileSync('pnpm', ['--config.ignore-scripts=true', 'pack', '--pack-destination', work], {
    cwd: packageDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [tarball] = (await readdir(work)).filter((file) => file.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`pnpm pack left no tarball for ${packageDir}`);
  const unpacked = join(work, 'unpacked');
  await mkdir(unpacked);
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', unpacked]);
  const manifestPath = join(unpacked, 'package', 'package.json');
  const { devDependencies: _, ...manifest } = JSON.parse(await readFile(manifestPath, 'utf8'));
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  await mkdir(destination, { recursive: true });
  const packed = join(destination, tarball);
  execFileSync('tar', [
    '-czf',
    packed,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    unpacked,
    'package',
  ]);
  process.stdout.write(`${packed}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}
