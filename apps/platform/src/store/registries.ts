// Rows of `registries`: an org's allowlist entries with their pull credentials.
import type { RegistryCredentials, RegistryProvider } from '@hla-compass/platform-api';
import type { SqliteDatabase } from './database.js';

export interface RegistryRecord {
  id: string;
  orgId: string;
  pattern: string;
  provider: RegistryProvider;
  credentials: RegistryCredentials | null;
  createdAt: string;
}

interface RegistryRow {
  id: string;
  org_id: string;
  pattern: string;
  provider: RegistryProvider;
  username: string | null;
  password: string | null;
  created_at: string;
}

const toRegistry = (row: RegistryRow): RegistryRecord => ({
  id: row.id,
  orgId: row.org_id,
  pattern: row.pattern,
  provider: row.provider,
  credentials:
    row.username === null || row.password === null
      ? null
      : { username: row.username, password: row.password },
  createdAt: row.created_at,
});

export class RegistryStore {
  readonly #insert;
  readonly #byOrg;
  readonly #byId;
  readonly #delete;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare<
      [string, string, string, string, string | null, string | null, string]
    >(
      `INSERT INTO registries (id, org_id, pattern, provider, username, password, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#byOrg = db.prepare<[string], RegistryRow>(
      'SELECT * FROM registries WHERE org_id = ? ORDER BY created_at, rowid',
    );
    this.#byId = db.prepare<[string, string], RegistryRow>(
      'SELECT * FROM registries WHERE org_id = ? AND id = ?',
    );
    this.#delete = db.prepare<[string, string]>(
      'DELETE FROM registries WHERE org_id = ? AND id = ?',
    );
  }

  insert(entry: RegistryRecord): void {
    this.#insert.run(
      entry.id,
      entry.orgId,
      entry.pattern,
      entry.provider,
      entry.credentials?.username ?? null,
      entry.credentials?.password ?? null,
      entry.createdAt,
    );
  }

  listByOrg(orgId: string): RegistryRecord[] {
    return this.#byOrg.all(orgId).map(toRegistry);
  }

  get(orgId: string, id: string): RegistryRecord | undefined {
    const row = this.#byId.get(orgId, id);
    return row === undefined ? undefined : toRegistry(row);
  }

  delete(orgId: string, id: string): boolean {
    return this.#delete.run(orgId, id).changes === 1;
  }
}
