// Rows of `modules` and `versions`. Listing queries take a `VersionVisibility` chosen by the
// visibility service; this file only turns it into SQL.
import type { PublishState, Scope, SignatureKind } from '@hla-compass/platform-api';
import type { SqliteDatabase } from './database.js';

export interface ModuleRecord {
  id: string;
  orgId: string;
  orgName: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  currentVersionId: string | null;
  currentPublicVersionId: string | null;
}

/**
 * A module as a listing shows it: with the current version the reader may see, if any, in place
 * of the two current-version pointers, which only the publish and approval services read.
 */
export interface ModuleListing
  extends Omit<ModuleRecord, 'currentVersionId' | 'currentPublicVersionId'> {
  current: Pick<VersionRecord, 'version' | 'repository' | 'digest'> | null;
}

export interface VersionRecord {
  id: string;
  publishId: string;
  moduleId: string;
  orgId: string;
  moduleName: string;
  version: string;
  repository: string;
  digest: string;
  scope: Scope;
  state: PublishState;
  /** The manifest as received without its signature fields, JSON text. */
  manifest: string;
  /** Null exactly when the version is unsigned, like `signatureKind`. */
  keyFingerprint: string | null;
  signatureKind: SignatureKind | null;
  submittedBy: string;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  decisionReason: string | null;
}

/** A version with the names a reviewer reads: its org's and its submitter's. */
export interface ReviewVersionRecord extends VersionRecord {
  orgName: string;
  submitterEmail: string;
  submitterName: string;
}

/**
 * Which versions a reader sees: every version (`all`), or those of `orgId` in any state
 * plus approved public versions of other orgs.
 */
export type VersionVisibility = { all: true } | { all: false; orgId: string };

interface ModuleRow {
  id: string;
  org_id: string;
  org_name: string;
  name: string;
  created_at: string;
  updated_at: string;
  current_version_id: string | null;
  current_public_version_id: string | null;
}

/** A row of LISTING_COLUMNS, in their order. */
type ModuleListingTuple = [
  id: string,
  orgId: string,
  orgName: string,
  name: string,
  createdAt: string,
  updatedAt: string,
  version: string | null,
  repository: string | null,
  digest: string | null,
];

interface VersionRow {
  id: string;
  publish_id: string;
  module_id: string;
  org_id: string;
  module_name: string;
  version: string;
  repository: string;
  digest: string;
  scope: Scope;
  state: PublishState;
  manifest: string;
  key_fingerprint: string | null;
  signature_kind: SignatureKind | null;
  submitted_by: string;
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decision_reason: string | null;
}

interface ReviewVersionRow extends VersionRow {
  org_name: string;
  submitter_email: string;
  submitter_name: string;
}

const toModule = (row: ModuleRow): ModuleRecord => ({
  id: row.id,
  orgId: row.org_id,
  orgName: row.org_name,
  name: row.name,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  currentVersionId: row.current_version_id,
  currentPublicVersionId: row.current_public_version_id,
});

// Listing rows are read as arrays (better-sqlite3's raw mode): it builds a row object with
// named keys at about twice the cost of an array, which was half of a 50-module page's time in
// SQLite's hands (211 µs as objects, 112 µs as arrays, measured on the bench's database).
const toListing = ([
  id,
  orgId,
  orgName,
  name,
  createdAt,
  updatedAt,
  version,
  repository,
  digest,
]: ModuleListingTuple): ModuleListing => ({
  id,
  orgId,
  orgName,
  name,
  createdAt,
  updatedAt,
  current:
    version === null || repository === null || digest === null
      ? null
      : { version, repository, digest },
});

const toVersion = (row: VersionRow): VersionRecord => ({
  id: row.id,
  publishId: row.publish_id,
  moduleId: row.module_id,
  orgId: row.org_id,
  moduleName: row.module_name,
  version: row.version,
  repository: row.repository,
  digest: row.digest,
  scope: row.scope,
  state: row.state,
  manifest: row.manifest,
  keyFingerprint: row.key_fingerprint,
  signatureKind: row.signature_kind,
  submittedBy: row.submitted_by,
  createdAt: row.created_at,
  decidedAt: row.decided_at,
  decidedBy: row.decided_by,
  decisionReason: row.decision_reason,
});

const toReviewVersion = (row: ReviewVersionRow): ReviewVersionRecord => ({
  ...toVersion(row),
  orgName: row.org_name,
  submitterEmail: row.submitter_email,
  submitterName: row.submitter_name,
});

