// Rows of `signing_keys`: public keys registered to users, kept after revocation.
import type { SigningKeyAlgorithm } from '@hla-compass/platform-api';
import type { SqliteDatabase } from './database.js';

export interface SigningKeyRecord {
  fingerprint: string;
  userId: string;
  algorithm: SigningKeyAlgorithm;
  /** Base64 DER SPKI. */
  publicKey: string;
  name: string | null;
  createdAt: string;
  revokedAt: string | null;
}

interface SigningKeyRow {
  fingerprint: string;
  user_id: string;
  algorithm: SigningKeyAlgorithm;
  public_key: string;
  name: string | null;
  created_at: string;
  revoked_at: string | null;
}

const toKey = (row: SigningKeyRow): SigningKeyRecord => ({
  fingerprint: row.fingerprint,
  userId: row.user_id,
  algorithm: row.algorithm,
  publicKey: row.public_key,
  name: row.name,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

export class SigningKeyStore {
  readonly #insert;
  readonly #get;
  readonly #byUser;
  readonly #revoke;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare<[string, string, SigningKeyAlgorithm, string, string | null, string]>(
      `INSERT INTO signing_keys (fingerprint, user_id, algorithm, public_key, name, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#get = db.prepare<[string], SigningKeyRow>(
      'SELECT * FROM signing_keys WHERE fingerprint = ?',
    );
    this.#byUser = db.prepare<[string], SigningKeyRow>(
      'SELECT * FROM signing_keys WHERE user_id = ? ORDER BY created_at, rowid',
    );
    this.#revoke = db.prepare<[string, string]>(
      'UPDATE signing_keys SET revoked_at = ? WHERE fingerprint = ? AND revoked_at IS NULL',
    );
  }

  insert(key: Omit<SigningKeyRecord, 'revokedAt'>): void {
    this.#insert.run(
      key.fingerprint,
      key.userId,
      key.algorithm,
      key.publicKey,
      key.name,
      key.createdAt,
    );
  }

  get(fingerprint: string): SigningKeyRecord | undefined {
    const row = this.#get.get(fingerprint);
    return row === undefined ? undefined : toKey(row);
  }

  listByUser(userId: string): SigningKeyRecord[] {
    return this.#byUser.all(userId).map(toKey);
  }

  revoke(fingerprint: string, at: string): void {
    this.#revoke.run(at, fingerprint);
  }
}
