#!/usr/bin/env node
// Takes a machine with only Node and npm to a ready workspace: the pinned pnpm, then the
// dependencies from the frozen lockfile. Safe to run again; it only does what is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager, engines } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = packageManager.replace(/^pnpm@/, '');

function fail(message) {
  console.error(`bootstrap: ${message}`);
  process.exit(1);
}

function versionAtLeast(actual, wanted) {
  const a = actual.split('.').map(Number);
  const w = wanted.split('.').map(Number);
  for (let i = 0; i < w.length; i++) {
    if ((a[i] ?? 0) !== w[i]) return (a[i] ?? 0) > w[i];
  }
  return true;
}

const minNode = engines.node.replace(/^>=/, '');
if (!versionAtLeast(process.versions.node, minNode)) {
  fail(`Node ${process.versions.node} is too old; this project needs Node ${minNode} or newer.`);
}

function installedPnpm() {
  const result = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

const found = installedPnpm();
if (found !== pnpmVersion) {
  // Corepack cannot be used on machines whose npm registry metadata lacks signatures.
  console.error(`bootstrap: installing pnpm ${pnpmVersion} with npm (found ${found ?? 'no pnpm'})`);
  const result = spawnSync('npm', ['install', '--global', '--save-exact', `pnpm@${pnpmVersion}`], {
    stdio: 'inherit',
  });
  if (result.status !== 0 || installedPnpm() !== pnpmVersion) {
    fail(
      `could not install pnpm ${pnpmVersion} globally. Run \`npm install -g -E pnpm@${pnpmVersion}\` ` +
        '(with sudo if your npm prefix needs it), then run this command again.',
    );
  }
}

// better-sqlite3 compiles from source here; node-gyp must use this Node's own headers instead of
// downloading them (pnpm ignores `nodedir` in .npmrc, so it has to come from the environment).
const env = { ...process.env };
const nodePrefix = dirname(dirname(process.execPath));
if (!env.npm_config_nodedir && existsSync(join(nodePrefix, 'include', 'node', 'node.h'))) {
  env.npm_config_nodedir = nodePrefix;
}

try {
  execFileSync('pnpm', ['install', '--frozen-lockfile'], { cwd: root, stdio: 'inherit', env });
} catch {
  fail('`pnpm install --frozen-lockfile` failed; see the output above.');
}
