// Everything one environment stores, over its own SQLite database.
import { CatalogStore } from './catalog.js';
import { CredentialStore } from './credentials.js';
import { openDatabase, type SqliteDatabase } from './database.js';
import { IdempotencyStore } from './idempotency.js';
import { TABLES_CHILD_FIRST } from './migrations.js';
import { OrgStore } from './orgs.js';
import { RegistryStore } from './registries.js';
import type { SecretBox } from './secret-box.js';
import { SettingStore } from './settings.js';
import { SigningKeyStore } from './signing-keys.js';
import { UserStore } from './users.js';

export class EnvStore {
  readonly db: SqliteDatabase;
  readonly settings: SettingStore;
  readonly orgs: OrgStore;
  readonly users: UserStore;
  readonly credentials: CredentialStore;
  readonly registries: RegistryStore;
  readonly signingKeys: SigningKeyStore;
  readonly catalog: CatalogStore;
  readonly idempotency: IdempotencyStore;

  /** `box` seals the secrets the store must read back (pull passwords). */
  constructor(file: string, box: SecretBox) {
    this.db = openDatabase(file);
    this.settings = new SettingStore(this.db);
    this.orgs = new OrgStore(this.db);
    this.users = new UserStore(this.db);
    this.credentials = new CredentialStore(this.db);
    this.registries = new RegistryStore(this.db, box);
    this.signingKeys = new SigningKeyStore(this.db);
    this.catalog = new CatalogStore(this.db);
    this.idempotency = new IdempotencyStore(this.db);
    if (this.transaction(() => this.registries.sealClearPasswords()) > 0) {
      // The clear text may still sit in WAL frames: fold them into the (zeroed) pages.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
  }

  /** Runs `work` in one IMMEDIATE transaction: all of its writes land, or none. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Whether the database holds any org (a fresh file holds none and gets the seed). */
  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM orgs LIMIT 1').get() === undefined;
  }

  /** Deletes every row; the schema stays. Call inside `transaction` with the seed load. */
  clear(): void {
    for (const table of TABLES_CHILD_FIRST) this.db.prepare(`DELETE FROM ${table}`).run();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
