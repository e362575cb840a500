// Rows of `settings`: an environment's own values (its publish policy), as text by key.
import type { SqliteDatabase } from './database.js';

export class SettingStore {
  readonly #set;
  readonly #get;

  constructor(db: SqliteDatabase) {
    this.#set = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.#get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  }

  set(key: string, value: string): void {
    this.#set.run(key, value);
  }

  get(key: string): string | undefined {
    return this.#get.get(key)?.value;
  }
}
