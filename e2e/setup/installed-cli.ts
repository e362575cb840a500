// The CLI as users get it: the workspace's published packages put into a local verdaccio (no
// uplinks), then `npm install -g @hla-compass/cli` from there into a temp prefix.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningVerdaccio } from '@hla-compass/testkit';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** verdaccio's own bin, from this package's devDependencies. */
export const VERDACCIO_BIN = fileURLToPath(
  new URL('../node_modules/verdaccio/bin/verdaccio', import.meta.url),
);

/** The emulator's built bin, which testkit's startEmulator runs. */
export const EMULATOR_BIN = join(REPOSITORY_ROOT, 'apps', 'platform', 'dist', 'bin.js');

/**
 * What is published, dependencies first: the CLI (a bundle with no runtime dependencies) and the
 * shared libraries, so a broken `files` list or an unrewritten `workspace:` range fails here.
 */
export const PUBLISHED_PACKAGES = [
  'packages/manifest',
  'packages/signing',
  'packages/registry-client',
  'packages/platform-api',
  'apps/cli',
] as const;

const CLI_PACKAGE = 'apps/cli';

export async function cliPackage(): Promise<{ name: string; version: string }> {
  const text = await readFile(join(REPOSITORY_ROOT, CLI_PACKAGE, 'package.json'), 'utf8');
  const { name, version } = JSON.parse(text) as { name?: unknown; version?: unknown };
  if (typeof name !== 'string' || typeof version !== 'string') {
    throw new Error(`${CLI_PACKAGE}/package.json has no name or version`);
  }
  return { name, version };
}

/** One after the other: verdaccio's package list is a single file that concurrent publishes race on. */
export async function publishWorkspacePackages(verdaccio: RunningVerdaccio): Promise<void> {
  for (const dir of PUBLISHED_PACKAGES) await verdaccio.publish(join(REPOSITORY_ROOT, dir));
}

/** Installs the CLI globally into `prefix` and returns the path of its `hla-compass` bin. */
export async function installCli(verdaccio: RunningVerdaccio, prefix: string): Promise<string> {
  const { name, version } = await cliPackage();
  await verdaccio.installGlobal(`${name}@${version}`, prefix);
  return join(prefix, 'bin', 'hla-compass');
}
