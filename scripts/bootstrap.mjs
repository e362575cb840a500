#!/usr/bin/env node
// Takes a machine with only Node and npm to a ready workspace: the pinned pnpm, then the
// dependencies from the frozen lockfile, and their build scripts. Safe to run again; it only does
// what is missing. `--defer-addon` leaves better-sqlite3's addon to scripts/node-matrix.mjs.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addonBuildEnvironment, addonLoads, SQLITE_PACKAGE } from './sqlite-addon.mjs';

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

// Dependencies' install scripts run after the install, named: pnpm's own run of better-sqlite3's
// (a ~60 s single-threaded compile where no prebuilt can be downloaded) held the whole install up
// with one core idle, and `npm test` has other work for that core (see sqlite-addon.mjs).
try {
  execFileSync('pnpm', ['install', '--frozen-lockfile', '--ignore-scripts'], {
    cwd: root,
    stdio: 'inherit',
  });
} catch {
  fail('`pnpm install --frozen-lockfile` failed; see the output above.');
}

/** The dependencies pnpm-workspace.yaml allows to run build scripts (`allowBuilds: name: true`). */
function allowedBuilds() {
  const lines = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').split('\n');
  const start = lines.indexOf('allowBuilds:');
  if (start === -1) fail('pnpm-workspace.yaml has no `allowBuilds:` block.');
  const allowed = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(' ')) break;
    const entry = /^ {2}("?)([@\w./-]+)\1: (true|false)$/.exec(line);
    if (entry === null)
      fail(`pnpm-workspace.yaml: cannot read allowBuilds line ${JSON.stringify(line)}`);
    if (entry[3] === 'true') allowed.push(entry[2]);
  }
  return allowed;
}

/** `pnpm rebuild` of these packages: their own build scripts, as `pnpm install` runs them. */
function rebuild(names, env = process.env) {
  try {
    execFileSync('pnpm', ['rebuild', ...names], { cwd: root, stdio: 'inherit', env });
  } catch {
    fail(`\`pnpm rebuild ${names.join(' ')}\` failed; see the output above.`);
  }
}

const others = allowedBuilds().filter((name) => name !== SQLITE_PACKAGE);
if (others.length > 0) rebuild(others);
if (!process.argv.includes('--defer-addon') && !addonLoads()) {
  console.error('bootstrap: building better-sqlite3 for this Node');
  rebuild([SQLITE_PACKAGE], addonBuildEnvironment());
  if (!addonLoads()) fail('better-sqlite3 was built but does not load on this Node.');
}
