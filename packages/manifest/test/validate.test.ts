// validateManifest as a whole: warnings and strict mode, issue order, pointers, messages, and
// the manifests templates ship.
import { describe, expect, it } from 'vitest';
import { type ManifestIssue, toJsonPointer, validateManifest } from '../src/index.js';
import {
  MINIMAL_MANIFEST,
  SDK_NO_UI_TEMPLATE,
  SDK_WITH_UI_TEMPLATE,
  TEMPLATE_MANIFEST,
  withField,
} from './manifests.js';

const codesOf = (issues: readonly ManifestIssue[]) => issues.map((issue) => issue.code);

describe('valid manifests', () => {
  it.each([
    ['the template-ready minimal manifest', TEMPLATE_MANIFEST],
    ["the SDK's no-ui template", SDK_NO_UI_TEMPLATE],
    ["the SDK's with-ui template", SDK_WITH_UI_TEMPLATE],
  ])('%s passes strict validation with no issue', (_, manifest) => {
    expect(validateManifest(manifest, { strict: true })).toEqual({
      valid: true,
      issues: [],
      manifest,
    });
  });

  it('returns the manifest exactly as given: no defaults filled in, unknown fields kept', () => {
    const input = {
      ...MINIMAL_MANIFEST,
      x_vendor: { keep: [1, 2] },
      execution: { entrypoint: 'a.b:C', extra: 1 },
    };
    const { manifest } = validateManifest(input);
    expect(manifest).toStrictEqual(input);
    expect(manifest).not.toHaveProperty('computeType');
    expect(manifest).not.toHaveProperty('schemaVersion');
  });

  it('a manifest with only the required fields is valid, with two warnings', () => {
    const result = validateManifest(MINIMAL_MANIFEST);
    expect(result.valid).toBe(true);
    expect(result.manifest).toEqual(MINIMAL_MANIFEST);
    expect(result.issues).toEqual([
      expect.objectContaining({
        code: 'pricing.tiers_missing',
        severity: 'warning',
        path: '/pricing/tiers',
      }),
      expect.objectContaining({
        code: 'openapi.missing_required_field',
        severity: 'warning',
        path: '/schemaVersion',
      }),
    ]);
  });
});

describe('warnings, and strict mode turning them into errors', () => {
  const cases: [string, Record<string, unknown>, Partial<ManifestIssue>][] = [
    [
      'no pricing tiers',
      withField(TEMPLATE_MANIFEST, ['pricing'], undefined),
      { code: 'pricing.tiers_missing', path: '/pricing/tiers' },
    ],
    [
      'an empty list of pricing tiers',
      withField(TEMPLATE_MANIFEST, ['pricing', 'tiers'], []),
      { code: 'pricing.tiers_missing', path: '/pricing/tiers' },
    ],
    [
      'no schemaVersion',
      withField(TEMPLATE_MANIFEST, ['schemaVersion'], undefined),
      { code: 'openapi.missing_required_field', path: '/schemaVersion' },
    ],
    [
      'database delete permission',
      withField(TEMPLATE_MANIFEST, ['permissions', 'database'], ['read', 'delete']),
      { code: 'security.database_delete', path: '/permissions/database/1' },
    ],
    [
      'network access to *',
      withField(TEMPLATE_MANIFEST, ['permissions', 'network'], ['api.example.com', '*']),
      { code: 'security.network_wildcard', path: '/permissions/network/1' },
    ],
    [
      'network access to 0.0.0.0/0',
      withField(TEMPLATE_MANIFEST, ['permissions', 'network'], ['0.0.0.0/0']),
      { code: 'security.network_wildcard', path: '/permissions/network/0' },
    ],
    [
      'network access to ::/0',
      withField(TEMPLATE_MANIFEST, ['permissions', 'network'], ['::/0']),
      { code: 'security.network_wildcard', path: '/permissions/network/0' },
    ],
    [
      'a default mode the module does not support',
      withField(TEMPLATE_MANIFEST, ['execution'], {
        entrypoint: 'backend.main:Module',
        supports: ['interactive'],
        defaultMode: 'async',
      }),
      { code: 'execution.default_mode_unsupported', path: '/execution/defaultMode' },
    ],
  ];

  it.each(cases)('%s is a warning: the manifest stays valid', (_, manifest, expected) => {
    const result = validateManifest(manifest);
    expect(result.valid).toBe(true);
    expect(result.manifest).toEqual(manifest);
    expect(result.issues).toEqual([expect.objectContaining({ ...expected, severity: 'warning' })]);
  });

  it.each(cases)('%s is an error under strict', (_, manifest, expected) => {
    const result = validateManifest(manifest, { strict: true });
    expect(result.valid).toBe(false);
    expect(result.manifest).toBeUndefined();
    expect(result.issues).toEqual([expect.objectContaining({ ...expected, severity: 'error' })]);
  });

  it('reports every delete and wildcard entry, each at its own index', () => {
    const manifest = withField(TEMPLATE_MANIFEST, ['permissions'], {
      database: ['delete'],
      network: ['*', 'a.example.com', '0.0.0.0/0'],
    });
    expect(validateManifest(manifest).issues.map((issue) => issue.path)).toEqual([
      '/permissions/database/0',
      '/permissions/network/0',
      '/permissions/network/2',
    ]);
  });

  it('under strict, any issue makes the manifest invalid', () => {
    expect(validateManifest(MINIMAL_MANIFEST).valid).toBe(true);
    const strict = validateManifest(MINIMAL_MANIFEST, { strict: true });
    expect(strict.valid).toBe(false);
    expect(strict.issues.every((issue) => issue.severity === 'error')).toBe(true);
    expect(codesOf(strict.issues)).toEqual([
      'pricing.tiers_missing',
      'openapi.missing_required_field',
    ]);
  });
});

