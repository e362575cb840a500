// The listing's `total` and the review queue's come from counts that triggers keep (migration
// 4), not from a count(*) per page. Each test checks them against count(*) of the visibility
// rule written out here, on real database files: after publishes, decisions, other orgs'
// modules, a rolled-back transaction, a reset, a kill -9, and an upgrade from schema 3.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ModuleList, moduleListSchema, routes } from '@hla-compass/platform-api';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore } from '../src/store/catalog.js';
import { openDatabase } from '../src/store/database.js';
import { EnvStore } from '../src/store/env-store.js';
import { migrate, SCHEMA_VERSION } from '../src/store/migrations.js';
import { SecretBox } from '../src/store/secret-box.js';
import { killLeftoverBins, publishUntilKilled, startBin } from './support/bin.js';
import { ACCOUNTS, manifest, type TestPlatform } from './support/platform.js';
import { type PublishingWorld, startPublishingWorld } from './support/publishing-world.js';
import {
  pushImage,
  startTestRegistries,
  type TestRegistries,
  testSeed,
} from './support/registries.js';

const STATES = ['SUBMITTED', 'APPROVED', 'REJECTED'] as const;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hla-compass-catalog-counts-'));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * For every reader (all, and each org), the listing's total next to count(*) of the rule a
 * module is listed by; for every state, the review queue's total next to count(*) of it.
 */
function totals(db: Database.Database): { counted: unknown; scanned: unknown } {
  const catalog = new CatalogStore(db);
  const none = { limit: 0, offset: 0 };
  const orgs = db.prepare<[], { id: string }>('SELECT id FROM orgs ORDER BY id').all();
  const scanOrg = db.prepare<[string], { n: number }>(
    `SELECT count(*) AS n FROM modules WHERE org_id = ? OR current_public_version_id IS NOT NULL`,
  );
  const scanState = db.prepare<[string], { n: number }>(
    'SELECT count(*) AS n FROM versions WHERE state = ?',
  );
  return {
    counted: {
      all: catalog.listModules({ all: true }, none).total,
      orgs: orgs.map(({ id }) => catalog.listModules({ all: false, orgId: id }, none).total),
      states: STATES.map((state) => catalog.listVersionsInState(state, none).total),
    },
    scanned: {
      all: (db.prepare('SELECT count(*) AS n FROM modules').get() as { n: number }).n,
      orgs: orgs.map(({ id }) => scanOrg.get(id)?.n),
      states: STATES.map((state) => scanState.get(state)?.n),
    },
  };
}

function expectTotalsAgree(db: Database.Database): void {
  const { counted, scanned } = totals(db);
  expect(counted).toEqual(scanned);
}

function expectFileTotalsAgree(file: string): void {
  const db = new Database(file, { readonly: true });
  try {
    expectTotalsAgree(db);
  } finally {
    db.close();
  }
}

const ORGS = ['org-a', 'org-b', 'org-c'];

function seedOrgs(db: Database.Database): void {
  const org = db.prepare(`INSERT INTO orgs VALUES (?, ?, 'r', 't')`);
  const user = db.prepare(
    `INSERT INTO users (id, org_id, email, name, roles, created_at) VALUES (?, ?, ?, 'n', '[]', 't')`,
  );
  for (const id of ORGS) {
    org.run(id, id);
    user.run(`u-${id}`, id, `${id}@example.test`);
  }
}

