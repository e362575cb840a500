// The JSON Schema init leaves beside manifest.json, which the manifest names by a relative path,
// so an editor validates it offline and with no settings wherever the module is cloned.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';

const SCHEMA_FILE = createRequire(import.meta.url).resolve(
  '@hla-compass/manifest/manifest.schema.json',
);

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(() => sandbox.cleanup());

describe('init and the manifest JSON Schema', () => {
  it.each(['no-ui', 'with-ui'])(
    'writes the schema of @hla-compass/manifest beside the %s manifest, which names it relatively',
    async (template) => {
      const init = await sandbox.run(['init', 'peptide-scorer', '--template', template, '--json']);
      expect(init.code).toBe(0);
      expect(JSON.parse(init.stdout).created).toContain('manifest.schema.json');
      const manifestFile = join(sandbox.dir, 'peptide-scorer', 'manifest.json');
      const { $schema } = JSON.parse(await readFile(manifestFile, 'utf8'));
      expect($schema).toBe('./manifest.schema.json');
      const schemaFile = fileURLToPath(new URL($schema, pathToFileURL(manifestFile)));
      expect(await readFile(schemaFile, 'utf8')).toBe(await readFile(SCHEMA_FILE, 'utf8'));
    },
  );

  it('keeps a manifest.schema.json the module already has, as it keeps every file', async () => {
    const dir = join(sandbox.dir, 'existing');
    await mkdir(dir);
    await writeFile(join(dir, 'manifest.schema.json'), '{}\n');
    const init = await sandbox.run(['init', 'existing', '--yes', '--json']);
    expect(init.code).toBe(0);
    expect(JSON.parse(init.stdout).kept).toEqual(['manifest.schema.json']);
    expect(await readFile(join(dir, 'manifest.schema.json'), 'utf8')).toBe('{}\n');
  });
});