const VISIBLE_VERSION = `(:all = 1 OR v.org_id = :org OR (v.state = 'APPROVED' AND v.scope = 'public'))`;
// A module row exists only with at least one version (both are written in one transaction),
// and `current_public_version_id` is set exactly when it has an approved public version.
// #countModules counts this same rule from migration 4's counts: change both together.
const VISIBLE_MODULE = `(:all = 1 OR m.org_id = :org OR m.current_public_version_id IS NOT NULL)`;
const MODULE_COLUMNS = `m.id, m.org_id, o.name AS org_name, m.name, m.created_at, m.updated_at,
  m.current_version_id, m.current_public_version_id`;
// The current version a reader sees: of any scope in their own org (or for `all`), else the
// current public one.
const LISTING_FROM = `modules m JOIN orgs o ON o.id = m.org_id
  LEFT JOIN versions cv ON cv.id = CASE WHEN :all = 1 OR m.org_id = :org
    THEN m.current_version_id ELSE m.current_public_version_id END`;
// toListing reads these by position: keep the two in the same order.
const LISTING_COLUMNS = `m.id, m.org_id, o.name AS org_name, m.name, m.created_at, m.updated_at,
  cv.version AS current_version, cv.repository AS current_repository, cv.digest AS current_digest`;

const visibilityParams = (visibility: VersionVisibility) => ({
  all: visibility.all ? 1 : 0,
  org: visibility.all ? '' : visibility.orgId,
});

export class CatalogStore {
  readonly #moduleByName;
  readonly #insertModule;
  readonly #updateModule;
  readonly #insertVersion;
  readonly #versionById;
  readonly #versionByPublishId;
  readonly #versionByName;
  readonly #decide;
  readonly #listModules;
  readonly #countModules;
  readonly #visibleModule;
  readonly #listVersions;
  readonly #moduleById;
  readonly #firstSignerOfKey;
  readonly #versionsInState;
  readonly #countVersionsInState;

