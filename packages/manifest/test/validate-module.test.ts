// validateModule on real module directories in the temp dir: reading the manifest, the layout
// checks of SPEC §5, and strict mode over both.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manifestDigest, validateModule } from '../src/index.js';
import { SDK_WITH_UI_TEMPLATE, TEMPLATE_MANIFEST } from './manifests.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hla-compass-manifest-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The backend the fixtures' entrypoints name (backend.main:Module, :NoUIModule, :UIModule). */
const MAIN_PY =
  'class Module:\n    pass\n\n\nclass NoUIModule(Module):\n    pass\n\n\nclass UIModule(Module):\n    pass\n';

/**
 * Writes files (path → content) under the module directory, creating folders on the way; a
 * backend/ gets MAIN_PY as its main.py unless `files` says otherwise (null: no main.py).
 */
async function layout(files: Record<string, string | object | null>): Promise<void> {
  const withBackend = Object.keys(files).some((path) => path.startsWith('backend/'));
  const all = withBackend ? { 'backend/main.py': MAIN_PY, ...files } : files;
  for (const [path, content] of Object.entries(all)) {
    if (content === null) continue;
    await mkdir(join(dir, path, '..'), { recursive: true });
    const text = typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`;
    await writeFile(join(dir, path), text);
  }
}

const PINNED = 'numpy==2.1.3\n';

describe('a well-formed module', () => {
  it('is valid under strict, and the manifest is returned with its document and digest', async () => {
    await layout({ 'manifest.json': TEMPLATE_MANIFEST, 'backend/requirements.txt': PINNED });
    expect(await validateModule(dir, { strict: true })).toEqual({
      valid: true,
      issues: [],
      manifest: TEMPLATE_MANIFEST,
      document: TEMPLATE_MANIFEST,
      digest: manifestDigest(TEMPLATE_MANIFEST),
    });
  });

  it('has the digest of its content: key order, whitespace and signature fields do not count', async () => {
    await layout({ 'manifest.json': TEMPLATE_MANIFEST, 'backend/requirements.txt': PINNED });
    const { digest } = await validateModule(dir);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const reordered = Object.fromEntries(Object.entries(TEMPLATE_MANIFEST).reverse());
    await writeFile(
      join(dir, 'manifest.json'),
      JSON.stringify({ ...reordered, signature: 'c2lnbmF0dXJl' }),
    );
    const signed = await validateModule(dir);
    expect(signed.document).toEqual({ ...TEMPLATE_MANIFEST, signature: 'c2lnbmF0dXJl' });
    expect(signed.digest).toBe(digest);

    await writeFile(
      join(dir, 'manifest.json'),
      JSON.stringify({ ...TEMPLATE_MANIFEST, version: '0.1.1' }),
    );
    expect((await validateModule(dir)).digest).not.toBe(digest);
  });

  it('that is invalid has neither document nor digest', async () => {
    await layout({
      'manifest.json': { ...TEMPLATE_MANIFEST, version: 'one' },
      'backend/requirements.txt': PINNED,
    });
    const result = await validateModule(dir);
    expect(result.valid).toBe(false);
    expect([result.manifest, result.document, result.digest]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('with a UI is valid when frontend/ exists', async () => {
    await layout({
      'manifest.json': SDK_WITH_UI_TEMPLATE,
      'backend/requirements.txt': PINNED,
      'frontend/index.tsx': 'export {};\n',
    });
    expect((await validateModule(dir, { strict: true })).issues).toEqual([]);
  });

  it('may keep its manifest elsewhere: manifestPath resolves against the module directory', async () => {
    await layout({ 'config/module.json': TEMPLATE_MANIFEST, 'backend/requirements.txt': PINNED });
    expect((await validateModule(dir, { manifestPath: 'config/module.json' })).valid).toBe(true);
    expect(
      (await validateModule(dir, { manifestPath: join(dir, 'config/module.json') })).valid,
    ).toBe(true);
  });

  it('may have a byte order mark before its JSON', async () => {
    await layout({
      'manifest.json': `\uFEFF${JSON.stringify(TEMPLATE_MANIFEST)}`,
      'backend/requirements.txt': PINNED,
    });
    expect((await validateModule(dir, { strict: true })).valid).toBe(true);
  });
});

describe('reading the manifest', () => {
  it('a missing manifest is manifest.not_found with its absolute path, and nothing else is checked', async () => {
    expect(await validateModule(dir)).toEqual({
      valid: false,
      issues: [
        {
          code: 'manifest.not_found',
          severity: 'error',
          path: '',
          message: `manifest file not found at ${join(dir, 'manifest.json')}`,
        },
      ],
    });
  });

  it('a manifest path that is a directory cannot be read', async () => {
    await mkdir(join(dir, 'manifest.json'));
    const { issues } = await validateModule(dir);
    expect(issues).toEqual([
      expect.objectContaining({
        code: 'manifest.read_error',
        message: expect.stringMatching(/manifest\.json: it is a directory$/),
      }),
    ]);
  });

  it('invalid JSON is manifest.invalid with the line and column of the fault', async () => {
    await layout({ 'manifest.json': '{\n  "name": "my-module",\n}\n' });
    expect((await validateModule(dir)).issues).toEqual([
      {
        code: 'manifest.invalid',
        severity: 'error',
        path: '',
        message:
          "invalid JSON in manifest at line 3, column 1: expected a member name in double quotes but found '}'",
      },
    ]);
  });

  it('a duplicate key is manifest.invalid with its position: which value would be signed?', async () => {
    await layout({
      'manifest.json': `${JSON.stringify(TEMPLATE_MANIFEST, null, 2).replace('\n}', ',\n  "version": "9.9.9"\n}')}\n`,
      'backend/requirements.txt': PINNED,
    });
    expect(await validateModule(dir)).toEqual({
      valid: false,
      issues: [
        {
          code: 'manifest.invalid',
          severity: 'error',
          path: '',
          message: 'invalid JSON in manifest at line 18, column 3: duplicate member name "version"',
        },
      ],
    });
  });
});

describe('structure checks', () => {
  it('backend/ must exist', async () => {
    await layout({ 'manifest.json': TEMPLATE_MANIFEST });
    const result = await validateModule(dir);
    expect(result.valid).toBe(false);
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'structure.backend_missing', severity: 'error', path: '' }),
    ]);
  });

  it('backend must be a directory, not a file', async () => {
    await layout({ 'manifest.json': TEMPLATE_MANIFEST, backend: 'print("hi")\n' });
    expect((await validateModule(dir)).issues.map((issue) => issue.code)).toEqual([
      'structure.backend_missing',
    ]);
  });

  it('a with-ui module needs frontend/', async () => {
    await layout({ 'manifest.json': SDK_WITH_UI_TEMPLATE, 'backend/requirements.txt': PINNED });
    const result = await validateModule(dir);
    expect(result.valid).toBe(false);
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'ui.frontend_missing', severity: 'error', path: '' }),
    ]);
  });

  it('a no-ui module does not need frontend/', async () => {
    await layout({ 'manifest.json': TEMPLATE_MANIFEST, 'backend/requirements.txt': PINNED });
    expect((await validateModule(dir)).issues).toEqual([]);
  });

  it('runs alongside schema errors, and all issues are ordered by path then code', async () => {
    await layout({
      'manifest.json': { ...SDK_WITH_UI_TEMPLATE, name: 'Bad Name' },
    });
    expect((await validateModule(dir)).issues.map((issue) => [issue.path, issue.code])).toEqual([
      ['', 'structure.backend_missing'],
      ['', 'ui.frontend_missing'],
      ['/name', 'schema.pattern'],
    ]);
  });

  it('a missing requirements.txt is a warning, an error under strict', async () => {
    await layout({ 'manifest.json': TEMPLATE_MANIFEST, 'backend/main.py': MAIN_PY });
    const lenient = await validateModule(dir);
    expect(lenient.valid).toBe(true);
    expect(lenient.issues).toEqual([
      expect.objectContaining({ code: 'structure.requirements_missing', severity: 'warning' }),
    ]);
    const strict = await validateModule(dir, { strict: true });
    expect(strict.valid).toBe(false);
    expect(strict.issues).toEqual([
      expect.objectContaining({ code: 'structure.requirements_missing', severity: 'error' }),
    ]);
  });

  it('an unreadable requirements.txt is reported as such', async () => {
    await layout({ 'manifest.json': TEMPLATE_MANIFEST, 'backend/main.py': MAIN_PY });
    await mkdir(join(dir, 'backend/requirements.txt'), { recursive: true });
    expect((await validateModule(dir)).issues).toEqual([
      expect.objectContaining({
        code: 'structure.requirements_read_error',
        severity: 'warning',
        message: 'unable to read backend/requirements.txt: it is a directory',
      }),
    ]);
  });
});

describe('unpinned requirements', () => {
  const requirements = [
    '# runtime', // 1
    'numpy==2.1.3', // 2
    'pandas', // 3
    'scipy>=1.10', // 4
    '', // 5
    '-r extra.txt', // 6
    'requests~=2.32 ; python_version >= "3.9"', // 7
  ].join('\n');

  it('are warnings, every line reported with its number; the module stays valid', async () => {
    await layout({ 'manifest.json': TEMPLATE_MANIFEST, 'backend/requirements.txt': requirements });
    const result = await validateModule(dir);
    expect(result.valid).toBe(true);
    expect(result.manifest).toEqual(TEMPLATE_MANIFEST);
    expect(result.issues.map((issue) => [issue.code, issue.severity, issue.message])).toEqual([
      [
        'structure.requirements_nested',
        'warning',
        'backend/requirements.txt line 6: "-r extra.txt" includes a file whose requirements are not checked: list them in backend/requirements.txt, pinned with ==',
      ],
      [
        'structure.requirements_unpinned',
        'warning',
        'unpinned dependency in backend/requirements.txt line 3: "pandas" (pin it with ==, e.g. pandas==1.2.3)',
      ],
      [
        'structure.requirements_unpinned',
        'warning',
        'unpinned dependency in backend/requirements.txt line 4: "scipy>=1.10" (pin it with ==, e.g. scipy==1.2.3)',
      ],
      [
        'structure.requirements_unpinned',
        'warning',
        'unpinned dependency in backend/requirements.txt line 7: "requests~=2.32 ; python_version >= \\"3.9\\"" (pin it with ==, e.g. requests==1.2.3)',
      ],
    ]);
  });

  it('are errors under strict, and the manifest is withheld', async () => {
    await layout({ 'manifest.json': TEMPLATE_MANIFEST, 'backend/requirements.txt': requirements });
    const result = await validateModule(dir, { strict: true });
    expect(result.valid).toBe(false);
    expect(result.manifest).toBeUndefined();
    expect(result.issues).toHaveLength(4);
    expect(result.issues.every((issue) => issue.severity === 'error')).toBe(true);
  });
});

describe('strict mode over the whole module', () => {
  it('also reports unknown top-level fields and manifest warnings as errors', async () => {
    await layout({
      'manifest.json': { ...TEMPLATE_MANIFEST, pricing: undefined, owner: 'lab' },
      'backend/requirements.txt': PINNED,
    });
    const lenient = await validateModule(dir);
    expect(lenient.valid).toBe(true);
    expect(lenient.issues.map((issue) => [issue.code, issue.severity])).toEqual([
      ['pricing.tiers_missing', 'warning'],
    ]);
    const strict = await validateModule(dir, { strict: true });
    expect(strict.issues.map((issue) => [issue.code, issue.severity])).toEqual([
      ['schema.unknown_field', 'error'],
      ['pricing.tiers_missing', 'error'],
    ]);
  });
});

describe('the entrypoint', () => {
  const withEntrypoint = (entrypoint: string) => ({
    ...TEMPLATE_MANIFEST,
    execution: { ...TEMPLATE_MANIFEST.execution, entrypoint },
  });

  it('whose file is missing is structure.entrypoint_missing, an error also without strict', async () => {
    await layout({
      'manifest.json': TEMPLATE_MANIFEST,
      'backend/requirements.txt': PINNED,
      'backend/main.py': null,
    });
    const result = await validateModule(dir);
    expect(result.valid).toBe(false);
    expect(result.manifest).toBeUndefined();
    expect(result.issues).toEqual([
      {
        code: 'structure.entrypoint_missing',
        severity: 'error',
        path: '/execution/entrypoint',
        message: expect.stringContaining('no backend/main.py'),
      },
    ]);
  });

  it('naming a module that is not there is structure.entrypoint_missing', async () => {
    await layout({
      'manifest.json': withEntrypoint('backend.nope:Foo'),
      'backend/requirements.txt': PINNED,
    });
    const { valid, issues } = await validateModule(dir, { strict: true });
    expect(valid).toBe(false);
    expect(issues.map((issue) => [issue.code, issue.message])).toEqual([
      [
        'structure.entrypoint_missing',
        expect.stringMatching(
          /^execution\.entrypoint "backend\.nope:Foo": no backend\/nope\.py .*create it/,
        ),
      ],
    ]);
  });

  it('resolves a package to its __init__.py, and a module named from inside backend/', async () => {
    await layout({
      'manifest.json': withEntrypoint('backend.scoring:Scorer'),
      'backend/requirements.txt': PINNED,
      'backend/scoring/__init__.py': 'from .impl import Scorer\n',
    });
    expect((await validateModule(dir, { strict: true })).issues).toEqual([]);
    await layout({ 'manifest.json': withEntrypoint('main:Module') });
    expect((await validateModule(dir, { strict: true })).issues).toEqual([]);
  });

  it('whose class is not defined at top level is a warning (an error under strict)', async () => {
    await layout({
      'manifest.json': withEntrypoint('backend.main:Missing'),
      'backend/requirements.txt': PINNED,
      'backend/main.py': 'def make():\n    class Missing:\n        pass\n# class Missing\n',
    });
    const lenient = await validateModule(dir);
    expect(lenient.valid).toBe(true);
    expect(lenient.issues).toEqual([
      {
        code: 'entrypoint.class_missing',
        severity: 'warning',
        path: '/execution/entrypoint',
        message: expect.stringContaining('backend/main.py does not define class Missing'),
      },
    ]);
    expect((await validateModule(dir, { strict: true })).valid).toBe(false);
  });

  it('is not looked for when the entrypoint is malformed: entrypoint.invalid says enough', async () => {
    await layout({
      'manifest.json': withEntrypoint('backend/main.py'),
      'backend/requirements.txt': PINNED,
    });
    expect((await validateModule(dir)).issues.map((issue) => issue.code)).toEqual([
      'entrypoint.invalid',
    ]);
  });
});
