// Versioned schema migrations, tracked in `PRAGMA user_version`: migration N brings a database
// from version N-1 to N, each in its own transaction. Append; never edit a released one.
import type Database from 'better-sqlite3';

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  CREATE TABLE orgs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    registry TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    password_hash TEXT,
    roles TEXT NOT NULL,
    superuser INTEGER NOT NULL DEFAULT 0 CHECK (superuser IN (0, 1)),
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    family_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX access_tokens_family ON access_tokens(family_id);

  CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    family_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  ) STRICT;
  CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);

  CREATE TABLE auth_codes (
    code_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    code_challenge TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    family_id TEXT NOT NULL,
    used_at INTEGER
  ) STRICT;

  CREATE TABLE registries (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    pattern TEXT NOT NULL,
    provider TEXT NOT NULL CHECK (provider IN ('ghcr', 'ecr', 'dockerhub', 'generic')),
    username TEXT,
    password TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, pattern)
  ) STRICT;

  CREATE TABLE signing_keys (
    fingerprint TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    public_key TEXT NOT NULL,
    name TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  ) STRICT;
  CREATE INDEX signing_keys_user ON signing_keys(user_id);

  CREATE TABLE modules (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- Highest approved version (any scope) and highest approved public version, kept by the
    -- publish and approval services so listings need no semver ordering in SQL.
    current_version_id TEXT,
    current_public_version_id TEXT,
    UNIQUE (org_id, name)
  ) STRICT;

  -- One row per publish. UNIQUE (org_id, module_name, version) is what makes versions
  -- immutable, also under concurrent publishes.
  CREATE TABLE versions (
    id TEXT PRIMARY KEY,
    publish_id TEXT NOT NULL UNIQUE,
    module_id TEXT NOT NULL REFERENCES modules(id),
    org_id TEXT NOT NULL REFERENCES orgs(id),
    module_name TEXT NOT NULL,
    version TEXT NOT NULL,
    repository TEXT NOT NULL,
    digest TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('org', 'public')),
    state TEXT NOT NULL CHECK (state IN ('SUBMITTED', 'APPROVED', 'REJECTED')),
    manifest TEXT NOT NULL,
    key_fingerprint TEXT,
    submitted_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT REFERENCES users(id),
    decision_reason TEXT,
    UNIQUE (org_id, module_name, version)
  ) STRICT;
  CREATE INDEX versions_module ON versions(module_id);

  CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL REFERENCES users(id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
  ) STRICT;
  `,
  // 2: listings are ordered by module name.
  `
  CREATE INDEX modules_listing ON modules(name, org_id);
  `,
  // 3: the Python SDK's legacy signatures (SPEC §6a). Keys say which signatures they are for;
  // versions say which signature they carry, since a legacy one binds the manifest only. Every
  // signed version before this one carried an Ed25519 statement.
  `
  ALTER TABLE signing_keys ADD COLUMN algorithm TEXT NOT NULL DEFAULT 'Ed25519'
    CHECK (algorithm IN ('Ed25519', 'RSA-PSS'));

  ALTER TABLE versions ADD COLUMN signature_kind TEXT
    CHECK (signature_kind IN ('ed25519-statement', 'rsa-pss-manifest'));
  UPDATE versions SET signature_kind = 'ed25519-statement' WHERE key_fingerprint IS NOT NULL;
  `,
  // 4: the totals of the module listing and of the review queue without a count(*) scan per
  // page (issue 18). A listing shows an org its own modules plus every module with an approved
  // public version (catalog.ts VISIBLE_MODULE), so it needs the whole catalog's two counts and
  // the org's. Triggers keep them, so every writer (the services, the benches' direct inserts,
  // a reset) moves a count in the statement and the transaction that moved the row, and a crash
  // keeps or loses both. Written to run again harmlessly: the backfill recomputes every count.
  // The index lets a review page walk one state in queue order instead of sorting the table.
  `
  CREATE TABLE IF NOT EXISTS module_counts (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    modules INTEGER NOT NULL CHECK (modules >= 0),
    public_modules INTEGER NOT NULL CHECK (public_modules >= 0)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS org_module_counts (
    org_id TEXT PRIMARY KEY,
    modules INTEGER NOT NULL CHECK (modules >= 0),
    public_modules INTEGER NOT NULL CHECK (public_modules >= 0)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS version_state_counts (
    state TEXT PRIMARY KEY,
    versions INTEGER NOT NULL CHECK (versions >= 0)
  ) STRICT;

  CREATE TRIGGER IF NOT EXISTS modules_counted_in AFTER INSERT ON modules BEGIN
    INSERT INTO module_counts VALUES (1, 1, NEW.current_public_version_id IS NOT NULL)
      ON CONFLICT (id) DO UPDATE SET modules = modules + 1,
        public_modules = public_modules + excluded.public_modules;
    INSERT INTO org_module_counts VALUES (NEW.org_id, 1, NEW.current_public_version_id IS NOT NULL)
      ON CONFLICT (org_id) DO UPDATE SET modules = modules + 1,
        public_modules = public_modules + excluded.public_modules;
  END;
  CREATE TRIGGER IF NOT EXISTS modules_counted_out AFTER DELETE ON modules BEGIN
    UPDATE module_counts SET modules = modules - 1,
      public_modules = public_modules - (OLD.current_public_version_id IS NOT NULL);
    UPDATE org_module_counts SET modules = modules - 1,
      public_modules = public_modules - (OLD.current_public_version_id IS NOT NULL)
      WHERE org_id = OLD.org_id;
  END;
  -- Every publish and decision sets current_public_version_id; only a change of whether it is
  -- set (or of the org) moves a count.
  CREATE TRIGGER IF NOT EXISTS modules_recounted AFTER UPDATE OF org_id, current_public_version_id
    ON modules
    WHEN OLD.org_id IS NOT NEW.org_id
      OR (OLD.current_public_version_id IS NULL) <> (NEW.current_public_version_id IS NULL)
  BEGIN
    UPDATE module_counts SET public_modules = public_modules
      - (OLD.current_public_version_id IS NOT NULL) + (NEW.current_public_version_id IS NOT NULL);
    UPDATE org_module_counts SET modules = modules - 1,
      public_modules = public_modules - (OLD.current_public_version_id IS NOT NULL)
      WHERE org_id = OLD.org_id;
    INSERT INTO org_module_counts VALUES (NEW.org_id, 1, NEW.current_public_version_id IS NOT NULL)
      ON CONFLICT (org_id) DO UPDATE SET modules = modules + 1,
        public_modules = public_modules + excluded.public_modules;
  END;

  CREATE TRIGGER IF NOT EXISTS versions_counted_in AFTER INSERT ON versions BEGIN
    INSERT INTO version_state_counts VALUES (NEW.state, 1)
      ON CONFLICT (state) DO UPDATE SET versions = versions + 1;
  END;
  CREATE TRIGGER IF NOT EXISTS versions_counted_out AFTER DELETE ON versions BEGIN
    UPDATE version_state_counts SET versions = versions - 1 WHERE state = OLD.state;
  END;
  CREATE TRIGGER IF NOT EXISTS versions_recounted AFTER UPDATE OF state ON versions
    WHEN OLD.state <> NEW.state
  BEGIN
    UPDATE version_state_counts SET versions = versions - 1 WHERE state = OLD.state;
    INSERT INTO version_state_counts VALUES (NEW.state, 1)
      ON CONFLICT (state) DO UPDATE SET versions = versions + 1;
  END;

  DELETE FROM module_counts;
  INSERT INTO module_counts
    SELECT 1, count(*), count(current_public_version_id) FROM modules;
  DELETE FROM org_module_counts;
  INSERT INTO org_module_counts
    SELECT org_id, count(*), count(current_public_version_id) FROM modules GROUP BY org_id;
  DELETE FROM version_state_counts;
  INSERT INTO version_state_counts SELECT state, count(*) FROM versions GROUP BY state;

  CREATE INDEX IF NOT EXISTS versions_state ON versions(state, created_at);
  `,
];

/** Tables in an order that lets rows be deleted without breaking a foreign key. */
export const TABLES_CHILD_FIRST = [
  'idempotency_keys',
  'versions',
  'modules',
  'signing_keys',
  'registries',
  'auth_codes',
  'refresh_tokens',
  'access_tokens',
  'api_keys',
  'users',
  'orgs',
  'settings',
] as const;

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings `db` to `target` (default: the latest), one migration at a time. */
export function migrate(db: Database.Database, target: number = SCHEMA_VERSION): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${current} is newer than this emulator (${SCHEMA_VERSION}); use a newer hla-compass-platform or another --data directory`,
    );
  }
  for (let version = current + 1; version <= Math.min(target, SCHEMA_VERSION); version++) {
    const sql = MIGRATIONS[version - 1] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
