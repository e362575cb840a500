// Opens one environment's SQLite database with the settings the emulator relies on, and
// brings its schema to the latest migration.
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export type SqliteDatabase = Database.Database;

/** `file` is a path, or `:memory:` for a database that lives as long as the process. */
export function openDatabase(file: string): SqliteDatabase {
  const db = new Database(file);
  // WAL lets readers (tests, `sqlite3`) look while the emulator writes; FULL makes every
  // acknowledged publish durable before its 202 is sent.
  db.pragma('journal_mode = WAL');
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
