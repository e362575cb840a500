// Rows of `idempotency_keys`: the first successful response to a (user, Idempotency-Key).
import type { SqliteDatabase } from './database.js';

export interface IdempotencyRecord {
  requestHash: string;
  status: number;
  /** The response body as sent, JSON text. */
  body: string;
}

export class IdempotencyStore {
  readonly #get;
  readonly #insert;

  constructor(db: SqliteDatabase) {
    this.#get = db.prepare<
      [string, string],
      { request_hash: string; status: number; body: string }
    >(
      'SELECT request_hash, status, body FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ?',
    );
    this.#insert = db.prepare<[string, string, string, number, string, string]>(
      `INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, status, body, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
  }

  get(userId: string, key: string): IdempotencyRecord | undefined {
    const row = this.#get.get(userId, key);
    return row === undefined
      ? undefined
      : { requestHash: row.request_hash, status: row.status, body: row.body };
  }

  insert(userId: string, key: string, record: IdempotencyRecord, createdAt: string): void {
    this.#insert.run(userId, key, record.requestHash, record.status, record.body, createdAt);
  }
}
