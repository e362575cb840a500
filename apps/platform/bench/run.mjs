// The emulator next to its floors, each measured in the same run on the same machine and
// printed as a ratio against it (issue 18's emulator rows):
//   start-up (spawn → "listening")  vs a bare Hono hello-world on @hono/node-server;
//   GET /v1/modules, 50 modules      vs floor-server.mjs: Hono + better-sqlite3 running the
//                                      emulator's own listing SQL on its database file, same JSON;
//   POST /v1/modules/publish         vs floor-server.mjs: the same registry HEAD (same local
//                                      docker-registry) and one insert transaction with the
//                                      emulator's journal_mode and synchronous.
// The hello-world's req/s is printed too, as the ceiling of the HTTP stack alone.
//
// Runs: loads are interleaved (one round = one load per server, the order rotating every round)
// so that the machine's noise falls on all servers alike, and the figures are medians of
// BENCH_ROUNDS (7) rounds of BENCH_SECONDS (1) s after a 0.5-s warm-up load each; start-up is the
// median of BENCH_STARTS (11) interleaved spawn pairs. Why that many: on the 2-core machine this
// was written on (other work running beside it), the ratio of one round alone ranged over
// 0.45–0.81× for GET and 0.57–0.83× for POST within one run, and one start-up pair over
// 1.97–3.31×; the medians of three whole runs were 0.60/0.62/0.63× (GET), 0.67/0.71/0.78× (POST)
// and 2.45/2.66/2.70× (start-up), steady enough to compare with a target. The spread of the
// rounds is printed beside each ratio. The whole file takes ~50 s.
// Start-up since the bin is one bundle (build.mjs) and computes no scrypt hash at start: 1.43×,
// 1.54× and 1.62× in three runs beside other work, 1.44× and 1.49× on a quiet machine (from
// 2.45–2.70×); GET 0.74×/0.79× and POST 0.71×/0.76× in those two quiet runs.
// Load comes from this process: keep-alive connections, loopback only.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '@hla-compass/registry-client';
import { startRegistry } from '@hla-compass/testkit';
import { durabilityPragmas } from './catalog-sql.mjs';
import {
  bin,
  DEVELOPER_KEY,
  manifest,
  median,
  packageDir,
  timedRequest,
  writeBenchSeed,
} from './emulator.mjs';

const STARTS = Number(process.env.BENCH_STARTS ?? 11);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

