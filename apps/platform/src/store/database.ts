// Opens one environment's SQLite database with the settings the emulator relies on, and
// brings its schema to the latest migration.
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export type SqliteDatabase = Database.Database;

/**
 * Makes `file` private (0600) before SQLite opens it, whatever the umask: SQLite gives the
 * `-wal` and `-shm` files it creates later the database file's own mode. Those left by an
 * older emulator are made private too.
 */
function makePrivate(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(path)) chmodSync(path, 0o600);
  }
}

/** `file` is a path, or `:memory:` for a database that lives as long as the process. */
export function openDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') makePrivate(file);
  const db = new Database(file);
  // WAL lets readers (tests, `sqlite3`) look while the emulator writes; FULL makes every
  // acknowledged publish durable before its 202 is sent.
  db.pragma('journal_mode = WAL');
  // Deleted and overwritten rows are zeroed, so a secret replaced by its sealed form is gone.
  db.pragma('secure_delete = ON');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** SQLite's answer when a UNIQUE or PRIMARY KEY constraint refused a row. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
