// The emulator's figures next to a bare Hono hello-world on @hono/node-server, measured in the
// same run on the same machine and printed as ratios: start-up (spawn → listening), requests
// per second for GET /v1/modules, and for publishes against a local docker-registry (each a new
// version). Load comes from this process: keep-alive connections, loopback only.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '@hla-compass/registry-client';
import { startRegistry } from '@hla-compass/testkit';
import { bin, DEVELOPER_KEY, manifest, packageDir, writeBenchSeed } from './emulator.mjs';

const STARTS = Number(process.env.BENCH_STARTS ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
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

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Requests per second over `SECONDS` with `CONNECTIONS` keep-alive connections. */
async function load(url, request) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const target = new URL(url);
  let done = 0;
  let failed = '';
  const deadline = Date.now() + SECONDS * 1000;
  const one = (index) =>
    new Promise((resolve, reject) => {
      const { method, path, body, headers } = request(index);
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method,
          path,
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode < 300
              ? resolve()
              : reject(new Error(`${method} ${path}: ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < deadline && failed === '') {
        try {
          await one(next++);
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

function row(label, value, baseline, unit, digits = 0) {
  const format = (n) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
  return `  ${label.padEnd(34)} ${format(value).padStart(8)} ${unit}   hono hello ${format(baseline).padStart(8)} ${unit}   ratio ${(value / baseline).toFixed(2)}×`;
}

const work = await mkdtemp(join(tmpdir(), 'hla-compass-platform-bench-'));
const registry = await startRegistry();
try {
  const lines = [
    `hla-compass-platform bench · node ${process.versions.node} · ${SECONDS} s per load, ${CONNECTIONS} keep-alive connections`,
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
      `start-up, median of ${STARTS} (ms)`,
      median(startups.emulator),
      median(startups.hello),
      'ms',
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

    const helloGet = await load(hello.url, () => ({ method: 'GET', path: '/' }));
    const modules = await load(emulator.url, () => ({
      method: 'GET',
      path: '/dev/v1/modules',
      headers: { 'x-api-key': DEVELOPER_KEY },
    }));
    lines.push(row('GET /v1/modules (req/s)', modules, helloGet, 'req/s'));

    const helloPost = await load(hello.url, (index) => ({
      method: 'POST',
      path: '/',
      body: publishBody('bench', `2.0.${index}`),
    }));
    const publishes = await load(emulator.url, (index) => ({
      method: 'POST',
      path: '/dev/v1/modules/publish',
      headers: { 'x-api-key': DEVELOPER_KEY },
      body: publishBody('bench', `1.0.${index}`),
    }));
    lines.push(row('POST /v1/modules/publish (req/s)', publishes, helloPost, 'req/s'));
  } finally {
    await hello.stop();
    await emulator.stop();
  }
  console.log(lines.join('\n'));
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