const HELLO = `
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
const app = new Hono();
app.get('/', (c) => c.json({ hello: 'world' }));
app.post('/', async (c) => c.json(await c.req.json(), 202));
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
  console.log('listening on http://127.0.0.1:' + info.port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** Spawns a server and resolves once it prints its URL: the start-up time is spawn → that line. */
function spawnServer(args) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/[\d.:]+)/.exec(output);
      if (match && !child.ready) {
        child.ready = true;
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        resolve({ url: match[1], ms, stop: () => stop(child) });
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`server exited (${code}) before listening:\n${output}`)),
    );
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

const helloArgs = ['--input-type=module', '-e', HELLO];
const emulatorArgs = (extra) => [bin, 'start', '--port', '0', '--registry', 'none', ...extra];
const floorArgs = (databaseFile) => [join(packageDir, 'bench', 'floor-server.mjs'), databaseFile];

/** Requests per second over `seconds` with `CONNECTIONS` keep-alive connections. */
async function load(url, request, seconds = SECONDS) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let done = 0;
  let failed = '';
  const deadline = Date.now() + seconds * 1000;
  const one = async (index) => {
    const { method, path, body, headers } = request(index);
    const { status } = await timedRequest(agent, url, method, path, body, headers);
    if (status >= 300) throw new Error(`${method} ${path}: ${status}`);
  };
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < deadline && failed === '') {
        try {
          await one(serial++);
          done++;
        } catch (error) {
          failed = error.message;
        }
      }
    }),
  );
  agent.destroy();
  if (failed !== '') throw new Error(failed);
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

// Every request of every load gets its own number: publishes of one module never repeat a version.
let serial = 0;

/**
 * Medians of ROUNDS interleaved loads of each of `servers` (`{ name: [url, request] }`), the
 * order rotating every round, after a warm-up load each; also each round's `ratio` figures.
 */
async function interleavedLoads(servers, ratio) {
  const entries = Object.entries(servers);
  for (const [, [url, request]] of entries) await load(url, request, 0.5);
  const perRound = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let turn = 0; turn < entries.length; turn++) {
      const [name, [url, request]] = entries[(round + turn) % entries.length];
      perRound[name].push(await load(url, request));
    }
  }
  const ratios = perRound[ratio[0]].map((value, round) => value / perRound[ratio[1]][round]);
  return {
    ...Object.fromEntries(entries.map(([name]) => [name, median(perRound[name])])),
    ratios,
  };
}

const format = (n) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** `value` against `floor`, the target, the spread of the per-round ratios, and what the floor is. */
function row(label, value, floor, unit, target, ratios, floorIs) {
  const ratio = `${(value / floor).toFixed(2)}×`;
  const spread =
    ratios === undefined
      ? ''
      : `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`;
  return `  ${label.padEnd(26)} ${`${format(value)} ${unit}`.padStart(12)} ${`${format(floor)} ${unit}`.padStart(12)} ${ratio.padStart(7)} ${target.padStart(8)} ${spread.padStart(11)}  ${floorIs}`;
}

const work = await mkdtemp(join(tmpdir(), 'hla-compass-platform-bench-'));
const registry = await startRegistry();
try {
  const lines = [
    `hla-compass-platform bench · node ${process.versions.node} · medians of ${ROUNDS} interleaved ${SECONDS}-s loads per server, ${CONNECTIONS} keep-alive connections`,
    `  ${'what'.padEnd(26)} ${'emulator'.padStart(12)} ${'floor'.padStart(12)} ${'ratio'.padStart(7)} ${'target'.padStart(8)} ${'per round'.padStart(11)}  floor`,
  ];

  // Start-up: interleaved so that machine noise hits both alike.
  const startups = { hello: [], emulator: [] };
  for (let run = 0; run < STARTS; run++) {
    for (const [name, args] of [
      ['hello', helloArgs],
      ['emulator', emulatorArgs(['--memory'])],
    ]) {
      const server = await spawnServer(args);
      startups[name].push(server.ms);
      await server.stop();
    }
  }
  lines.push(
    row(
      'start → listening',
      median(startups.emulator),
      median(startups.hello),
      'ms',
      '≤ 1.50×',
      startups.emulator.map((ms, run) => ms / startups.hello[run]),
      `a bare Hono hello (median of ${STARTS} spawn pairs)`,
    ),
  );

  const client = new RegistryClient();
  await client.pushImage(`${registry.host}/your-org/bench:1.0.0`, {
    config: { Labels: { bench: 'yes' } },
  });
  const seedFile = await writeBenchSeed(work, registry.host);

  const hello = await spawnServer(helloArgs);
  const emulator = await spawnServer(
    emulatorArgs(['--data', join(work, 'data'), '--seed', seedFile]),
  );
  const floor = await spawnServer(floorArgs(join(work, 'data', 'dev.db')));
  try {
    const imageRef = `${registry.host}/your-org/bench:1.0.0`;
    const publishBody = (name, version) =>
      JSON.stringify({ imageRef, manifest: manifest(name, version) });
    // A catalog to list: 50 modules.
    await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        fetch(`${emulator.url}/dev/v1/modules/publish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': DEVELOPER_KEY },
          body: publishBody(`listed-${index}`, '1.0.0'),
        }).then((response) => {
          if (response.status !== 202) throw new Error(`seeding the catalog: ${response.status}`);
        }),
      ),
    );

    // The floor answers what the emulator answers, byte for byte, or it is no floor.
    const [floorText, emulatorText] = await Promise.all([
      fetch(`${floor.url}/v1/modules`).then((response) => response.text()),
      fetch(`${emulator.url}/dev/v1/modules`, { headers: { 'x-api-key': DEVELOPER_KEY } }).then(
        (response) => response.text(),
      ),
    ]);
    if (floorText !== emulatorText) {
      throw new Error(
        `the floor's listing differs:\n${floorText}\nthe emulator's:\n${emulatorText}`,
      );
    }
    const listing = { method: 'GET', path: '/v1/modules' };
    const gets = await interleavedLoads(
      {
        hello: [hello.url, () => ({ method: 'GET', path: '/' })],
        floor: [floor.url, () => listing],
        emulator: [
          emulator.url,
          () => ({
            ...listing,
            path: `/dev${listing.path}`,
            headers: { 'x-api-key': DEVELOPER_KEY },
          }),
        ],
      },
      ['emulator', 'floor'],
    );
    lines.push(
      row(
        'GET /v1/modules',
        gets.emulator,
        gets.floor,
        'req/s',
        '≥ 0.70×',
        gets.ratios,
        'Hono + better-sqlite3: the same SQL and JSON, same database file (50 modules)',
      ),
    );

    const publishes = await interleavedLoads(
      {
        hello: [
          hello.url,
          (index) => ({ method: 'POST', path: '/', body: publishBody('bench', `2.0.${index}`) }),
        ],
        floor: [
          floor.url,
          (index) => ({
            method: 'POST',
            path: '/v1/modules/publish',
            body: publishBody('floor-bench', `1.0.${index}`),
          }),
        ],
        emulator: [
          emulator.url,
          (index) => ({
            method: 'POST',
            path: '/dev/v1/modules/publish',
            headers: { 'x-api-key': DEVELOPER_KEY },
            body: publishBody('bench', `1.0.${index}`),
          }),
        ],
      },
      ['emulator', 'floor'],
    );
    const { synchronous, journal_mode } = durabilityPragmas();
    lines.push(
      row(
        'POST /v1/modules/publish',
        publishes.emulator,
        publishes.floor,
        'req/s',
        '≥ 0.50×',
        publishes.ratios,
        `Hono + the same registry HEAD + one insert transaction (${journal_mode}, synchronous=${synchronous})`,
      ),
      `  the HTTP stack alone (a Hono hello): GET ${format(gets.hello)} req/s (emulator ${(gets.emulator / gets.hello).toFixed(2)}×, floor ${(gets.floor / gets.hello).toFixed(2)}×), POST echo ${format(publishes.hello)} req/s (emulator ${(publishes.emulator / publishes.hello).toFixed(2)}×, floor ${(publishes.floor / publishes.hello).toFixed(2)}×)`,
    );
  } finally {
    await hello.stop();
    await floor.stop();
    await emulator.stop();
  }
  console.log(lines.join('\n'));
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
