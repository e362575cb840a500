// How many CI jobs one shared emulator holds: N concurrent "jobs", each publishing new versions
// one after the other (POST /v1/modules/publish, then GET its status), against the built emulator
// on disk and a local docker-registry, for N = 1, 4, 16, 64, 256. Prints throughput, latency p50
// and p99 and failures per level, and each level's throughput as a ratio of the N = 1 level
// measured in the same run. Loopback only; `BENCH_SCALE_SECONDS` sets the time per level.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '@hla-compass/registry-client';
import { startRegistry } from '@hla-compass/testkit';
import {
  manifest,
  quantile,
  timedRequest as request,
  startEmulator,
  writeBenchSeed,
} from './emulator.mjs';

const SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 4);
const LEVELS = (process.env.BENCH_SCALE_LEVELS ?? '1,4,16,64,256').split(',').map(Number);

/** `jobs` concurrent publishers for SECONDS: each publishes a new version, then reads its status. */
async function level(url, imageRef, jobs, tag) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: jobs });
  const publishMs = [];
  const statusMs = [];
  const failures = new Map();
  const deadline = Date.now() + SECONDS * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: jobs }, async (_, job) => {
      for (let index = 0; Date.now() < deadline; index++) {
        const body = JSON.stringify({
          imageRef,
          manifest: manifest(`scale-${tag}-${job}`, `1.0.${index}`),
        });
        const published = await request(agent, url, 'POST', '/dev/v1/modules/publish', body);
        if (published.status !== 202) {
          const key = `publish ${published.status}`;
          failures.set(key, (failures.get(key) ?? 0) + 1);
          continue;
        }
        publishMs.push(published.ms);
        const { publishId } = JSON.parse(published.text);
        const status = await request(agent, url, 'GET', `/dev/v1/modules/publish/${publishId}`);
        if (status.status !== 200) {
          const key = `status ${status.status}`;
          failures.set(key, (failures.get(key) ?? 0) + 1);
          continue;
        }
        statusMs.push(status.ms);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  publishMs.sort((a, b) => a - b);
  statusMs.sort((a, b) => a - b);
  return {
    jobs,
    perSecond: publishMs.length / seconds,
    publishP50: quantile(publishMs, 0.5),
    publishP99: quantile(publishMs, 0.99),
    statusP99: quantile(statusMs, 0.99),
    failures: [...failures].map(([key, count]) => `${count}× ${key}`).join(', ') || 'none',
  };
}

const work = await mkdtemp(join(tmpdir(), 'hla-compass-platform-scale-'));
const registry = await startRegistry();
try {
  const imageRef = `${registry.host}/your-org/scale:1.0.0`;
  await new RegistryClient().pushImage(imageRef, { config: { Labels: { bench: 'scale' } } });
  const seedFile = await writeBenchSeed(work, registry.host);
  const emulator = await startEmulator(['--data', join(work, 'data'), '--seed', seedFile]);
  const lines = [
    `hla-compass-platform scale · node ${process.versions.node} · ${SECONDS} s per level · one emulator on disk, one docker-registry`,
    `  ${'jobs'.padStart(5)} ${'publishes/s'.padStart(12)} ${'vs 1 job'.padStart(9)} ${'publish p50'.padStart(12)} ${'publish p99'.padStart(12)} ${'status p99'.padStart(11)}  failures`,
  ];
  try {
    let single;
    for (const jobs of LEVELS) {
      const result = await level(emulator.url, imageRef, jobs, jobs);
      single ??= result.perSecond;
      const ms = (value) => `${value?.toFixed(1) ?? '-'} ms`;
      lines.push(
        `  ${String(jobs).padStart(5)} ${result.perSecond.toFixed(0).padStart(12)} ${`${(result.perSecond / single).toFixed(2)}×`.padStart(9)} ${ms(result.publishP50).padStart(12)} ${ms(result.publishP99).padStart(12)} ${ms(result.statusP99).padStart(11)}  ${result.failures}`,
      );
    }
  } finally {
    await emulator.stop();
  }
  console.log(lines.join('\n'));
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
