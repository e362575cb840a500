import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/database.js';
import { EnvStore } from '../src/store/env-store.js';
import { migrate, SCHEMA_VERSION } from '../src/store/migrations.js';
import { SecretBox } from '../src/store/secret-box.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hla-compass-store-'));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the store', () => {
  it('opens a database in WAL mode with foreign keys on, at the latest schema version', () => {
    const db = openDatabase(join(dir, 'fresh.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    const again = openDatabase(join(dir, 'fresh.db'));
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    again.close();
  });

  it('refuses a database written by a newer emulator', () => {
    const file = join(dir, 'newer.db');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this emulator/);
  });

  it('purges expired tokens and codes, and only those', () => {
    const store = new EnvStore(':memory:', SecretBox.inMemory());
    store.db.exec(`
      INSERT INTO orgs VALUES ('o', 'O', 'r', 't');
      INSERT INTO users (id, org_id, email, name, roles, created_at) VALUES ('u', 'o', 'e', 'n', '[]', 't');`);
    store.credentials.insertAccessToken('old', 'u', 'f', 1000);
    store.credentials.insertAccessToken('live', 'u', 'f', 3000);
    store.credentials.insertRefreshToken('old-refresh', 'u', 'f', 1000);
    store.credentials.purgeExpired(2000);
    expect(store.credentials.holderOfAccessToken('live', 2000)?.user?.id).toBe('u');
    expect(store.db.prepare('SELECT token_hash FROM access_tokens').all()).toEqual([
      { token_hash: 'live' },
    ]);
    expect(store.credentials.getRefreshToken('old-refresh')).toBeUndefined();
    store.close();
  });

  it('enforces one row per (org, module name, version) in the schema itself', () => {
    const db = openDatabase(':memory:');
    db.exec(`
      INSERT INTO orgs VALUES ('o', 'O', 'r', 't');
      INSERT INTO users (id, org_id, email, name, roles, created_at) VALUES ('u', 'o', 'e', 'n', '[]', 't');
      INSERT INTO modules (id, org_id, name, created_at, updated_at) VALUES ('m', 'o', 'mod', 't', 't');`);
    const insert = db.prepare(
      `INSERT INTO versions (id, publish_id, module_id, org_id, module_name, version, repository, digest,
         scope, state, manifest, submitted_by, created_at)
       VALUES (?, ?, 'm', 'o', 'mod', '1.0.0', 'r', 'd', 'org', 'APPROVED', '{}', 'u', 't')`,
    );
    insert.run('v1', 'p1');
    expect(() => insert.run('v2', 'p2')).toThrow(/UNIQUE constraint failed/);
    db.close();
  });

  it('marks the signed versions and the keys of a database from before legacy signatures as Ed25519', () => {
    const file = join(dir, 'before-legacy.db');
    const old = new Database(file);
    migrate(old, 2);
    old.exec(`
      INSERT INTO orgs VALUES ('o', 'O', 'r', 't');
      INSERT INTO users (id, org_id, email, name, roles, created_at) VALUES ('u', 'o', 'e', 'n', '[]', 't');
      INSERT INTO signing_keys (fingerprint, user_id, public_key, created_at) VALUES ('SHA256:k', 'u', 'pk', 't');
      INSERT INTO modules (id, org_id, name, created_at, updated_at) VALUES ('m', 'o', 'mod', 't', 't');
      INSERT INTO versions (id, publish_id, module_id, org_id, module_name, version, repository, digest,
        scope, state, manifest, key_fingerprint, submitted_by, created_at)
      VALUES ('v1', 'p1', 'm', 'o', 'mod', '1.0.0', 'r', 'd', 'org', 'APPROVED', '{}', 'SHA256:k', 'u', 't'),
             ('v2', 'p2', 'm', 'o', 'mod', '1.0.1', 'r', 'd', 'org', 'APPROVED', '{}', NULL, 'u', 't');`);
    old.close();
    const db = openDatabase(file);
    expect(db.prepare('SELECT id, signature_kind FROM versions ORDER BY id').all()).toEqual([
      { id: 'v1', signature_kind: 'ed25519-statement' },
      { id: 'v2', signature_kind: null },
    ]);
    expect(db.prepare('SELECT algorithm FROM signing_keys').all()).toEqual([
      { algorithm: 'Ed25519' },
    ]);
    expect(() => db.prepare(`UPDATE signing_keys SET algorithm = 'DSA'`).run()).toThrow(
      /CHECK constraint failed/,
    );
    db.close();
  });
});
