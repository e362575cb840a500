// The CLI and the emulator as users get them: the workspace's published packages put into a local
// verdaccio (no uplinks) beside a mirror of the third-party packages they need at run time, then
// `npm install -g @hla-compass/cli` from there into a temp prefix.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type InstalledPackage,
  productionClosure,
  type RunningVerdaccio,
  runProcess,
} from '@hla-compass/testkit';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** verdaccio's own bin, from this package's devDependencies. */
export const VERDACCIO_BIN = fileURLToPath(
  new URL('../node_modules/verdaccio/bin/verdaccio', import.meta.url),
);

/** The emulator's built bin, which testkit's startEmulator runs. */
export const EMULATOR_BIN = join(REPOSITORY_ROOT, 'apps', 'platform', 'dist', 'bin.js');

const PACK_SCRIPT = join(REPOSITORY_ROOT, 'scripts', 'pack-published.mjs');

/** The runtime dependencies' tarballs, kept between runs (node_modules is never committed). */
export const MIRROR_CACHE = join(
  REPOSITORY_ROOT,
  'node_modules',
  '.cache',
  'hla-compass-e2e-npm-mirror',
);

/**
 * What is published, dependencies first: the CLI (a bundle with no runtime dependencies), the
 * emulator and the shared libraries, so a broken `files` list or an unrewritten `workspace:` range
 * fails here.
 */
export const PUBLISHED_PACKAGES = [
  'packages/manifest',
  'packages/signing',
  'packages/registry-client',
  'packages/platform-api',
  'packages/local-registry',
  'apps/platform',
  'apps/cli',
] as const;

const CLI_PACKAGE = 'apps/cli';
const PLATFORM_PACKAGE = 'apps/platform';

async function workspacePackage(dir: string): Promise<{ name: string; version: string }> {
  const text = await readFile(join(REPOSITORY_ROOT, dir, 'package.json'), 'utf8');
  const { name, version } = JSON.parse(text) as { name?: unknown; version?: unknown };
  if (typeof name !== 'string' || typeof version !== 'string') {
    throw new Error(`${dir}/package.json has no name or version`);
  }
  return { name, version };
}

export const cliPackage = () => workspacePackage(CLI_PACKAGE);

/** `@hla-compass/platform` (bin `hla-compass-platform`) and the version verdaccio holds. */
export const platformPackage = () => workspacePackage(PLATFORM_PACKAGE);

/**
 * The third-party packages the published ones need at run time (hono, zod, better-sqlite3 and
 * its prebuild-install closure, …), exactly as installed in the workspace's node_modules.
 */
export function runtimeDependencies(): Promise<InstalledPackage[]> {
  return productionClosure(PUBLISHED_PACKAGES.map((dir) => join(REPOSITORY_ROOT, dir)));
}

/** One after the other: verdaccio's package list is a single file that concurrent publishes race on. */
export async function publishTarballs(
  verdaccio: RunningVerdaccio,
  tarballs: readonly string[],
): Promise<void> {
  for (const tarball of tarballs) await verdaccio.publishTarball(tarball);
}

/**
 * Each published package packed as a release packs it (scripts/pack-published.mjs: versions for
 * the `workspace:` and `catalog:` ranges, no devDependencies), all at once; tarballs in order.
 */
export function packWorkspacePackages(
  destination: string,
  env: Readonly<Record<string, string>>,
): Promise<string[]> {
  return Promise.all(
    PUBLISHED_PACKAGES.map(async (dir) => {
      const packed = await runProcess(
        process.execPath,
        [PACK_SCRIPT, join(REPOSITORY_ROOT, dir), destination],
        { env },
      );
      if (packed.code !== 0) throw new Error(`packing ${dir} failed:\n${packed.stderr.trim()}`);
      return packed.stdout.trim();
    }),
  );
}

/** Installs the CLI globally into `prefix` and returns the path of its `hla-compass` bin. */
export async function installCli(verdaccio: RunningVerdaccio, prefix: string): Promise<string> {
  const { name, version } = await cliPackage();
  await verdaccio.installGlobal(`${name}@${version}`, prefix);
  return join(prefix, 'bin', 'hla-compass');
}
