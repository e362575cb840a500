// better-sqlite3's native addon for the Node running this script: whether it loads, and building
// it. scripts/bootstrap.mjs installs with --ignore-scripts and builds it here (or leaves it to
// scripts/node-matrix.mjs, which builds it while turbo builds and type-checks: it is a ~60 s
// single-threaded compile that otherwise held up the whole install with one core idle).
import { spawn, spawnSync } from 'node:child_process';
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
 * (prebuild-install, which downloads a prebuilt addon where GitHub can be reached, else node-gyp).
 * Resolves to true when it succeeded; its output goes through, each line prefixed.
 */
export function rebuildAddon({ prefix = '[better-sqlite3]' } = {}) {
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['rebuild', 'better-sqlite3'], {
      cwd: root,
      env: buildEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) console.log(`${prefix} ${line}`);
      });
      stream.on('end', () => {
        if (pending !== '') console.log(`${prefix} ${pending}`);
      });
    }
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}
