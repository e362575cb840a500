// The growth curve (issue 18): one emulator on disk per catalog size, 100, 1,000 and 10,000
// modules of 10 versions each, all three running at once; per size the latency of the listing's
// first page (GET /v1/modules, 100 modules a page at every size), `modules show` (GET one
// module, a random one), a publish (a new version of a random module) and that publish's
// status, p50 and p99, with each size's p50 and p99 against the 100-module size's measured in
// the same run. The page stays 100 modules: a row that grows grows with the table.
//
// Seeding: each emulator first starts on an empty --data directory (its migrations and the
// bench seed's orgs, users and keys), stops, and the modules and versions are inserted straight
// into its <data>/dev.db with better-sqlite3 in one transaction (10,000 modules take about a
// second); three quarters belong to the developer's org (scope org), a quarter to other-org
// (approved, public), so the listing's visibility rule has both kinds to decide on.
//
// Runs: BENCH_GROWTH_ROUNDS (300) rounds after 30 warm-up rounds; a round is one request of each
// kind to each size in turn, the order of the sizes rotating each round, one request at a time,
// so noise falls on all sizes alike. Why 300: a p99 is then the 3rd-slowest sample, not the
// slowest, and it takes ~15 s. On the 2-core machine this was written on (other work beside it)
// the p50 ratios held over four runs, while the p99 ratios swung (0.75–2.15×, also 0.66–1.32×
// in one run with nothing growing): read the p50 column for growth, the p99 for stalls.
//
// What it measured. Before migration 4, the listing grew: p50 1.44–1.55× at 10,000 (2.43, 2.52,
// 3.50 ms at 100, 1,000, 10,000 in one run; p99 7.57, 6.51, 8.09 ms), every other row 0.93–1.12×,
// because its total was a count(*) that SCANned modules on every page (timed alone 0.011, 0.059,
// 0.536 ms) beside a page statement flat at ~0.38 ms. Since then the total reads the counts the
// migration's triggers keep (SEARCH of one org's row): 0.012–0.015 ms at every size, and the
// listing is flat: p50 2.32, 2.37, 2.33 ms and 2.13, 2.14, 2.09 ms in two runs (0.98–1.02×), p99
// 0.33–1.04× of the 100 size's (which reached 15.6 and 55.7 ms: the machine was busier then,
// seeding 10,000 modules took 7–8 s instead of 1.3 s; the page alone 0.34–0.36 ms as arrays).
//
// Then the listing's two statements timed alone at each size (the page read as arrays, as the
// emulator reads it), EXPLAIN QUERY PLAN of them on the 10,000-module database, and, with
// BENCH_CPU_PROF=<dir>, a `node --cpu-prof` of the 10,000-module emulator (the rounds, then a
// BENCH_PROFILE_SECONDS (3) listing-only load), its top frames by self time printed.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RegistryClient } from '@hla-compass/registry-client';
import { startRegistry } from '@hla-compass/testkit';
import Database from 'better-sqlite3';
import { LISTING_SQL } from './catalog-sql.mjs';
import {
  manifest,
  median,
  quantile,
  startEmulator,
  timedRequest,
  writeBenchSeed,
} from './emulator.mjs';

const SIZES = [100, 1_000, 10_000];
const VERSIONS = 10;
const ROUNDS = Number(process.env.BENCH_GROWTH_ROUNDS ?? 300);
const WARMUP = 30;
const STATEMENT_RUNS = 200;
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const PROFILE_SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 3);

const hex = (n, width) => n.toString(16).padStart(width, '0');

