// Rows of `orgs`.
import type { SqliteDatabase } from './database.js';

export interface OrgRecord {
  id: string;
  name: string;
  /** Default registry namespace, e.g. `127.0.0.1:5000/your-org`. */
  registry: string;
  createdAt: string;
}

export interface OrgRow {
  id: string;
  name: string;
  registry: string;
  created_at: string;
}

export const toOrg = (row: OrgRow): OrgRecord => ({
  id: row.id,
  name: row.name,
  registry: row.registry,
  createdAt: row.created_at,
});

export class OrgStore {
  readonly #insert;
  readonly #byId;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare<[string, string, string, string]>(
      'INSERT INTO orgs (id, name, registry, created_at) VALUES (?, ?, ?, ?)',
    );
    this.#byId = db.prepare<[string], OrgRow>('SELECT * FROM orgs WHERE id = ?');
  }

  insert(org: OrgRecord): void {
    this.#insert.run(org.id, org.name, org.registry, org.createdAt);
  }

  get(id: string): OrgRecord | undefined {
    const row = this.#byId.get(id);
    return row === undefined ? undefined : toOrg(row);
  }
}
