// Rows of `api_keys`, `access_tokens`, `refresh_tokens` and `auth_codes`. Every secret is
// stored as its sha256 hash; times are epoch milliseconds.
import type { SqliteDatabase } from './database.js';
import { type OrgRecord, toOrg } from './orgs.js';
import { toUser, type UserRecord, type UserRow } from './users.js';

export interface RefreshTokenRecord {
  userId: string;
  familyId: string;
  expiresAt: number;
  usedAt: number | null;
}

export interface AuthCodeRecord {
  userId: string;
  codeChallenge: string;
  redirectUri: string;
  expiresAt: number;
  familyId: string;
  usedAt: number | null;
}

/** Whom a live credential belongs to; `user` or `org` is undefined once it no longer exists. */
export interface CredentialHolder {
  user: UserRecord | undefined;
  org: OrgRecord | undefined;
}

/** A UserRow whose columns are null when the user is gone, with its org's beside it. */
interface HolderRow extends Omit<UserRow, 'id'> {
  id: string | null;
  holder_org_id: string | null;
  org_name: string;
  org_registry: string;
  org_created_at: string;
}

// Every authenticated request looks its credential up: one statement for the credential, its
// user and the user's org, not one each (issue 18).
const HOLDER_COLUMNS = `u.id, u.org_id, u.email, u.name, u.password_hash, u.roles, u.superuser,
  u.created_at, o.id AS holder_org_id, o.name AS org_name, o.registry AS org_registry,
  o.created_at AS org_created_at`;
const HOLDER_JOINS = `LEFT JOIN users u ON u.id = c.user_id LEFT JOIN orgs o ON o.id = u.org_id`;

const toHolder = (row: HolderRow): CredentialHolder => {
  const { id, holder_org_id: orgId } = row;
  return {
    user: id === null ? undefined : toUser({ ...row, id }),
    org:
      orgId === null
        ? undefined
        : toOrg({
            id: orgId,
            name: row.org_name,
            registry: row.org_registry,
            created_at: row.org_created_at,
          }),
  };
};

export class CredentialStore {
  readonly #insertApiKey;
  readonly #apiKeyHolder;
  readonly #insertAccess;
  readonly #accessHolder;
  readonly #accessFamily;
  readonly #insertRefresh;
  readonly #refresh;
  readonly #useRefresh;
  readonly #revokeAccessFamily;
  readonly #revokeRefreshFamily;
  readonly #insertCode;
  readonly #code;
  readonly #useCode;
  readonly #purgeExpired;