  constructor(db: SqliteDatabase) {
    this.#moduleByName = db.prepare<[string, string], ModuleRow>(
      `SELECT ${MODULE_COLUMNS} FROM modules m JOIN orgs o ON o.id = m.org_id
       WHERE m.org_id = ? AND m.name = ?`,
    );
    this.#moduleById = db.prepare<[string], ModuleRow>(
      `SELECT ${MODULE_COLUMNS} FROM modules m JOIN orgs o ON o.id = m.org_id WHERE m.id = ?`,
    );
    this.#insertModule = db.prepare<[string, string, string, string, string]>(
      'INSERT INTO modules (id, org_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.#updateModule = db.prepare<[string, string | null, string | null, string]>(
      `UPDATE modules SET updated_at = ?, current_version_id = ?, current_public_version_id = ?
       WHERE id = ?`,
    );
    this.#insertVersion = db.prepare(
      `INSERT INTO versions (id, publish_id, module_id, org_id, module_name, version, repository,
         digest, scope, state, manifest, key_fingerprint, signature_kind, submitted_by, created_at,
         decided_at)
       VALUES (@id, @publishId, @moduleId, @orgId, @moduleName, @version, @repository, @digest,
         @scope, @state, @manifest, @keyFingerprint, @signatureKind, @submittedBy, @createdAt,
         @decidedAt)`,
    );
    this.#versionById = db.prepare<[string], VersionRow>('SELECT * FROM versions WHERE id = ?');
    this.#firstSignerOfKey = db.prepare<[string], { submitted_by: string }>(
      `SELECT submitted_by FROM versions WHERE key_fingerprint = ?
       ORDER BY created_at, rowid LIMIT 1`,
    );
    this.#versionByPublishId = db.prepare<[string], VersionRow>(
      'SELECT * FROM versions WHERE publish_id = ?',
    );
    this.#versionByName = db.prepare<[string, string, string], VersionRow>(
      'SELECT * FROM versions WHERE org_id = ? AND module_name = ? AND version = ?',
    );
    this.#decide = db.prepare<[PublishState, string, string, string | null, string]>(
      `UPDATE versions SET state = ?, decided_at = ?, decided_by = ?, decision_reason = ?
       WHERE publish_id = ? AND state = 'SUBMITTED'`,
    );
    this.#listModules = db
      .prepare<{ all: number; org: string; limit: number; offset: number }, ModuleListingTuple>(
        `SELECT ${LISTING_COLUMNS} FROM ${LISTING_FROM}
       WHERE ${VISIBLE_MODULE} ORDER BY m.name, m.org_id LIMIT :limit OFFSET :offset`,
      )
      .raw();
    // VISIBLE_MODULE counted from the counts migration 4 keeps: every public module, plus the
    // reader's org's modules that are not public. One row read whatever the catalog's size.
    this.#countModules = db.prepare<{ all: number; org: string }, { total: number }>(
      `SELECT CASE WHEN :all = 1 THEN t.modules ELSE t.public_modules + coalesce(
         (SELECT c.modules - c.public_modules FROM org_module_counts c WHERE c.org_id = :org), 0)
       END AS total FROM module_counts t`,
    );
    this.#visibleModule = db
      .prepare<{ all: number; org: string; id: string }, ModuleListingTuple>(
        `SELECT ${LISTING_COLUMNS} FROM ${LISTING_FROM}
       WHERE m.id = :id AND ${VISIBLE_MODULE}`,
      )
      .raw();
    this.#listVersions = db.prepare<{ all: number; org: string; id: string }, VersionRow>(
      `SELECT v.* FROM versions v WHERE v.module_id = :id AND ${VISIBLE_VERSION}
       ORDER BY v.created_at DESC, v.rowid DESC`,
    );
    this.#versionsInState = db.prepare<
      { state: PublishState; limit: number; offset: number },
      ReviewVersionRow
    >(
      `SELECT v.*, o.name AS org_name, u.email AS submitter_email, u.name AS submitter_name
       FROM versions v JOIN orgs o ON o.id = v.org_id JOIN users u ON u.id = v.submitted_by
       WHERE v.state = :state ORDER BY v.created_at, v.rowid LIMIT :limit OFFSET :offset`,
    );
    this.#countVersionsInState = db.prepare<[PublishState], { total: number }>(
      'SELECT versions AS total FROM version_state_counts WHERE state = ?',
    );
  }

  /** Every org's versions in `state`, oldest first, with org and submitter names. */
  listVersionsInState(
    state: PublishState,
    page: { limit: number; offset: number },
  ): { items: ReviewVersionRecord[]; total: number } {
    return {
      items: this.#versionsInState.all({ state, ...page }).map(toReviewVersion),
      total: this.#countVersionsInState.get(state)?.total ?? 0,
    };
  }

  findModule(orgId: string, name: string): ModuleRecord | undefined {
    const row = this.#moduleByName.get(orgId, name);
    return row === undefined ? undefined : toModule(row);
  }

  getModule(id: string): ModuleRecord | undefined {
    const row = this.#moduleById.get(id);
    return row === undefined ? undefined : toModule(row);
  }

  insertModule(module: Pick<ModuleRecord, 'id' | 'orgId' | 'name' | 'createdAt'>): void {
    this.#insertModule.run(
      module.id,
      module.orgId,
      module.name,
      module.createdAt,
      module.createdAt,
    );
  }

  updateModule(
    id: string,
    fields: Pick<ModuleRecord, 'updatedAt' | 'currentVersionId' | 'currentPublicVersionId'>,
  ): void {
    this.#updateModule.run(
      fields.updatedAt,
      fields.currentVersionId,
      fields.currentPublicVersionId,
      id,
    );
  }

  /** Throws SQLite's UNIQUE violation when (org, module name, version) exists. */
  insertVersion(version: VersionRecord): void {
    this.#insertVersion.run(version);
  }

  /** The user whose publish was the first signed with the key `fingerprint`, if any was. */
  firstSignerOfKey(fingerprint: string): string | undefined {
    return this.#firstSignerOfKey.get(fingerprint)?.submitted_by;
  }

  getVersion(id: string): VersionRecord | undefined {
    const row = this.#versionById.get(id);
    return row === undefined ? undefined : toVersion(row);
  }

  getVersionByPublishId(publishId: string): VersionRecord | undefined {
    const row = this.#versionByPublishId.get(publishId);
    return row === undefined ? undefined : toVersion(row);
  }

  /** The one version of an org's module with this version string, if it was published. */
  findVersion(orgId: string, moduleName: string, version: string): VersionRecord | undefined {
    const row = this.#versionByName.get(orgId, moduleName, version);
    return row === undefined ? undefined : toVersion(row);
  }

  /** Moves a SUBMITTED version to `state`; false when it was no longer SUBMITTED. */
  decide(
    publishId: string,
    decision: { state: PublishState; at: string; by: string; reason: string | null },
  ): boolean {
    return (
      this.#decide.run(decision.state, decision.at, decision.by, decision.reason, publishId)
        .changes === 1
    );
  }

  listModules(
    visibility: VersionVisibility,
    page: { limit: number; offset: number },
  ): { items: ModuleListing[]; total: number } {
    const params = visibilityParams(visibility);
    return {
      items: this.#listModules.all({ ...params, ...page }).map(toListing),
      total: this.#countModules.get(params)?.total ?? 0,
    };
  }

  getVisibleModule(id: string, visibility: VersionVisibility): ModuleListing | undefined {
    const row = this.#visibleModule.get({ ...visibilityParams(visibility), id });
    return row === undefined ? undefined : toListing(row);
  }

  listVisibleVersions(moduleId: string, visibility: VersionVisibility): VersionRecord[] {
    return this.#listVersions.all({ ...visibilityParams(visibility), id: moduleId }).map(toVersion);
  }
}
