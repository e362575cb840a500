// What the emulator's floors must do exactly as the emulator does, and nothing more: the SQL of
// the module listing and the durability pragmas, both read when the bench starts from the built
// emulator the bench runs (dist/store/catalog.js and dist/store/database.js, compiled from
// src/store/), so that a floor follows a change of them instead of hiding it; and the JSON the
// listing answers with (as src/services/catalog.ts's toModuleSummary writes it; run.mjs checks
// that the floor's bytes are the emulator's).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir } from './emulator.mjs';

/**
 * The SQL text of `this.#<statement> = db.prepare(...)` in dist/store/catalog.js, its
 * `${CONSTANT}`s replaced by the file's template constants: the emulator's own statement.
 */
function catalogStatement(source, statement) {
  const constants = new Map();
  for (const [, name, text] of source.matchAll(/^const ([A-Z_]+) = `([^`]*)`;/gm)) {
    constants.set(name, text);
  }
  const expand = (text) =>
    text.replace(/\$\{([A-Z_]+)\}/g, (_, name) => {
      const value = constants.get(name);
      if (value === undefined) throw new Error(`dist/store/catalog.js has no constant ${name}`);
      return expand(value);
    });
  const match = new RegExp(
    `this\\.#${statement} = db\\s*\\.prepare(?:<[\\s\\S]*?>)?\\(\\s*\`([^\`]*)\``,
  ).exec(source);
  if (match === null) throw new Error(`dist/store/catalog.js no longer prepares #${statement}`);
  return expand(match[1]);
}

const catalogSource = readFileSync(join(packageDir, 'dist', 'store', 'catalog.js'), 'utf8');

/** GET /v1/modules runs both, in this order, per request (CatalogStore.listModules). */
export const LISTING_SQL = {
  page: catalogStatement(catalogSource, 'listModules'),
  total: catalogStatement(catalogSource, 'countModules'),
};

/**
 * One listing row as the API's ModuleSummary. Rows are arrays in the SELECT's column order,
 * read in better-sqlite3's raw mode as the emulator reads them (CatalogStore's toListing).
 */
export function toModuleSummary([
  id,
  orgId,
  orgName,
  name,
  createdAt,
  updatedAt,
  version,
  repository,
  digest,
]) {
  const current = version === null || repository === null || digest === null ? null : version;
  return {
    id,
    moduleName: name,
    orgId,
    orgName,
    currentVersion: current,
    imageRef: current === null ? null : `${repository}@${digest}`,
    createdAt,
    updatedAt,
  };
}

/** `journal_mode` and `synchronous` as dist/store/database.js sets them, e.g. `{ synchronous: 'FULL' }`. */
export function durabilityPragmas() {
  const source = readFileSync(join(packageDir, 'dist', 'store', 'database.js'), 'utf8');
  const pragmas = {};
  for (const name of ['journal_mode', 'synchronous']) {
    const match = new RegExp(`pragma\\('${name} = (\\w+)'\\)`).exec(source);
    if (match === null)
      throw new Error(`dist/store/database.js no longer sets ${name} as expected`);
    pragmas[name] = match[1];
  }
  return pragmas;
}
