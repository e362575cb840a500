// Rows of `orgs` and `settings` (the env's policy values).
import type { SqliteDatabase } from './database.js';

export interface OrgRecord {
  id: string;
  name: string;
  /** Default registry namespace, e.g. `127.0.0.1:5000/your-org`. */
  registry: string;
  createdAt: string;
}

interface OrgRow {
  id: string;
  name: string;
  registry: string;
  created_at: string;
}

const toOrg = (row: OrgRow): OrgRecord => ({
  id: row.id,
  name: row.name,
  registry: row.registry,
  createdAt: row.created_at,
});

export class OrgStore {
  readonly #insert;
  readonly #byId;
  readonly #setSetting;
  readonly #getSetting;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare<[string, string, string, string]>(
      'INSERT INTO orgs (id, name, registry, created_at) VALUES (?, ?, ?, ?)',
    );
    this.#byId = db.prepare<[string], OrgRow>('SELECT * FROM orgs WHERE id = ?');
    this.#setSetting = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.#getSetting = db.prepare<[string], { value: string }>(
      'SELECT value FROM settings WHERE key = ?',
    );
  }

  insert(org: OrgRecord): void {
    this.#insert.run(org.id, org.name, org.registry, org.createdAt);
  }

  get(id: string): OrgRecord | undefined {
    const row = this.#byId.get(id);
    return row === undefined ? undefined : toOrg(row);
  }

  setSetting(key: string, value: string): void {
    this.#setSetting.run(key, value);
  }

  getSetting(key: string): string | undefined {
    return this.#getSetting.get(key)?.value;
  }
}