describe('unknown fields', () => {
  const manifest = { ...TEMPLATE_MANIFEST, x_team: 'genomics', verison: '1.0.0' };

  it('are allowed and not reported without strict', () => {
    expect(validateManifest(manifest)).toEqual({ valid: true, issues: [], manifest });
  });

  it('are reported under strict, with a suggestion when one is close to a known field', () => {
    const result = validateManifest(manifest, { strict: true });
    expect(result.valid).toBe(false);
    expect(result.issues).toEqual([
      {
        code: 'schema.unknown_field',
        severity: 'error',
        path: '/verison',
        message:
          'unknown top-level field "verison" is not part of manifest v1: did you mean "version"?',
      },
      {
        code: 'schema.unknown_field',
        severity: 'error',
        path: '/x_team',
        message:
          'unknown top-level field "x_team" is not part of manifest v1: remove it or check its spelling',
      },
    ]);
  });

  it('inside known objects are allowed even under strict (only top-level fields are checked)', () => {
    const nested = withField(TEMPLATE_MANIFEST, ['execution', 'retries'], 3);
    expect(validateManifest(nested, { strict: true }).issues).toEqual([]);
  });

  it('do not count the declared signature and $schema fields', () => {
    const signed = {
      ...TEMPLATE_MANIFEST,
      signature: 'AAECAw==',
      publicKey: 'MCowBQYDK2VwAyEA',
      keyFingerprint: 'SHA256:abc',
      signatureAlgorithm: 'Ed25519',
    };
    expect(validateManifest(signed, { strict: true })).toEqual({
      valid: true,
      issues: [],
      manifest: signed,
    });
  });
});

describe('JSON pointers', () => {
  it('escape ~ as ~0 and / as ~1 (RFC 6901), and the root is the empty pointer', () => {
    expect(toJsonPointer([])).toBe('');
    expect(toJsonPointer(['a/b', 'm~n', 0, '~1'])).toBe('/a~1b/m~0n/0/~01');
  });

  it('point at unknown fields and environment keys with escaping', () => {
    const manifest = {
      ...withField(TEMPLATE_MANIFEST, ['resources', 'environment'], {
        'PATH/BIN': null,
        'A~B': [],
      }),
      'x/y': 1,
      'a~b': 2,
    };
    expect(validateManifest(manifest, { strict: true }).issues.map((issue) => issue.path)).toEqual([
      '/a~0b',
      '/resources/environment/A~0B',
      '/resources/environment/PATH~1BIN',
      '/x~1y',
    ]);
  });

  it('an array or a non-object manifest is reported at the root', () => {
    for (const value of [[], 'manifest', null, 42]) {
      const result = validateManifest(value);
      expect(result.valid).toBe(false);
      expect(result.issues).toEqual([
        expect.objectContaining({ code: 'schema.invalid_type', path: '' }),
      ]);
    }
  });
});