/** Inserts `count` modules of VERSIONS versions each into the emulator's stopped database. */
function seedCatalog(file, count, repositoryOf, digest) {
  const db = new Database(file);
  db.pragma('synchronous = OFF');
  const users = Object.fromEntries(
    db
      .prepare(
        `SELECT org_id, id FROM users WHERE email IN ('developer@your-org.test', 'developer@other-org.test')`,
      )
      .all()
      .map((user) => [user.org_id, user.id]),
  );
  const insertModule = db.prepare(
    `INSERT INTO modules (id, org_id, name, created_at, updated_at, current_version_id,
       current_public_version_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertVersion = db.prepare(
    `INSERT INTO versions (id, publish_id, module_id, org_id, module_name, version, repository,
       digest, scope, state, manifest, submitted_by, created_at, decided_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'APPROVED', ?, ?, ?, ?)`,
  );
  const pointModule = db.prepare(
    'UPDATE modules SET current_version_id = ?, current_public_version_id = ? WHERE id = ?',
  );
  const moduleIds = [];
  db.transaction(() => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let index = 0; index < count; index++) {
      const org = index % 4 === 3 ? 'other-org' : 'your-org';
      const scope = org === 'your-org' ? 'org' : 'public';
      const name = `growth-${String(index).padStart(5, '0')}`;
      const moduleId = `mod_${hex(index, 20)}`;
      const at = new Date(start + index * 60_000).toISOString();
      const current = `ver_${hex(index * VERSIONS + VERSIONS - 1, 20)}`;
      // Foreign keys: the module first, pointing at its current version once that exists.
      insertModule.run(moduleId, org, name, at, at, null, null);
      for (let v = 0; v < VERSIONS; v++) {
        const serial = hex(index * VERSIONS + v, 20);
        const text = JSON.stringify(manifest(name, `1.0.${v}`));
        const user = users[org];
        insertVersion.run(
          `ver_${serial}`,
          `pub_${serial}`,
          moduleId,
          org,
          name,
          `1.0.${v}`,
          repositoryOf(org),
          digest,
          scope,
          text,
          user,
          at,
          at,
        );
      }
      pointModule.run(current, scope === 'public' ? current : null, moduleId);
      if (org === 'your-org') moduleIds.push({ id: moduleId, name });
    }
  })();
  db.close();
  return moduleIds;
}

/**
 * The top `count` frames of a .cpuprofile by self time, as printable lines; each with the lines
 * its self time fell on (a native call, SQLite's work say, counts on the line that made it).
 */
function topFrames(profile, count) {
  const interval = (profile.endTime - profile.startTime) / profile.samples.length / 1000;
  const self = new Map();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const where = url === '' ? '' : ` ${url.replace(/^.*\/node_modules\//, '')}:${lineNumber + 1}`;
    const key = `${functionName || '(anonymous)'}${where}`;
    const frame = self.get(key) ?? { hits: 0, lines: new Map() };
    frame.hits += node.hitCount;
    for (const { line, ticks } of node.positionTicks ?? []) {
      frame.lines.set(line, (frame.lines.get(line) ?? 0) + ticks);
    }
    self.set(key, frame);
  }
  const busy = [...self.values()].reduce((sum, frame) => sum + frame.hits, 0);
  return [...self]
    .sort((a, b) => b[1].hits - a[1].hits)
    .slice(0, count)
    .map(([key, { hits, lines }]) => {
      const byLine = [...lines]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([line, ticks]) => `line ${line} ${Math.round((100 * ticks) / hits)}%`)
        .join(', ');
      return `    ${((100 * hits) / busy).toFixed(1).padStart(5)}%  ${(hits * interval).toFixed(0).padStart(6)} ms  ${key}${byLine === '' ? '' : `  (${byLine})`}`;
    });
}

const work = await mkdtemp(join(tmpdir(), 'hla-compass-platform-growth-'));
const registry = await startRegistry();
const emulators = [];
try {
  const imageRef = `${registry.host}/your-org/bench:1.0.0`;
  const { digest } = await new RegistryClient().pushImage(imageRef, {
    config: { Labels: { bench: 'growth' } },
  });
  const seedFile = await writeBenchSeed(work, registry.host);
  const sizes = [];
  for (const size of SIZES) {
    const dataDir = join(work, `data-${size}`);
    const args = ['--data', dataDir, '--seed', seedFile];
    await (await startEmulator(args)).stop();
    const file = join(dataDir, 'dev.db');
    const seeding = process.hrtime.bigint();
    const modules = seedCatalog(file, size, (org) => `${registry.host}/${org}/bench`, digest);
    const seededMs = Number(process.hrtime.bigint() - seeding) / 1e6;
    const profiled = PROFILE_DIR !== undefined && size === SIZES.at(-1);
    const nodeArgs = profiled ? ['--cpu-prof', `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : [];
    const emulator = await startEmulator(args, nodeArgs);
    emulators.push(emulator);
    sizes.push({ size, file, modules, seededMs, url: emulator.url, profiled, times: {} });
  }

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const OPERATIONS = ['GET /v1/modules (page)', 'modules show', 'publish', 'publish status'];
  const random = (items) => items[Math.floor(Math.random() * items.length)];
  const expect = (response, status, what) => {
    if (response.status !== status) {
      throw new Error(`${what}: HTTP ${response.status} ${response.text.slice(0, 300)}`);
    }
    return response;
  };
  for (const entry of sizes) for (const name of OPERATIONS) entry.times[name] = [];
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (let turn = 0; turn < sizes.length; turn++) {
      const entry = sizes[(round + turn) % sizes.length];
      const { url, modules, times } = entry;
      const timings = [];
      timings.push(expect(await timedRequest(agent, url, 'GET', '/dev/v1/modules'), 200, 'list'));
      const shown = random(modules);
      timings.push(
        expect(await timedRequest(agent, url, 'GET', `/dev/v1/modules/${shown.id}`), 200, 'show'),
      );
      const body = JSON.stringify({ imageRef, manifest: manifest(shown.name, `2.0.${round}`) });
      const published = expect(
        await timedRequest(agent, url, 'POST', '/dev/v1/modules/publish', body),
        202,
        'publish',
      );
      timings.push(published);
      const { publishId } = JSON.parse(published.text);
      timings.push(
        expect(
          await timedRequest(agent, url, 'GET', `/dev/v1/modules/publish/${publishId}`),
          200,
          'status',
        ),
      );
      if (round < WARMUP) continue;
      for (const [index, name] of OPERATIONS.entries()) times[name].push(timings[index].ms);
    }
  }

  const lines = [
    `hla-compass-platform growth · node ${process.versions.node} · ${ROUNDS} interleaved rounds (after ${WARMUP} warm-up), one request at a time, ${VERSIONS} versions a module, page = 100 modules`,
    `  seeded by direct inserts: ${sizes.map((entry) => `${entry.size.toLocaleString('en-US')} in ${entry.seededMs.toFixed(0)} ms`).join(', ')}`,
    `  ${'operation'.padEnd(24)} ${'modules'.padStart(7)} ${'versions'.padStart(9)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'p50 vs 100'.padStart(11)} ${'p99 vs 100'.padStart(11)}`,
  ];
  for (const name of OPERATIONS) {
    let base;
    for (const entry of sizes) {
      const sorted = [...entry.times[name]].sort((a, b) => a - b);
      const p50 = quantile(sorted, 0.5);
      const p99 = quantile(sorted, 0.99);
      base ??= { p50, p99 };
      lines.push(
        `  ${(entry === sizes[0] ? name : '').padEnd(24)} ${entry.size.toLocaleString('en-US').padStart(7)} ${(entry.size * VERSIONS).toLocaleString('en-US').padStart(9)} ${`${p50.toFixed(2)} ms`.padStart(9)} ${`${p99.toFixed(2)} ms`.padStart(9)} ${`${(p50 / base.p50).toFixed(2)}×`.padStart(11)} ${`${(p99 / base.p99).toFixed(2)}×`.padStart(11)}`,
      );
    }
  }

  // Why a listing costs what it costs: its two statements timed alone in this process (median
  // of STATEMENT_RUNS each, interleaved), and SQLite's plan for them at the largest size.
  const visibility = { all: 0, org: 'your-org' };
  const page = { ...visibility, limit: 100, offset: 0 };
  const statements = sizes.map((entry) => {
    const db = new Database(entry.file, { readonly: true });
    return {
      entry,
      db,
      page: db.prepare(LISTING_SQL.page).raw(),
      total: db.prepare(LISTING_SQL.total),
    };
  });
  const statementMs = statements.map(() => ({ page: [], total: [] }));
  for (let run = 0; run < STATEMENT_RUNS; run++) {
    for (const [index, statement] of statements.entries()) {
      for (const [label, execute] of [
        ['page', () => statement.page.all(page)],
        ['total', () => statement.total.get(visibility)],
      ]) {
        const started = process.hrtime.bigint();
        execute();
        statementMs[index][label].push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }
  }
  lines.push(
    `  the listing's statements alone (better-sqlite3 in this process, median of ${STATEMENT_RUNS}):`,
  );
  for (const [index, { entry }] of statements.entries()) {
    const [pageMs, totalMs] = [median(statementMs[index].page), median(statementMs[index].total)];
    const [pageBase, totalBase] = [median(statementMs[0].page), median(statementMs[0].total)];
    lines.push(
      `    ${entry.size.toLocaleString('en-US').padStart(7)} modules: page (LIMIT 100) ${pageMs.toFixed(3)} ms (${(pageMs / pageBase).toFixed(2)}× vs 100), total ${totalMs.toFixed(3)} ms (${(totalMs / totalBase).toFixed(2)}× vs 100)`,
    );
  }
  const largest = sizes.at(-1);
  const { db } = statements.at(-1);
  for (const [label, sql] of Object.entries(LISTING_SQL)) {
    lines.push(`  EXPLAIN QUERY PLAN, listing ${label} (${largest.size.toLocaleString('en-US')}):`);
    const params = label === 'total' ? visibility : page;
    for (const step of db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params)) {
      lines.push(`    ${step.detail}`);
    }
  }
  for (const statement of statements) statement.db.close();

  if (largest.profiled) {
    // A listing-only load, one request at a time, for the profile to show the listing's frames.
    const deadline = Date.now() + PROFILE_SECONDS * 1000;
    let listed = 0;
    while (Date.now() < deadline) {
      expect(await timedRequest(agent, largest.url, 'GET', '/dev/v1/modules'), 200, 'list');
      listed++;
    }
    await emulators.pop().stop();
    // Named CPU.<date>.<time>.<pid>…: the newest is this run's.
    const file = (await readdir(PROFILE_DIR))
      .filter((name) => name.endsWith('.cpuprofile'))
      .sort()
      .at(-1);
    if (file === undefined) throw new Error(`no .cpuprofile in ${PROFILE_DIR}`);
    const profile = JSON.parse(await readFile(join(PROFILE_DIR, file), 'utf8'));
    lines.push(
      `  node --cpu-prof of the ${largest.size.toLocaleString('en-US')}-module emulator (the rounds above, then ${listed} listings in ${PROFILE_SECONDS} s), top frames by self time: ${join(PROFILE_DIR, file)}`,
      ...topFrames(profile, 15),
    );
  }
  agent.destroy();
  console.log(lines.join('\n'));
} finally {
  for (const emulator of emulators) await emulator.stop();
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
