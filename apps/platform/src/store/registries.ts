// Rows of `registries`: an org's allowlist entries with their pull credentials, the password
// sealed (SecretBox) under the entry's id: the platform reads it back for pulls, nobody else.
import type { RegistryCredentials, RegistryProvider } from '@hla-compass/platform-api';
import type { SqliteDatabase } from './database.js';
import { SecretBox } from './secret-box.js';

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

const sealContext = (id: string): string => `registries/${id}/password`;

export class RegistryStore {
  readonly #insert;
  readonly #byOrg;
  readonly #byId;
  readonly #delete;
  readonly #passwords;
  readonly #setPassword;
  readonly #box: SecretBox;

  constructor(db: SqliteDatabase, box: SecretBox) {
    this.#box = box;
    this.#passwords = db.prepare<[], { id: string; password: string }>(
      'SELECT id, password FROM registries WHERE password IS NOT NULL',
    );
    this.#setPassword = db.prepare<[string, string]>(
      'UPDATE registries SET password = ? WHERE id = ?',
    );
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
      entry.credentials === null
        ? null
        : this.#box.seal(entry.credentials.password, sealContext(entry.id)),
      entry.createdAt,
    );
  }

  #toRegistry(row: RegistryRow): RegistryRecord {
    return {
      id: row.id,
      orgId: row.org_id,
      pattern: row.pattern,
      provider: row.provider,
      credentials:
        row.username === null || row.password === null
          ? null
          : { username: row.username, password: this.#box.open(row.password, sealContext(row.id)) },
      createdAt: row.created_at,
    };
  }

  /**
   * Seals the passwords an emulator before sealing stored in clear, and checks that the sealed
   * ones open with this key (a replaced key file fails here, at start, not at a publish).
   * Returns how many it sealed.
   */
  sealClearPasswords(): number {
    let sealed = 0;
    for (const row of this.#passwords.all()) {
      if (SecretBox.isSealed(row.password)) {
        this.#box.open(row.password, sealContext(row.id));
        continue;
      }
      this.#setPassword.run(this.#box.seal(row.password, sealContext(row.id)), row.id);
      sealed++;
    }
    return sealed;
  }

  listByOrg(orgId: string): RegistryRecord[] {
    return this.#byOrg.all(orgId).map((row) => this.#toRegistry(row));
  }

  get(orgId: string, id: string): RegistryRecord | undefined {
    const row = this.#byId.get(orgId, id);
    return row === undefined ? undefined : this.#toRegistry(row);
  }

  delete(orgId: string, id: string): boolean {
    return this.#delete.run(orgId, id).changes === 1;
  }
}
