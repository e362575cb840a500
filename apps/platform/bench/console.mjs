import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '@hla-compass/registry-client';
import { startRegistry } from '@hla-compass/testkit';
import { DEVELOPER_KEY, startEmulator, writeBenchSeed } from './emulator.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const WARMUP = 20;
const ACCOUNTS = {
  superuser: ['superuser@platform.test', 'dev-only-superuser-password'],
  admin: ['admin@your-org.test', 'dev-only-admin-password'],
  developer: ['developer@your-org.test', 'dev-only-developer-password'],
};

/** Signs in on the console's form as a browser does; returns the session cookie. */
async function signIn(url, [email, password]) {
  const page = await fetch(`${url}/dev/console/sign-in`);
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())?.[1];
  const response = await fetch(`${url}/dev/console/sign-in`, {
    method: 'POST',
    headers: { origin: url },
    body: new URLSearchParams({ csrf_token: csrf ?? '', email, password }),
    redirect: 'manual',
  });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (response.status !== 303 || cookie === undefined) {
    throw new Error(`console sign-in as ${email}: HTTP ${response.status}`);
  }
  return cookie;
}

/** One GET over `agent`; resolves with its time in ms, rejects unless the status is `expected`. */
function timedGet(agent, target, path, headers, expected = 200) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      { agent, host: target.hostname, port: target.port, path, headers },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === expected
            ? resolve(Number(process.hrtime.bigint() - started) / 1e6)
            : reject(new Error(`GET ${path}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const work = await mkdtemp(join(tmpdir(), 'hla-compass-console-bench-'));
const registry = await startRegistry();
try {
  const seedFile = await writeBenchSeed(work, registry.host);
  const imageRef = `${registry.host}/your-org/bench:1.0.0`;
  await new RegistryClient().pushImage(imageRef, { config: { Labels: { bench: 'yes' } } });
  const emulator = await startEmulator(['--data', join(work, 'data'), '--seed', seedFile]);
  try {
    const { url } = emulator;
    // The catalog: 50 modules, one in five public (and so waiting in the approval queue).
    for (let index = 0; index < 50; index++) {
      const name = `listed-${index}`;
      const response = await fetch(`${url}/dev/v1/modules/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': DEVELOPER_KEY },
        body: JSON.stringify({
          imageRef,
          scope: index % 5 === 0 ? 'public' : 'org',
          manifest: {
            schemaVersion: '1.0',
            name,
            version: '1.0.0',
            type: 'no-ui',
            execution: { entrypoint: 'backend.main:Module' },
            pricing: { tiers: [{ tier: 'developer', amountAct: 0 }] },
          },
        }),
      });
      if (response.status !== 202) throw new Error(`seeding the catalog: ${response.status}`);
    }
    const modules = await (
      await fetch(`${url}/dev/v1/modules?limit=1`, { headers: { 'x-api-key': DEVELOPER_KEY } })
    ).json();
    const first = modules.items[0];
    const versions = await (
      await fetch(`${url}/dev/v1/modules/${first.id}/versions`, {
        headers: { 'x-api-key': DEVELOPER_KEY },
      })
    ).json();
    const sessions = {};
    for (const [name, account] of Object.entries(ACCOUNTS))
      sessions[name] = await signIn(url, account);

    const cases = [
      ['GET /healthz (baseline)', '/healthz', {}],
      ['GET /v1/modules (baseline)', '/dev/v1/modules', { 'x-api-key': DEVELOPER_KEY }],
      ['console sign-in form', '/dev/console/sign-in', {}],
      ['console catalog (superuser, 50)', '/dev/console/catalog', { cookie: sessions.superuser }],
      ['console catalog (developer, 50)', '/dev/console/catalog', { cookie: sessions.developer }],
      [
        'console manifest',
        `/dev/console/modules/${first.id}/versions/${versions.items[0].id}`,
        { cookie: sessions.developer },
      ],
      [
        'console publish jobs (developer)',
        '/dev/console/publishes',
        { cookie: sessions.developer },
      ],
      ['console signing keys', '/dev/console/keys', { cookie: sessions.developer }],
      ['console registries (admin)', '/dev/console/registries', { cookie: sessions.admin }],
      ['console approvals (superuser)', '/dev/console/approvals', { cookie: sessions.superuser }],
    ];
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const target = new URL(url);
    const times = cases.map(() => []);
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      for (const [index, [, path, headers]] of cases.entries()) {
        const ms = await timedGet(agent, target, path, headers);
        if (round >= WARMUP) times[index].push(ms);
      }
    }
    agent.destroy();
    const [health, api] = times.map(median);
    const lines = [
      `console pages · node ${process.versions.node} · median of ${ROUNDS} interleaved rounds, one request at a time`,
      `  ${'page'.padEnd(36)} ${'median'.padStart(9)}   ${'p95'.padStart(8)}   vs /healthz   vs /v1/modules`,
    ];
    for (const [index, [label]] of cases.entries()) {
      const sorted = [...times[index]].sort((a, b) => a - b);
      const p95 = sorted[Math.floor(sorted.length * 0.95)];
      const m = median(times[index]);
      lines.push(
        `  ${label.padEnd(36)} ${m.toFixed(2).padStart(6)} ms   ${p95.toFixed(2).padStart(5)} ms   ${(m / health).toFixed(2).padStart(9)}×   ${(m / api).toFixed(2).padStart(12)}×`,
      );
    }
    console.log(lines.join('\n'));
  } finally {
    await emulator.stop();
  }
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
