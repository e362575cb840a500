// better-sqlite3's native addon for the Node running this script: whether it loads, and the
// environment its build needs. scripts/bootstrap.mjs installs with --ignore-scripts and builds the
// addon after (or leaves it to scripts/node-matrix.mjs, which builds it while turbo builds and
// type-checks: a ~60 s single-threaded compile that held the whole install up with one core idle).
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

export const SQLITE_PACKAGE = 'better-sqlite3';

/**
 * What `pnpm rebuild better-sqlite3` (the package's own install script: prebuild-install, which
 * downloads a prebuilt addon where GitHub can be reached, else node-gyp) needs in its environment:
 * node-gyp must use this Node's own headers instead of downloading them (pnpm ignores `nodedir` in
 * .npmrc, so it has to come from here).
 */
export function addonBuildEnvironment() {
  const env = { ...process.env };
  const nodePrefix = dirname(dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(join(nodePrefix, 'include', 'node', 'node.h'))) {
    env.npm_config_nodedir = nodePrefix;
  }
  return env;
}