  constructor(db: SqliteDatabase) {
    this.#insertApiKey = db.prepare<[string, string, string, string]>(
      'INSERT INTO api_keys (key_hash, user_id, name, created_at) VALUES (?, ?, ?, ?)',
    );
    this.#apiKeyHolder = db.prepare<[string], HolderRow>(
      `SELECT ${HOLDER_COLUMNS} FROM api_keys c ${HOLDER_JOINS} WHERE c.key_hash = ?`,
    );
    this.#insertAccess = db.prepare<[string, string, string, number]>(
      'INSERT INTO access_tokens (token_hash, user_id, family_id, expires_at) VALUES (?, ?, ?, ?)',
    );
    this.#accessHolder = db.prepare<[string, number], HolderRow>(
      `SELECT ${HOLDER_COLUMNS} FROM access_tokens c ${HOLDER_JOINS}
       WHERE c.token_hash = ? AND c.expires_at > ?`,
    );
    this.#accessFamily = db.prepare<[string, number], { family_id: string }>(
      'SELECT family_id FROM access_tokens WHERE token_hash = ? AND expires_at > ?',
    );
    this.#insertRefresh = db.prepare<[string, string, string, number]>(
      'INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at) VALUES (?, ?, ?, ?)',
    );
    this.#refresh = db.prepare<
      [string],
      { user_id: string; family_id: string; expires_at: number; used_at: number | null }
    >('SELECT user_id, family_id, expires_at, used_at FROM refresh_tokens WHERE token_hash = ?');
    this.#useRefresh = db.prepare<[number, string]>(
      'UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL',
    );
    this.#revokeAccessFamily = db.prepare<[string]>(
      'DELETE FROM access_tokens WHERE family_id = ?',
    );
    this.#revokeRefreshFamily = db.prepare<[string]>(
      'DELETE FROM refresh_tokens WHERE family_id = ? AND used_at IS NULL',
    );
    this.#insertCode = db.prepare<[string, string, string, string, number, string]>(
      `INSERT INTO auth_codes (code_hash, user_id, code_challenge, redirect_uri, expires_at, family_id)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#code = db.prepare<
      [string],
      {
        user_id: string;
        code_challenge: string;
        redirect_uri: string;
        expires_at: number;
        family_id: string;
        used_at: number | null;
      }
    >('SELECT * FROM auth_codes WHERE code_hash = ?');
    this.#useCode = db.prepare<[number, string]>(
      'UPDATE auth_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL',
    );
    this.#purgeExpired = [
      db.prepare<[number]>('DELETE FROM access_tokens WHERE expires_at <= ?'),
      db.prepare<[number]>('DELETE FROM refresh_tokens WHERE expires_at <= ?'),
      db.prepare<[number]>('DELETE FROM auth_codes WHERE expires_at <= ?'),
    ];
  }

  insertApiKey(keyHash: string, userId: string, name: string, createdAt: string): void {
    this.#insertApiKey.run(keyHash, userId, name, createdAt);
  }

  holderOfApiKey(keyHash: string): CredentialHolder | undefined {
    const row = this.#apiKeyHolder.get(keyHash);
    return row === undefined ? undefined : toHolder(row);
  }

  insertAccessToken(tokenHash: string, userId: string, familyId: string, expiresAt: number): void {
    this.#insertAccess.run(tokenHash, userId, familyId, expiresAt);
  }

  /** The holder of a live access token. */
  holderOfAccessToken(tokenHash: string, now: number): CredentialHolder | undefined {
    const row = this.#accessHolder.get(tokenHash, now);
    return row === undefined ? undefined : toHolder(row);
  }

  /** The sign-in of a live access token. */
  familyOfAccessToken(tokenHash: string, now: number): string | undefined {
    return this.#accessFamily.get(tokenHash, now)?.family_id;
  }

  insertRefreshToken(tokenHash: string, userId: string, familyId: string, expiresAt: number): void {
    this.#insertRefresh.run(tokenHash, userId, familyId, expiresAt);
  }

  getRefreshToken(tokenHash: string): RefreshTokenRecord | undefined {
    const row = this.#refresh.get(tokenHash);
    return row === undefined
      ? undefined
      : {
          userId: row.user_id,
          familyId: row.family_id,
          expiresAt: row.expires_at,
          usedAt: row.used_at,
        };
  }

  /** Marks a refresh token used; false when it already was (a replay). */
  useRefreshToken(tokenHash: string, now: number): boolean {
    return this.#useRefresh.run(now, tokenHash).changes === 1;
  }

  /** Ends a sign-in: its access tokens and unused refresh tokens stop working. */
  revokeFamily(familyId: string): void {
    this.#revokeAccessFamily.run(familyId);
    this.#revokeRefreshFamily.run(familyId);
  }

  insertAuthCode(codeHash: string, code: Omit<AuthCodeRecord, 'usedAt'>): void {
    this.#insertCode.run(
      codeHash,
      code.userId,
      code.codeChallenge,
      code.redirectUri,
      code.expiresAt,
      code.familyId,
    );
  }

  getAuthCode(codeHash: string): AuthCodeRecord | undefined {
    const row = this.#code.get(codeHash);
    return row === undefined
      ? undefined
      : {
          userId: row.user_id,
          codeChallenge: row.code_challenge,
          redirectUri: row.redirect_uri,
          expiresAt: row.expires_at,
          familyId: row.family_id,
          usedAt: row.used_at,
        };
  }

  /** Marks a code used; false when it already was. */
  useAuthCode(codeHash: string, now: number): boolean {
    return this.#useCode.run(now, codeHash).changes === 1;
  }

  purgeExpired(now: number): void {
    for (const statement of this.#purgeExpired) statement.run(now);
  }
}
