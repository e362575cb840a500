// The floors of GET /v1/modules and POST /v1/modules/publish: the least a server must do to
// answer them as the emulator does, and nothing else (no auth, no schemas, no allowlist, no
// signature or manifest checks, no idempotency). Hono on @hono/node-server like the emulator,
// better-sqlite3 on the emulator's own database file with its durability pragmas.
//
//   node bench/floor-server.mjs <database file>
//
// GET  /v1/modules          the emulator's two listing statements (catalog-sql.mjs) for the
//                           seed's developer (org your-org), rows read as arrays like the
//                           emulator reads them, mapped to ModuleSummary, c.json
// POST /v1/modules/publish  JSON body; one registry HEAD of the image's manifest (the same
//                           request the emulator's registry client makes, through fetch); one
//                           IMMEDIATE transaction: insert the version (and its module, the first
//                           time), point its module at it
// Prints `listening on http://127.0.0.1:<port>` like the emulator; stops on SIGTERM.
import { randomBytes } from 'node:crypto';
import { MANIFEST_MEDIA_TYPES, parseImageReference } from '@hla-compass/registry-client';
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { durabilityPragmas, LISTING_SQL, toModuleSummary } from './catalog-sql.mjs';

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: floor-server.mjs <database file>');

const db = new Database(file);
for (const [name, value] of Object.entries(durabilityPragmas())) db.pragma(`${name} = ${value}`);
db.pragma('busy_timeout = 5000');

const developer = db
  .prepare(`SELECT id, org_id FROM users WHERE email = 'developer@your-org.test'`)
  .get();
const visibility = { all: 0, org: developer.org_id };
const page = db.prepare(LISTING_SQL.page).raw();
const total = db.prepare(LISTING_SQL.total);

const id = (prefix) => `${prefix}_${randomBytes(10).toString('hex')}`;
const now = () => new Date().toISOString();
// The module the floor publishes into, made at its first publish: its own, so that the rows the
// emulator lists (and the floor's listing with them) stay the emulator's.
const insertModule = db.prepare(
  `INSERT INTO modules (id, org_id, name, created_at, updated_at) VALUES (?, ?, 'floor-bench', ?, ?)
   ON CONFLICT (org_id, name) DO NOTHING`,
);
const findModule = db.prepare(`SELECT id FROM modules WHERE org_id = ? AND name = 'floor-bench'`);
let moduleId;
const insertVersion = db.prepare(
  `INSERT INTO versions (id, publish_id, module_id, org_id, module_name, version, repository,
     digest, scope, state, manifest, submitted_by, created_at, decided_at)
   VALUES (@id, @publishId, @moduleId, @orgId, 'floor-bench', @version, @repository, @digest,
     'org', 'APPROVED', @manifest, @submittedBy, @at, @at)`,
);
const pointModule = db.prepare(
  'UPDATE modules SET updated_at = ?, current_version_id = ? WHERE id = ?',
);
const record = db.transaction((version) => {
  if (moduleId === undefined) {
    insertModule.run(id('mod'), developer.org_id, version.at, version.at);
    moduleId = findModule.get(developer.org_id).id;
  }
  insertVersion.run({ ...version, moduleId });
  pointModule.run(version.at, version.id, moduleId);
});

const app = new Hono();
app.get('/v1/modules', (c) => {
  const limit = Number(c.req.query('limit') ?? 100);
  const offset = Number(c.req.query('offset') ?? 0);
  const items = page.all({ ...visibility, limit, offset }).map(toModuleSummary);
  return c.json({ items, total: total.get(visibility).total, limit, offset });
});
app.post('/v1/modules/publish', async (c) => {
  const body = await c.req.json();
  const reference = parseImageReference(body.imageRef);
  const head = await fetch(
    `http://${reference.registry}/v2/${reference.path}/manifests/${reference.tag}`,
    { method: 'HEAD', headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') } },
  );
  const digest = head.headers.get('docker-content-digest');
  if (head.status !== 200 || digest === null) return c.json({ status: head.status }, 502);
  const version = {
    id: id('ver'),
    publishId: id('pub'),
    orgId: developer.org_id,
    version: body.manifest.version,
    repository: reference.repository,
    digest,
    manifest: JSON.stringify(body.manifest),
    submittedBy: developer.id,
    at: now(),
  };
  record.immediate(version);
  return c.json({ publishId: version.publishId, versionId: version.id, digest }, 202);
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
  console.log(`listening on http://127.0.0.1:${info.port}`),
);
process.on('SIGTERM', () =>
  server.close(() => {
    db.close();
    process.exit(0);
  }),
);
