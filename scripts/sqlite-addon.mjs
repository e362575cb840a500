// better-sqlite3's native addon for the Node running this script: whether it loads, and the
// command that builds it. scripts/bootstrap.mjs installs with --ignore-scripts and runs it (or
// leaves it to scripts/node-matrix.mjs, which runs it while turbo builds and type-checks: it is a
// ~60 s single-threaded compile that otherwise held up the whole install with one core idle).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const platformDir = join(root, 'apps', 'platform');

/** True when the emulator's better-sqlite3 opens a database on this Node (any ABI mismatch fails). */
export function addonLoads() {
  const result = spawnSync(
    process.execPath,
    ['-e', "new (require('better-sqlite3'))(':memory:').close()"],
    { cwd: platformDir, stdio: 'ignore' },
  );
  return result.status === 0;
}

/**
 * The environment the package's install script needs: node-gyp must use this Node's own headers
 * instead of downloading them (pnpm ignores `nodedir` in .npmrc, so it has to come from here).
 */
export function buildEnvironment() {
  const env = { ...process.env };
  const nodePrefix = dirname(dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(join(nodePrefix, 'include', 'node', 'node.h'))) {
    env.npm_config_nodedir = nodePrefix;
  }
  return env;
}

/**
 * `pnpm rebuild better-sqlite3`: the package's own install script, as `pnpm install` runs it
 * (prebuild-install, which downloads a prebuilt addon where GitHub can be reached, else node-gyp),
 * as a command for the caller to run its way.
 */
export function rebuildCommand() {
  return { command: 'pnpm', args: ['rebuild', 'better-sqlite3'], env: buildEnvironment() };
}
