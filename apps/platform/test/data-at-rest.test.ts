import { readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routes } from '@hla-compass/platform-api';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../src/start.js';
import { manifest, TestPlatform } from './support/platform.js';
import {
  loopbackOnlyResolver,
  pushImage,
  REGISTRY_USER,
  startTestRegistries,
  type TestRegistries,
  testSeed,
} from './support/registries.js';

let registries: TestRegistries;
let workDir: string;
let umask: number;

beforeAll(async () => {
  // What most users have: files 0644 and directories 0755 unless the emulator says otherwise.
  umask = process.umask(0o022);
  registries = await startTestRegistries();
  workDir = await mkdtemp(join(tmpdir(), 'hla-compass-at-rest-'));
});

afterAll(async () => {
  process.umask(umask);
  await registries?.stop();
  await rm(workDir, { recursive: true, force: true });
});

/** A data dir the emulator creates itself (so the umask would decide its mode). */
const dataDir = () => join(workDir, 'data');

async function start(): Promise<TestPlatform> {
  const running = await startPlatform({
    port: 0,
    dataDir: dataDir(),
    seed: { document: testSeed(registries) },
    images: loopbackOnlyResolver(),
  });
  return new TestPlatform(running, undefined);
}

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every file of the data dir, with its mode. */
function files(): Record<string, number> {
  return Object.fromEntries(
    readdirSync(dataDir()).map((name) => [name, mode(join(dataDir(), name))]),
  );
}

function containsAnywhere(secret: string): string[] {
  return readdirSync(dataDir()).filter((name) =>
    readFileSync(join(dataDir(), name)).includes(Buffer.from(secret, 'utf8')),
  );
}

async function publishFromAuthRegistry(platform: TestPlatform, name: string) {
  const developer = await platform.login('dev', 'developer');
  await pushImage(registries.auth, `your-org/${name}`, '1.0.0');
  return platform.call('dev', routes.publish, {
    token: developer,
    body: {
      imageRef: `${registries.auth.host}/your-org/${name}:1.0.0`,
      manifest: manifest(name, '1.0.0'),
      scope: 'org',
    },
  });
}

describe('data at rest', () => {
  it('keeps the data dir 0700 and every database, -wal, -shm and key file 0600 under umask 022', async () => {
    const platform = await start();
    try {
      // A write, so that every env's WAL and shared-memory files exist.
      const admin = await platform.login('dev', 'admin');
      const created = await platform.call('dev', routes.createRegistry, {
        token: admin,
        params: { orgId: 'your-org' },
        body: {
          pattern: 'ghcr.io/your-org/at-rest/*',
          credentials: { username: 'bot', password: 'at-rest-pull-password-1' },
        },
      });
      expect(created.status).toBe(201);
      expect(mode(dataDir())).toBe(0o700);
      const modes = files();
      for (const name of ['dev.db', 'dev.db-wal', 'dev.db-shm', 'prod.db', 'secrets.key']) {
        expect(modes[name], name).toBe(0o600);
      }
      expect(Object.entries(modes).filter(([, fileMode]) => fileMode !== 0o600)).toEqual([]);
      expect(statSync(join(dataDir(), 'secrets.key')).size).toBe(32);
      expect(containsAnywhere('at-rest-pull-password-1')).toEqual([]);
      expect(containsAnywhere(REGISTRY_USER.password)).toEqual([]);
      // The sealed credentials still pull.
      const published = await publishFromAuthRegistry(platform, 'sealed-pull');
      expect(published.status).toBe(202);
    } finally {
      await platform.stop();
    }
  });

  it('seals the clear pull passwords of an older data dir, and makes its files private, at open', async () => {
    // What an emulator before sealing left: the password in clear and files 0644.
    const file = join(dataDir(), 'dev.db');
    const db = new Database(file);
    db.prepare('UPDATE registries SET password = ? WHERE password IS NOT NULL').run(
      REGISTRY_USER.password,
    );
    db.close();
    for (const name of readdirSync(dataDir())) await chmod(join(dataDir(), name), 0o644);
    await chmod(dataDir(), 0o755);
    expect(containsAnywhere(REGISTRY_USER.password)).toContain('dev.db');

    const platform = await start();
    try {
      expect(mode(dataDir())).toBe(0o700);
      expect(Object.entries(files()).filter(([, fileMode]) => fileMode !== 0o600)).toEqual([]);
      expect(containsAnywhere(REGISTRY_USER.password)).toEqual([]);
      const published = await publishFromAuthRegistry(platform, 'migrated-pull');
      expect(published.status).toBe(202);
    } finally {
      await platform.stop();
    }
  });
});
