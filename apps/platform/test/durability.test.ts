import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killLeftoverBins, publishUntilKilled, startBin } from './support/bin.js';
import { ACCOUNTS, manifest } from './support/platform.js';
import {
  pushImage,
  startTestRegistries,
  type TestRegistries,
  testSeed,
} from './support/registries.js';

let registries: TestRegistries;
let workDir: string;

beforeAll(async () => {
  registries = await startTestRegistries();
  workDir = await mkdtemp(join(tmpdir(), 'hla-compass-durability-'));
});

afterEach(killLeftoverBins);

afterAll(async () => {
  await registries?.stop();
  await rm(workDir, { recursive: true, force: true });
});

function integrity(file: string): string {
  const db = new Database(file);
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('durability', () => {
  it('keeps every acknowledged publish and an intact database through kill -9 mid-stream', async () => {
    const seedFile = join(workDir, 'seed.json');
    await writeFile(seedFile, JSON.stringify(testSeed(registries)));
    const dataDir = join(workDir, 'data');
    const imageRef = `${registries.plain.host}/your-org/stream:1.0.0`;
    await pushImage(registries.plain, 'your-org/stream', '1.0.0');
    const args = ['--data', dataDir, '--port', '0', '--registry', 'none', '--seed', seedFile];
    const bin = await startBin(args);

    // Four writers publish new versions back to back; the process dies under them.
    const { acknowledged, refused } = await publishUntilKilled(bin, {
      lanes: 4,
      enough: 40,
      apiKey: ACCOUNTS.developer.apiKey,
      body: (lane, index) => {
        const version = `1.${lane}.${index}`;
        return { label: version, json: { imageRef, manifest: manifest('stream', version) } };
      },
    });
    expect(refused).toEqual([]);

    expect(integrity(join(dataDir, 'dev.db'))).toBe('ok');
    const restarted = await startBin(args);
    try {
      for (const env of ['local', 'dev', 'staging', 'prod']) {
        expect(integrity(join(dataDir, `${env}.db`)), env).toBe('ok');
      }
      const listing = await fetch(`${restarted.url}/dev/v1/modules`, {
        headers: { 'x-api-key': ACCOUNTS.developer.apiKey },
      });
      const module = (
        (await listing.json()) as { items: { id: string; moduleName: string }[] }
      ).items.find((item) => item.moduleName === 'stream');
      expect(module).toBeDefined();
      const versions = await fetch(`${restarted.url}/dev/v1/modules/${module?.id}/versions`, {
        headers: { 'x-api-key': ACCOUNTS.developer.apiKey },
      });
      const stored = ((await versions.json()) as { items: { version: string }[] }).items.map(
        (v) => v.version,
      );
      expect(stored).toEqual(expect.arrayContaining(acknowledged));
      expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  });
});