describe('issue order', () => {
  it('is by path (array indices by value, parents first), then by code', () => {
    const manifest = {
      ...TEMPLATE_MANIFEST,
      name: 'Bad_Name',
      permissions: {
        database: ['delete'],
        network: Array.from({ length: 12 }, (_, index) =>
          index === 2 || index === 10 ? index : '*',
        ),
      },
      execution: { entrypoint: 'main', supports: ['async'], defaultMode: 'workflow' },
    };
    const issues = validateManifest(manifest).issues;
    expect(issues.map((issue) => [issue.path, issue.code])).toEqual([
      ['/execution/defaultMode', 'execution.default_mode_unsupported'],
      ['/execution/entrypoint', 'entrypoint.invalid'],
      ['/name', 'schema.pattern'],
      ['/permissions/database/0', 'security.database_delete'],
      ...[0, 1].map((index) => [`/permissions/network/${index}`, 'security.network_wildcard']),
      ['/permissions/network/2', 'schema.invalid_type'],
      ...[3, 4, 5, 6, 7, 8, 9].map((index) => [
        `/permissions/network/${index}`,
        'security.network_wildcard',
      ]),
      ['/permissions/network/10', 'schema.invalid_type'],
      ['/permissions/network/11', 'security.network_wildcard'],
    ]);
  });

  it('does not depend on the order of the manifest fields', () => {
    const manifest = { ...MINIMAL_MANIFEST, name: 'X', version: 'one', type: 'gui' };
    const reversed = Object.fromEntries(Object.entries(manifest).reverse());
    expect(validateManifest(reversed)).toEqual(validateManifest(manifest));
  });
});

describe('messages', () => {
  it('say what is wrong and what is expected, on one line, without zod wording', () => {
    const result = validateManifest({
      ...MINIMAL_MANIFEST,
      name: 'My_Module',
      version: '1.0.0+build.5',
      resources: { memory: 300, timeout: 1000, vcpus: '2' },
      author: {},
      description: 'x'.repeat(501),
    });
    const messages = Object.fromEntries(result.issues.map((issue) => [issue.path, issue.message]));
    expect(messages).toMatchObject({
      '/name':
        'name "My_Module" must match ^[a-z0-9]([a-z0-9-]{1,48}[a-z0-9])?$: lowercase letters, digits and hyphens, 3–50 characters, starting and ending with a letter or digit',
      '/author/name': 'author.name is required: the author or team name',
      '/resources/memory': 'resources.memory 300 must be one of 256, 512, 1024, 2048, 4096',
      '/resources/timeout':
        'resources.timeout must be at most 900, got 1000: maximum run time in seconds, 3 to 900',
      '/resources/vcpus': 'resources.vcpus must be an integer, got "2": virtual CPUs, at least 1',
      '/description':
        'description has 501 characters, expected at most 500 characters: what the module does',
    });
    expect(messages['/version']).toMatch(/^version "1\.0\.0\+build\.5" must match .*no \+build/);
    for (const issue of result.issues) {
      expect(issue.message).not.toMatch(/\n|Invalid input|expected string, received|Too big/);
    }
  });

  it('quote long values shortly', () => {
    const result = validateManifest({ ...MINIMAL_MANIFEST, type: `${'x'.repeat(200)}` });
    const [issue] = result.issues.filter((each) => each.path === '/type');
    expect(issue?.message.length).toBeLessThan(140);
    expect(issue?.message).toContain('…"');
  });

  it('name a missing required field', () => {
    const result = validateManifest({ name: 'my-module' });
    expect(result.issues.filter((issue) => issue.severity === 'error')).toEqual([
      expect.objectContaining({ code: 'schema.required', path: '/execution' }),
      expect.objectContaining({
        code: 'schema.required',
        path: '/type',
        message: expect.stringMatching(/^type is required: /),
      }),
      expect.objectContaining({ code: 'schema.required', path: '/version' }),
    ]);
  });
});