describe('the catalog counts in the store', () => {
  it('agree with count(*) through every kind of write the services make, a rollback and a reset', () => {
    const file = join(dir, 'store.db');
    const store = new EnvStore(file, SecretBox.inMemory());
    seedOrgs(store.db);
    const { catalog } = store;
    expectTotalsAgree(store.db);
    // A fixed pseudo-random walk: new modules, new versions in either scope and state,
    // decisions, and the current-version pointers the services keep.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const modules: { id: string; orgId: string; name: string }[] = [];
    const submitted: string[] = [];
    for (let step = 0; step < 150; step++) {
      store.transaction(() => {
        const kind = modules.length === 0 ? 0 : next(3);
        if (kind === 0) {
          const orgId = ORGS[next(ORGS.length)] as string;
          const module = { id: `m${step}`, orgId, name: `mod-${step}` };
          catalog.insertModule({ ...module, createdAt: 't' });
          modules.push(module);
        }
        const module = modules[next(modules.length)] as (typeof modules)[number];
        if (kind !== 2 || submitted.length === 0) {
          const scope = next(2) === 0 ? 'public' : 'org';
          const state = scope === 'public' ? 'SUBMITTED' : 'APPROVED';
          const id = `v${step}`;
          catalog.insertVersion({
            id,
            publishId: `p${step}`,
            moduleId: module.id,
            orgId: module.orgId,
            moduleName: module.name,
            version: `1.0.${step}`,
            repository: 'r',
            digest: 'd',
            scope,
            state,
            manifest: '{}',
            keyFingerprint: null,
            signatureKind: null,
            submittedBy: `u-${module.orgId}`,
            createdAt: `t${String(step).padStart(4, '0')}`,
            decidedAt: null,
            decidedBy: null,
            decisionReason: null,
          });
          if (state === 'SUBMITTED') submitted.push(`p${step}`);
          const current = catalog.getModule(module.id);
          catalog.updateModule(module.id, {
            updatedAt: 't',
            currentVersionId: state === 'APPROVED' ? id : (current?.currentVersionId ?? null),
            currentPublicVersionId: current?.currentPublicVersionId ?? null,
          });
        } else {
          const publishId = submitted.splice(next(submitted.length), 1)[0] as string;
          const approve = next(2) === 0;
          catalog.decide(publishId, {
            state: approve ? 'APPROVED' : 'REJECTED',
            at: 't',
            by: 'u-org-a',
            reason: null,
          });
          const version = catalog.getVersionByPublishId(publishId);
          const current = version && catalog.getModule(version.moduleId);
          if (approve && version !== undefined && current !== undefined) {
            catalog.updateModule(current.id, {
              updatedAt: 't',
              currentVersionId: version.id,
              currentPublicVersionId: version.id,
            });
          }
        }
      });
      expectTotalsAgree(store.db);
    }
    const before = totals(store.db).counted;
    expect(() =>
      store.transaction(() => {
        catalog.insertModule({ id: 'rolled-back', orgId: 'org-a', name: 'gone', createdAt: 't' });
        catalog.updateModule('rolled-back', {
          updatedAt: 't',
          currentVersionId: null,
          currentPublicVersionId: 'v0',
        });
        throw new Error('the publish fails after its writes');
      }),
    ).toThrow(/fails after its writes/);
    expect(totals(store.db).counted).toEqual(before);
    expectTotalsAgree(store.db);

    store.transaction(() => store.clear());
    expect(totals(store.db).counted).toEqual({ all: 0, orgs: [], states: [0, 0, 0] });
    store.close();
    expectFileTotalsAgree(file);
  });

  it('are backfilled when a database of schema 3 is upgraded, and again when migration 4 reruns', () => {
    expect(SCHEMA_VERSION).toBe(4);
    const file = join(dir, 'schema-3.db');
    const old = new Database(file);
    migrate(old, 3);
    seedOrgs(old);
    const module = old.prepare(
      `INSERT INTO modules (id, org_id, name, created_at, updated_at) VALUES (?, ?, ?, 't', 't')`,
    );
    const version = old.prepare(
      `INSERT INTO versions (id, publish_id, module_id, org_id, module_name, version, repository,
         digest, scope, state, manifest, submitted_by, created_at)
       VALUES (?, ?, ?, ?, ?, '1.0.0', 'r', 'd', ?, ?, '{}', ?, 't')`,
    );
    const point = old.prepare(
      'UPDATE modules SET current_version_id = ?, current_public_version_id = ? WHERE id = ?',
    );
    // org-a: two org modules and one approved public; org-b: one public still submitted and
    // one rejected; org-c: none.
    const rows = [
      ['a1', 'org-a', 'org', 'APPROVED'],
      ['a2', 'org-a', 'org', 'APPROVED'],
      ['a3', 'org-a', 'public', 'APPROVED'],
      ['b1', 'org-b', 'public', 'SUBMITTED'],
      ['b2', 'org-b', 'public', 'REJECTED'],
    ] as const;
    for (const [id, org, scope, state] of rows) {
      module.run(id, org, id);
      version.run(`v-${id}`, `p-${id}`, id, org, id, scope, state, `u-${org}`);
      const approved = state === 'APPROVED' ? `v-${id}` : null;
      point.run(approved, scope === 'public' ? approved : null, id);
    }
    old.close();

    const upgraded = openDatabase(file);
    expect(upgraded.pragma('user_version', { simple: true })).toBe(4);
    expect(totals(upgraded).counted).toEqual({
      all: 5,
      orgs: [3, 3, 1],
      states: [1, 3, 1],
    });
    expectTotalsAgree(upgraded);
    // As if a crash had come between the migration's work and its commit of user_version.
    upgraded.pragma('user_version = 3');
    upgraded.close();
    const again = openDatabase(file);
    expect(again.pragma('user_version', { simple: true })).toBe(4);
    expect(totals(again).counted).toEqual({ all: 5, orgs: [3, 3, 1], states: [1, 3, 1] });
    expectTotalsAgree(again);
    again.close();
  });
});

