// Every field rule of SPEC §5 (with the platform schema's details) has values that pass and
// values that fail, each failure with its code and pointer.
import { describe, expect, it } from 'vitest';
import { type ManifestIssueCode, validateManifest } from '../src/index.js';
import { TEMPLATE_MANIFEST, withField } from './manifests.js';

type Rule = {
  rule: string;
  path: (string | number)[];
  passes: unknown[];
  fails: { value: unknown; code: ManifestIssueCode; at?: string }[];
};

const pointer = (path: readonly (string | number)[]) => path.map((part) => `/${part}`).join('');
const longName = `a${'b'.repeat(48)}c`;

const RULES: Rule[] = [
  {
    rule: 'name is required and matches the module name pattern, 3–50 characters',
    path: ['name'],
    passes: ['abc', 'my-module', 'a1-b2', '123', longName],
    fails: [
      { value: undefined, code: 'schema.required' },
      { value: 'My_Module', code: 'schema.pattern' },
      { value: '-abc', code: 'schema.pattern' },
      { value: 'abc-', code: 'schema.pattern' },
      { value: 'my module', code: 'schema.pattern' },
      { value: 'a', code: 'schema.too_short' },
      { value: 'ab', code: 'schema.too_short' },
      { value: `${longName}d`, code: 'schema.too_long' },
      { value: 42, code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'version is MAJOR.MINOR.PATCH with an optional prerelease, no build, no leading zeros',
    path: ['version'],
    passes: [
      '0.0.0',
      '1.0.0',
      '10.20.30',
      '1.0.0-rc.1',
      '1.0.0-alpha-1',
      '1.0.0-0.3.7',
      '1.0.0-x.7.z.92',
    ],
    fails: [
      { value: undefined, code: 'schema.required' },
      { value: '1.0', code: 'schema.pattern' },
      { value: 'v1.0.0', code: 'schema.pattern' },
      { value: '1.0.0+build.1', code: 'schema.pattern' },
      { value: '1.0.0-rc.1+build', code: 'schema.pattern' },
      { value: '01.0.0', code: 'schema.pattern' },
      { value: '1.00.0', code: 'schema.pattern' },
      { value: '1.0.0-01', code: 'schema.pattern' },
      { value: '1.0.0-', code: 'schema.pattern' },
      { value: '1.0.0-rc..1', code: 'schema.pattern' },
      { value: '1.0.99999999999999999', code: 'schema.too_large' },
      { value: 1, code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'type is no-ui or with-ui',
    path: ['type'],
    passes: ['no-ui', 'with-ui'],
    fails: [
      { value: undefined, code: 'schema.required' },
      { value: 'ui', code: 'schema.invalid_value' },
    ],
  },
  {
    rule: 'computeType is docker, fargate, batch, lambda or sagemaker',
    path: ['computeType'],
    passes: [undefined, 'docker', 'fargate', 'batch', 'lambda', 'sagemaker'],
    fails: [{ value: 'kubernetes', code: 'schema.invalid_value' }],
  },
  {
    rule: 'schemaVersion is "1.0"',
    path: ['schemaVersion'],
    passes: ['1.0'],
    fails: [
      { value: '2.0', code: 'schema.invalid_value' },
      { value: 1, code: 'schema.invalid_value' },
    ],
  },
  {
    rule: 'description has at most 500 characters, counted as code points',
    path: ['description'],
    passes: [undefined, '', 'x'.repeat(500), '🧬'.repeat(500)],
    fails: [
      { value: 'x'.repeat(501), code: 'schema.too_long' },
      { value: '🧬'.repeat(501), code: 'schema.too_long' },
      { value: ['x'], code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'tags are at most 10 strings',
    path: ['tags'],
    passes: [[], Array.from({ length: 10 }, (_, index) => `tag-${index}`)],
    fails: [
      { value: Array.from({ length: 11 }, (_, index) => `tag-${index}`), code: 'schema.too_long' },
      { value: ['ok', 7], code: 'schema.invalid_type', at: '/tags/1' },
      { value: 'hla', code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'author has a non-empty name and optionally an email and an organization',
    path: ['author'],
    passes: [
      { name: 'Ada' },
      { name: 'Ada', email: 'ada@example.com', organization: 'Alithea Bio' },
      // The email format is not enforced: git often holds local addresses like this one.
      { name: 'CI', email: 'ci@build-host' },
    ],
    fails: [
      { value: {}, code: 'schema.required', at: '/author/name' },
      { value: { name: '' }, code: 'schema.too_short', at: '/author/name' },
      { value: { name: 'Ada', email: 42 }, code: 'schema.invalid_type', at: '/author/email' },
      {
        value: { name: 'Ada', organization: 3 },
        code: 'schema.invalid_type',
        at: '/author/organization',
      },
      { value: 'Ada', code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'execution is required',
    path: ['execution'],
    passes: [{ entrypoint: 'backend.main:Module' }],
    fails: [
      { value: undefined, code: 'schema.required' },
      { value: 'backend.main:Module', code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'execution.entrypoint is required, at least 3 characters, in module:ClassName form',
    path: ['execution', 'entrypoint'],
    passes: ['m:C', 'backend.main:Module', 'pkg.sub_mod.main:My_Class2'],
    fails: [
      { value: undefined, code: 'entrypoint.missing' },
      { value: 'a:', code: 'schema.too_short' },
      { value: 'backend.main', code: 'entrypoint.invalid' },
      { value: 'backend/main.py:Module', code: 'entrypoint.invalid' },
      { value: 'backend.main:', code: 'entrypoint.invalid' },
      { value: 7, code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'execution.supports is a unique list of interactive, async and workflow',
    path: ['execution', 'supports'],
    passes: [[], ['interactive'], ['interactive', 'async', 'workflow']],
    fails: [
      { value: ['batch'], code: 'schema.invalid_value', at: '/execution/supports/0' },
      {
        value: ['async', 'workflow', 'async'],
        code: 'schema.not_unique',
        at: '/execution/supports/2',
      },
      { value: 'async', code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'execution.defaultMode is one of the execution modes',
    path: ['execution', 'defaultMode'],
    passes: ['interactive', 'async', 'workflow'],
    fails: [{ value: 'batch', code: 'schema.invalid_value' }],
  },
  {
    rule: 'resources.memory is 256, 512, 1024, 2048 or 4096',
    path: ['resources', 'memory'],
    passes: [256, 512, 1024, 2048, 4096],
    fails: [
      { value: 300, code: 'schema.invalid_value' },
      { value: '512', code: 'schema.invalid_value' },
    ],
  },
  {
    rule: 'resources.memoryMb is an integer of at least 256',
    path: ['resources', 'memoryMb'],
    passes: [256, 10000],
    fails: [
      { value: 255, code: 'schema.too_small' },
      { value: 300.5, code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'resources.vcpus is an integer of at least 1',
    path: ['resources', 'vcpus'],
    passes: [1, 4],
    fails: [
      { value: 0, code: 'schema.too_small' },
      { value: 1.5, code: 'schema.invalid_type' },
      { value: '2', code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'resources.gpu is an integer of at least 0',
    path: ['resources', 'gpu'],
    passes: [0, 1],
    fails: [{ value: -1, code: 'schema.too_small' }],
  },
  {
    rule: 'resources.ephemeralStorageGiB is an integer of at least 10',
    path: ['resources', 'ephemeralStorageGiB'],
    passes: [10, 200],
    fails: [{ value: 9, code: 'schema.too_small' }],
  },
  {
    rule: 'resources.timeout is an integer from 3 to 900 seconds',
    path: ['resources', 'timeout'],
    passes: [3, 180, 900],
    fails: [
      { value: 2, code: 'security.timeout_out_of_range' },
      { value: 901, code: 'security.timeout_out_of_range' },
      { value: 60.5, code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'resources.environment values are strings, numbers or booleans',
    path: ['resources', 'environment'],
    passes: [{}, { LOG_LEVEL: 'INFO', WORKERS: 4, DEBUG: false }],
    fails: [
      {
        value: { LOG_LEVEL: null },
        code: 'schema.invalid_type',
        at: '/resources/environment/LOG_LEVEL',
      },
      {
        value: { NESTED: { a: 1 } },
        code: 'schema.invalid_type',
        at: '/resources/environment/NESTED',
      },
      { value: ['LOG_LEVEL=INFO'], code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'permissions.database is a unique subset of read, write and delete',
    path: ['permissions', 'database'],
    passes: [[], ['read'], ['read', 'write']],
    fails: [
      { value: ['admin'], code: 'schema.invalid_value', at: '/permissions/database/0' },
      { value: ['read', 'read'], code: 'schema.not_unique', at: '/permissions/database/1' },
    ],
  },
  {
    rule: 'permissions.storage is a boolean',
    path: ['permissions', 'storage'],
    passes: [true, false],
    fails: [{ value: 'yes', code: 'schema.invalid_type' }],
  },
  {
    rule: 'permissions.network is a list of strings',
    path: ['permissions', 'network'],
    passes: [[], ['api.example.com', '10.0.0.0/8']],
    fails: [
      {
        value: ['api.example.com', 443],
        code: 'schema.invalid_type',
        at: '/permissions/network/1',
      },
    ],
  },
  {
    rule: 'inputs is a JSON Schema object (or null)',
    path: ['inputs'],
    passes: [null, {}, { type: 'object', properties: { x: { type: 'string' } } }],
    fails: [
      { value: [], code: 'schema.invalid_type' },
      { value: 'object', code: 'schema.invalid_type' },
    ],
  },
  {
    rule: 'outputs is a JSON Schema object (or null)',
    path: ['outputs'],
    passes: [null, { results: { type: 'array' } }],
    fails: [{ value: 1, code: 'schema.invalid_type' }],
  },
  {
    rule: 'pricing.tiers[] have a tier, an amountAct of at least 0 and optionally a model',
    path: ['pricing', 'tiers'],
    passes: [
      [{ tier: 'developer', amountAct: 0 }],
      [
        { tier: 'foundational', amountAct: 1.5, model: 'subscription' },
        { tier: 'advanced', amountAct: 2, model: 'usage-based' },
        { tier: 'strategic', amountAct: 3 },
      ],
    ],
    fails: [
      {
        value: [{ tier: 'gold', amountAct: 1 }],
        code: 'schema.invalid_value',
        at: '/pricing/tiers/0/tier',
      },
      { value: [{ amountAct: 1 }], code: 'schema.required', at: '/pricing/tiers/0/tier' },
      {
        value: [{ tier: 'developer', amountAct: -0.01 }],
        code: 'schema.too_small',
        at: '/pricing/tiers/0/amountAct',
      },
      {
        value: [{ tier: 'developer', amountAct: '1' }],
        code: 'schema.invalid_type',
        at: '/pricing/tiers/0/amountAct',
      },
      {
        value: [{ tier: 'developer' }],
        code: 'pricing.amount_missing',
        at: '/pricing/tiers/0/amountAct',
      },
      {
        value: [{ tier: 'developer', amountAct: 1, model: 'free' }],
        code: 'schema.invalid_value',
        at: '/pricing/tiers/0/model',
      },
    ],
  },
  {
    rule: 'the signature fields are base64 strings, a fingerprint and the literal Ed25519',
    path: ['signature'],
    passes: ['c2lnbmF0dXJl', 'AAECAw=='],
    fails: [
      { value: 'not base64!', code: 'schema.invalid_format' },
      { value: '', code: 'schema.too_short' },
    ],
  },
  {
    rule: 'publicKey is base64',
    path: ['publicKey'],
    passes: ['MCowBQYDK2VwAyEA'],
    fails: [{ value: 'MCow BQ', code: 'schema.invalid_format' }],
  },
  {
    rule: 'keyFingerprint is a string',
    path: ['keyFingerprint'],
    passes: ['SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU'],
    fails: [{ value: 12, code: 'schema.invalid_type' }],
  },
  {
    rule: 'signatureAlgorithm is Ed25519',
    path: ['signatureAlgorithm'],
    passes: ['Ed25519'],
    fails: [{ value: 'RSA-PSS', code: 'schema.invalid_value' }],
  },
  {
    rule: '$schema is a string',
    path: ['$schema'],
    passes: ['./node_modules/@hla-compass/manifest/manifest.schema.json'],
    fails: [{ value: true, code: 'schema.invalid_type' }],
  },
  {
    rule: 'data_requirements has typed optional fields',
    path: ['data_requirements'],
    passes: [
      {
        required_columns: ['peptide'],
        min_rows: 0,
        max_rows: 1,
        supported_formats: ['CSV', 'PARQUET'],
      },
    ],
    fails: [
      { value: { min_rows: -1 }, code: 'schema.too_small', at: '/data_requirements/min_rows' },
      { value: { max_rows: 0 }, code: 'schema.too_small', at: '/data_requirements/max_rows' },
      {
        value: { supported_formats: ['XLSX'] },
        code: 'schema.invalid_value',
        at: '/data_requirements/supported_formats/0',
      },
    ],
  },
  {
    rule: 'ui holds strings and a list of keys',
    path: ['ui'],
    passes: [
      { framework: 'react', buildCommand: 'npm run build', distPath: 'frontend/dist', keys: ['a'] },
    ],
    fails: [{ value: { keys: 'a' }, code: 'schema.invalid_type', at: '/ui/keys' }],
  },
];

describe.each(RULES)('$rule', ({ path, passes, fails }) => {
  it.each(passes.map((value) => [JSON.stringify(value) ?? 'absent', value]))(
    'accepts %s',
    (_, value) => {
      const result = validateManifest(withField(TEMPLATE_MANIFEST, path, value), { strict: true });
      expect(result.issues).toEqual([]);
      expect(result.valid).toBe(true);
    },
  );

  it.each(fails.map((failure) => [JSON.stringify(failure.value) ?? 'absent', failure]))(
    'rejects %s',
    (_, { value, code, at }) => {
      const result = validateManifest(withField(TEMPLATE_MANIFEST, path, value));
      expect(result.valid).toBe(false);
      expect(result.manifest).toBeUndefined();
      expect(result.issues).toEqual([
        expect.objectContaining({ code, severity: 'error', path: at ?? pointer(path) }),
      ]);
    },
  );
});
