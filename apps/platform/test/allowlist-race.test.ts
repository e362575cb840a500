import { registryEntrySchema, routes } from '@hla-compass/platform-api';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, startTestPlatform, type TestPlatform } from './support/platform.js';
import {
  loopbackOnlyResolver,
  pushImage,
  startTestRegistries,
  type TestRegistries,
  testSeed,
} from './support/registries.js';
import { type StallingProxy, startStallingProxy } from './support/stalling-proxy.js';

let registries: TestRegistries;
let proxy: StallingProxy;
let platform: TestPlatform;

beforeAll(async () => {
  registries = await startTestRegistries();
  proxy = await startStallingProxy(registries.plain.host);
  platform = await startTestPlatform({
    persistent: true,
    seed: { document: testSeed(registries) },
    images: loopbackOnlyResolver(),
  });
});

afterAll(async () => {
  await platform?.stop();
  await proxy?.close();
  await registries?.stop();
});

function versionCount(): number {
  const db = new Database(platform.running.databaseFile('dev') as string, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM versions').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('allowlist at the time the version is written', () => {
  it('refuses a publish whose allowlist entry was deleted while the registry was answering', async () => {
    const admin = await platform.login('dev', 'admin');
    const developer = await platform.login('dev', 'developer');
    const digest = await pushImage(registries.plain, 'your-org/raced', '1.0.0');
    const created = await platform.call('dev', routes.createRegistry, {
      token: admin,
      params: { orgId: 'your-org' },
      body: { pattern: `${proxy.host}/your-org/*` },
    });
    expect(created.status).toBe(201);
    const entry = registryEntrySchema.parse(created.body);
    const before = versionCount();

    const publishing = platform.call('dev', routes.publish, {
      token: developer,
      body: {
        imageRef: `${proxy.host}/your-org/raced:1.0.0@${digest}`,
        manifest: manifest('raced', '1.0.0'),
        scope: 'org',
      },
    });
    await proxy.stalled;
    const deleted = await platform.call('dev', routes.deleteRegistry, {
      token: admin,
      params: { orgId: 'your-org', entryId: entry.id },
    });
    expect(deleted.status).toBe(204);
    proxy.release();

    const result = await publishing;
    expect([result.status, result.body.code]).toEqual([403, 'REGISTRY_UNAUTHORIZED']);
    expect(result.body.details.repository).toBe(`${proxy.host}/your-org/raced`);
    expect(versionCount()).toBe(before);
  });
});