describe('the listing total over HTTP', () => {
  let world: PublishingWorld<'developer' | 'other' | 'superuser'>;
  let platform: TestPlatform;
  let tokens: typeof world.tokens;

  beforeAll(async () => {
    world = await startPublishingWorld({
      accounts: ['developer', 'other', 'superuser'],
      persistent: true,
    });
    ({ platform, tokens } = world);
  });

  afterAll(() => world?.stop());

  async function publish(
    account: 'developer' | 'other',
    name: string,
    version: string,
    scope: 'org' | 'public',
  ): Promise<string> {
    return (await world.publishAs(account, name, version, scope)).publishId;
  }

  async function decide(publishId: string, verb: 'approve' | 'reject'): Promise<void> {
    const result = await platform.call(
      'dev',
      verb === 'approve' ? routes.approvePublish : routes.rejectPublish,
      {
        token: tokens.superuser,
        params: { publishId },
        body: verb === 'approve' ? {} : { reason: 'not yet' },
      },
    );
    expect(result.status).toBe(200);
  }

  async function list(account: keyof typeof tokens, limit = 100, offset = 0): Promise<ModuleList> {
    const result = await platform.call('dev', routes.listModules, {
      token: tokens[account],
      query: { limit: String(limit), offset: String(offset) },
    });
    expect(result.status).toBe(200);
    return moduleListSchema.parse(result.body);
  }

  /** Each reader's total, checked against the pages: every page says it, and they hold it all. */
  async function readerTotals(): Promise<Record<keyof typeof tokens, number>> {
    const found = { developer: 0, other: 0, superuser: 0 };
    for (const account of Object.keys(tokens) as (keyof typeof tokens)[]) {
      const { total } = await list(account);
      const ids = new Set<string>();
      for (let offset = 0; offset < total + 2; offset += 2) {
        const page = await list(account, 2, offset);
        expect(page.total).toBe(total);
        expect(page.items.length).toBe(Math.max(0, Math.min(2, total - offset)));
        for (const item of page.items) ids.add(item.id);
      }
      expect(ids.size).toBe(total);
      found[account] = total;
    }
    expectFileTotalsAgree(join(platform.dataDir as string, 'dev.db'));
    return found;
  }

  it('moves with publishes and decisions as each org may see them, and pages add up to it', async () => {
    const start = await readerTotals();
    const moved = async (by: Partial<Record<keyof typeof tokens, number>>) =>
      expect(await readerTotals()).toEqual({
        developer: start.developer + (by.developer ?? 0),
        other: start.other + (by.other ?? 0),
        superuser: start.superuser + (by.superuser ?? 0),
      });

    await publish('developer', 'counted-org', '1.0.0', 'org');
    await moved({ developer: 1, superuser: 1 });
    const submitted = await publish('developer', 'counted-public', '1.0.0', 'public');
    await moved({ developer: 2, superuser: 2 });
    await decide(submitted, 'approve');
    await moved({ developer: 2, other: 1, superuser: 2 });
    // Another version of a listed module lists nothing new, approved or not.
    await publish('developer', 'counted-public', '1.1.0', 'public');
    await publish('developer', 'counted-org', '1.1.0', 'org');
    await moved({ developer: 2, other: 1, superuser: 2 });
    const rejected = await publish('other', 'counted-other', '1.0.0', 'public');
    await moved({ developer: 2, other: 2, superuser: 3 });
    await decide(rejected, 'reject');
    await moved({ developer: 2, other: 2, superuser: 3 });
    const approved = await publish('other', 'counted-other', '2.0.0', 'public');
    await decide(approved, 'approve');
    await moved({ developer: 3, other: 2, superuser: 3 });
  });
});

describe('the catalog counts through kill -9', () => {
  let registries: TestRegistries;

  beforeAll(async () => {
    registries = await startTestRegistries();
  });

  afterEach(killLeftoverBins);

  afterAll(() => registries?.stop());

  it('match the rows that survived when the process dies under publishes of new modules', async () => {
    const seedFile = join(dir, 'seed.json');
    await writeFile(seedFile, JSON.stringify(testSeed(registries)));
    const dataDir = join(dir, 'killed');
    await pushImage(registries.plain, 'your-org/stream', '1.0.0');
    const imageRef = `${registries.plain.host}/your-org/stream:1.0.0`;
    const bin = await startBin([
      '--data',
      dataDir,
      '--port',
      '0',
      '--registry',
      'none',
      '--seed',
      seedFile,
    ]);
    // Every publish makes a module, half of them public and waiting: both kinds of count move.
    const { acknowledged, refused } = await publishUntilKilled(bin, {
      lanes: 3,
      enough: 30,
      apiKey: ACCOUNTS.developer.apiKey,
      body: (lane, index) => ({
        label: `killed-${lane}-${index}`,
        json: {
          imageRef,
          manifest: manifest(`killed-${lane}-${index}`, '1.0.0'),
          scope: index % 2 === 0 ? 'public' : 'org',
        },
      }),
    });
    expect(refused).toEqual([]);

    const db = new Database(join(dataDir, 'dev.db'));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const modules = db.prepare(`SELECT count(*) AS n FROM modules WHERE name LIKE 'killed-%'`);
      expect((modules.get() as { n: number }).n).toBeGreaterThanOrEqual(acknowledged.length);
      expectTotalsAgree(db);
    } finally {
      db.close();
    }
  });
});
