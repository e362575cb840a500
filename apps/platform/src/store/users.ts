// Rows of `users`: who they are, their org, roles and password hash.
import { type Role, roleSchema } from '@hla-compass/platform-api';
import * as z from 'zod';
import type { SqliteDatabase } from './database.js';

export interface UserRecord {
  id: string;
  orgId: string;
  email: string;
  name: string;
  passwordHash: string | null;
  roles: Role[];
  superuser: boolean;
  createdAt: string;
}

export interface UserRow {
  id: string;
  org_id: string;
  email: string;
  name: string;
  password_hash: string | null;
  roles: string;
  superuser: number;
  created_at: string;
}

const rolesSchema = z.array(roleSchema);

export const toUser = (row: UserRow): UserRecord => ({
  id: row.id,
  orgId: row.org_id,
  email: row.email,
  name: row.name,
  passwordHash: row.password_hash,
  roles: rolesSchema.parse(JSON.parse(row.roles)),
  superuser: row.superuser === 1,
  createdAt: row.created_at,
});

export class UserStore {
  readonly #insert;
  readonly #byEmail;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare<
      [string, string, string, string, string | null, string, number, string]
    >(
      `INSERT INTO users (id, org_id, email, name, password_hash, roles, superuser, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#byEmail = db.prepare<[string], UserRow>('SELECT * FROM users WHERE email = ?');
  }

  insert(user: UserRecord): void {
    this.#insert.run(
      user.id,
      user.orgId,
      user.email,
      user.name,
      user.passwordHash,
      JSON.stringify(user.roles),
      user.superuser ? 1 : 0,
      user.createdAt,
    );
  }

  /** Emails compare case-insensitively (the column is `COLLATE NOCASE`). */
  getByEmail(email: string): UserRecord | undefined {
    const row = this.#byEmail.get(email);
    return row === undefined ? undefined : toUser(row);
  }
}
