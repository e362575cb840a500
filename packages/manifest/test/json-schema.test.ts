// manifest.schema.json: generated from the zod schema, committed, and accepting exactly the
// manifests the zod schema accepts.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MANIFEST_SCHEMA_ID, manifestJsonSchema, manifestSchema } from '../src/index.js';
import { conformsTo } from './json-schema-subset.js';
import {
  MINIMAL_MANIFEST,
  SDK_NO_UI_TEMPLATE,
  SDK_WITH_UI_TEMPLATE,
  TEMPLATE_MANIFEST,
  withField,
} from './manifests.js';

describe('manifestJsonSchema', () => {
  it('is a draft-07 schema with the platform id and title, open to unknown fields', () => {
    const schema = manifestJsonSchema();
    expect(schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: MANIFEST_SCHEMA_ID,
      title: 'HLA-Compass Module Manifest',
      type: 'object',
      required: ['name', 'version', 'type', 'execution'],
    });
    expect(MANIFEST_SCHEMA_ID).toBe(
      'https://schemas.hla-compass.alithea.bio/module-manifest-v1.json',
    );
    expect(conformsTo(schema, { ...MINIMAL_MANIFEST, anything: [1] })).toBe(true);
  });

  it('equals the committed manifest.schema.json', async () => {
    const committed = await readFile(new URL('../manifest.schema.json', import.meta.url), 'utf8');
    expect(
      committed,
      'manifest.schema.json is out of date: run `pnpm --filter @hla-compass/manifest generate` and commit it',
    ).toBe(`${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
  });
});

describe('the JSON Schema and the zod schema agree', () => {
  const schema = manifestJsonSchema();
  const valid: [string, unknown][] = [
    ['the minimal manifest', MINIMAL_MANIFEST],
    ['the template manifest', TEMPLATE_MANIFEST],
    ["the SDK's no-ui template", SDK_NO_UI_TEMPLATE],
    ["the SDK's with-ui template", SDK_WITH_UI_TEMPLATE],
    ['a 50-character name', withField(MINIMAL_MANIFEST, ['name'], `a${'-'.repeat(48)}z`)],
    [
      '500 emoji in the description',
      withField(MINIMAL_MANIFEST, ['description'], '🧬'.repeat(500)),
    ],
    ['a prerelease version', withField(MINIMAL_MANIFEST, ['version'], '2.0.0-rc.1.x-y')],
    ['null inputs', withField(MINIMAL_MANIFEST, ['inputs'], null)],
    [
      'mixed environment values',
      withField(MINIMAL_MANIFEST, ['resources', 'environment'], { A: 'a', B: 2, C: true }),
    ],
    [
      'timeout bounds',
      withField(MINIMAL_MANIFEST, ['resources'], { timeout: 900, gpu: 0, vcpus: 1 }),
    ],
    [
      'a local email address',
      withField(MINIMAL_MANIFEST, ['author'], { name: 'CI', email: 'ci@host' }),
    ],
    [
      'signature fields',
      { ...MINIMAL_MANIFEST, signature: 'AAEC', publicKey: 'AA==', signatureAlgorithm: 'Ed25519' },
    ],
    [
      'unknown nested fields',
      withField(MINIMAL_MANIFEST, ['pricing'], {
        tiers: [{ tier: 'advanced', amountAct: 1, note: 'x' }],
      }),
    ],
  ];
  const invalid: [string, unknown][] = [
    ['an array', []],
    ['no name', withField(MINIMAL_MANIFEST, ['name'], undefined)],
    ['no entrypoint', withField(MINIMAL_MANIFEST, ['execution'], {})],
    ['a two-character name', withField(MINIMAL_MANIFEST, ['name'], 'ab')],
    ['a 51-character name', withField(MINIMAL_MANIFEST, ['name'], `a${'-'.repeat(49)}z`)],
    ['an uppercase name', withField(MINIMAL_MANIFEST, ['name'], 'My-Module')],
    ['build metadata', withField(MINIMAL_MANIFEST, ['version'], '1.0.0+5')],
    ['a leading zero', withField(MINIMAL_MANIFEST, ['version'], '1.02.0')],
    ['an unknown type', withField(MINIMAL_MANIFEST, ['type'], 'cli')],
    ['an unknown compute type', withField(MINIMAL_MANIFEST, ['computeType'], 'k8s')],
    [
      '501 emoji in the description',
      withField(MINIMAL_MANIFEST, ['description'], '🧬'.repeat(501)),
    ],
    [
      '11 tags',
      withField(
        MINIMAL_MANIFEST,
        ['tags'],
        Array.from({ length: 11 }, () => 't'),
      ),
    ],
    ['an empty author name', withField(MINIMAL_MANIFEST, ['author'], { name: '' })],
    ['duplicate modes', withField(MINIMAL_MANIFEST, ['execution', 'supports'], ['async', 'async'])],
    ['an odd memory size', withField(MINIMAL_MANIFEST, ['resources', 'memory'], 768)],
    ['a fractional vcpu', withField(MINIMAL_MANIFEST, ['resources', 'vcpus'], 0.5)],
    ['a timeout of 2', withField(MINIMAL_MANIFEST, ['resources', 'timeout'], 2)],
    ['a timeout of 901', withField(MINIMAL_MANIFEST, ['resources', 'timeout'], 901)],
    ['an object env value', withField(MINIMAL_MANIFEST, ['resources', 'environment'], { A: {} })],
    [
      'duplicate database access',
      withField(MINIMAL_MANIFEST, ['permissions', 'database'], ['read', 'read']),
    ],
    ['admin database access', withField(MINIMAL_MANIFEST, ['permissions', 'database'], ['admin'])],
    ['array inputs', withField(MINIMAL_MANIFEST, ['inputs'], [])],
    [
      'a negative price',
      withField(MINIMAL_MANIFEST, ['pricing', 'tiers'], [{ tier: 'developer', amountAct: -1 }]),
    ],
    [
      'an unknown tier',
      withField(MINIMAL_MANIFEST, ['pricing', 'tiers'], [{ tier: 'gold', amountAct: 1 }]),
    ],
    [
      'a tier without price',
      withField(MINIMAL_MANIFEST, ['pricing', 'tiers'], [{ tier: 'developer' }]),
    ],
    ['an empty signature', { ...MINIMAL_MANIFEST, signature: '' }],
    ['a non-base64 key', { ...MINIMAL_MANIFEST, publicKey: 'a b' }],
    ['an RSA signature', { ...MINIMAL_MANIFEST, signatureAlgorithm: 'RSA-PSS' }],
    ['schema version 2', { ...MINIMAL_MANIFEST, schemaVersion: '2.0' }],
  ];

  it.each(valid)('both accept %s', (_, manifest) => {
    expect(manifestSchema.safeParse(manifest).success).toBe(true);
    expect(conformsTo(schema, manifest)).toBe(true);
  });

  it.each(invalid)('both refuse %s', (_, manifest) => {
    expect(manifestSchema.safeParse(manifest).success).toBe(false);
    expect(conformsTo(schema, manifest)).toBe(false);
  });

  it('differ only where JSON Schema cannot follow: a version part above 2^53 − 1', () => {
    const manifest = withField(MINIMAL_MANIFEST, ['version'], '1.0.9007199254740992');
    expect(manifestSchema.safeParse(manifest).success).toBe(false);
    expect(conformsTo(schema, manifest)).toBe(true);
  });
});
