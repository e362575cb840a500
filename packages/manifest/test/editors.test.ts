// manifest.schema.json as editors and other tools read it: Ajv in strict mode, and VS Code's JSON
// language service offline (it may read files, nothing else), each agree with validateModule,
// which is what `hla-compass validate` runs, on the templates' modules and on broken manifests.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Diagnostic,
  ErrorCode,
  getLanguageService,
  TextDocument,
} from 'vscode-json-languageservice';
import { MANIFEST_SCHEMA_ID, type ManifestIssueCode, validateModule } from '../src/index.js';
import { withField } from './manifests.js';

const SCHEMA_FILE = new URL('../manifest.schema.json', import.meta.url);
// The CLI's templates, which `hla-compass init` copies: read from the repository, not copied here.
const TEMPLATES = new URL('../../../apps/cli/templates/', import.meta.url);
/** Where `init` puts the schema (beside manifest.json) and how the manifest names it. */
const SCHEMA_NAME = 'manifest.schema.json';
const SCHEMA_REFERENCE = `./${SCHEMA_NAME}`;

type Template = 'no-ui' | 'with-ui';

const editor = getLanguageService({
  // Offline, as VS Code is on a laptop without network: a schema must be a file to load.
  schemaRequestService: async (uri) => {
    if (!uri.startsWith('file:')) throw new Error(`offline: ${uri} cannot be fetched`);
    return readFile(fileURLToPath(uri), 'utf8');
  },
  // What VS Code's JSON server does with a "$schema" that starts with a dot.
  workspaceContext: {
    resolveRelativePath: (relativePath, resource) => new URL(relativePath, resource).href,
  },
});
editor.configure({ validate: true, allowComments: false });

let root: string;
let schemaText: string;
let templates: Record<Template, Record<string, unknown>>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hla-compass-editors-'));
  schemaText = await readFile(SCHEMA_FILE, 'utf8');
  templates = { 'no-ui': await rendered('no-ui'), 'with-ui': await rendered('with-ui') };
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A template's manifest as `init` writes it: its own, with the module's name and author set. */
async function rendered(template: Template): Promise<Record<string, unknown>> {
  const text = await readFile(new URL(`${template}/manifest.json`, TEMPLATES), 'utf8');
  return {
    ...(JSON.parse(text) as Record<string, unknown>),
    name: 'peptide-scorer',
    author: { name: 'Ada Lovelace', email: 'ada@example.com' },
  };
}

let modules = 0;

/** A module directory as `init` leaves it (the template's files and the schema), with `manifest`. */
async function moduleWith(manifest: unknown, template: Template = 'no-ui'): Promise<string> {
  modules += 1;
  const dir = join(root, `module-${modules}`);
  await cp(fileURLToPath(new URL(template, TEMPLATES)), dir, { recursive: true });
  await writeFile(join(dir, SCHEMA_NAME), schemaText);
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

let compiled: ValidateFunction | undefined;

/** The schema compiled by Ajv in strict mode, once. */
function ajvValidator(): ValidateFunction {
  compiled ??= new Ajv({ strict: true, allErrors: true }).compile(JSON.parse(schemaText));
  return compiled;
}

/** What VS Code shows for the manifest: its diagnostics, a schema it cannot load included. */
async function editorDiagnostics(dir: string): Promise<Diagnostic[]> {
  const uri = pathToFileURL(join(dir, 'manifest.json')).href;
  const document = TextDocument.create(uri, 'json', 1, await readFile(fileURLToPath(uri), 'utf8'));
  // The settings VS Code gives a .json file.
  return editor.doValidation(document, editor.parseJSONDocument(document), {
    comments: 'error',
    trailingCommas: 'error',
  });
}

type Verdicts = {
  validate: { valid: boolean; codes: ManifestIssueCode[] };
  ajv: boolean;
  editor: Diagnostic[];
};

async function verdicts(dir: string): Promise<Verdicts> {
  const validation = await validateModule(dir);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  return {
    validate: {
      valid: validation.valid,
      codes: validation.issues.filter((i) => i.severity === 'error').map((i) => i.code),
    },
    ajv: ajvValidator()(manifest),
    editor: await editorDiagnostics(dir),
  };
}

const schemaProblems = (diagnostics: Diagnostic[]) =>
  diagnostics.filter((diagnostic) => diagnostic.code === ErrorCode.SchemaResolveError);

describe('manifest.schema.json in strict tools', () => {
  it('compiles in Ajv with strict: true (no unknown format, no type list)', () => {
    expect(() => ajvValidator()).not.toThrow();
  });

  it('has no format keyword: editors enforce formats the validator does not', () => {
    expect(schemaText).not.toContain('"format"');
  });
});

describe('the templates in an editor', () => {
  it.each(['no-ui', 'with-ui'] as const)(
    'the %s template names the schema beside it',
    (template) => {
      expect(templates[template].$schema).toBe(SCHEMA_REFERENCE);
    },
  );

  it('shows only that a schema cannot be loaded when $schema is a URL, offline', async () => {
    const hosted = { ...templates['no-ui'], $schema: MANIFEST_SCHEMA_ID, name: 'Not A Name' };
    const diagnostics = await editorDiagnostics(await moduleWith(hosted));
    expect(schemaProblems(diagnostics)).not.toEqual([]);
    expect(diagnostics).toEqual(schemaProblems(diagnostics));
  });
});

describe('Ajv, VS Code and validate agree', () => {
  it.each(['no-ui', 'with-ui'] as const)(
    'the %s template module is valid in all three',
    async (template) => {
      const result = await verdicts(await moduleWith(templates[template], template));
      expect(result.validate).toEqual({ valid: true, codes: [] });
      expect(result.ajv).toBe(true);
      expect(result.editor).toEqual([]);
    },
  );

  const valid: [string, (base: Record<string, unknown>) => unknown][] = [
    [
      'a local author email (git user.email on a CI host)',
      (base) => withField(base, ['author', 'email'], 'ci@build-host'),
    ],
    ['500 emoji in the description', (base) => withField(base, ['description'], '🧬'.repeat(500))],
    [
      'a package entrypoint',
      (base) => withField(base, ['execution', 'entrypoint'], 'backend.main:NoUIModule'),
    ],
    [
      'mixed environment values',
      (base) => withField(base, ['resources', 'environment'], { A: 'a', B: 2, C: true }),
    ],
    [
      'signature fields',
      (base) => ({
        ...base,
        signature: 'AAEC',
        publicKey: 'AA==',
        keyFingerprint: 'SHA256:x',
        signatureAlgorithm: 'Ed25519',
      }),
    ],
    ['an unknown top-level field', (base) => ({ ...base, x_team: 'immunology' })],
    ['null inputs', (base) => withField(base, ['inputs'], null)],
  ];

  it.each(valid)('valid in all three: %s', async (_, change) => {
    const result = await verdicts(await moduleWith(change(templates['no-ui'])));
    expect(result.validate).toEqual({ valid: true, codes: [] });
    expect(result.ajv).toBe(true);
    expect(result.editor).toEqual([]);
  });

  const broken: [string, (base: Record<string, unknown>) => unknown, ManifestIssueCode][] = [
    ['no name', (base) => withField(base, ['name'], undefined), 'schema.required'],
    ['an uppercase name', (base) => withField(base, ['name'], 'Peptide-Scorer'), 'schema.pattern'],
    [
      'a 51-character name',
      (base) => withField(base, ['name'], `a${'-'.repeat(49)}z`),
      'schema.too_long',
    ],
    ['no version', (base) => withField(base, ['version'], undefined), 'schema.required'],
    ['build metadata', (base) => withField(base, ['version'], '1.0.0+5'), 'schema.pattern'],
    ['a leading zero', (base) => withField(base, ['version'], '1.02.0'), 'schema.pattern'],
    ['a numeric version', (base) => withField(base, ['version'], 1), 'schema.invalid_type'],
    ['an unknown type', (base) => withField(base, ['type'], 'cli'), 'schema.invalid_value'],
    [
      'an unknown compute type',
      (base) => withField(base, ['computeType'], 'k8s'),
      'schema.invalid_value',
    ],
    [
      '501 emoji in the description',
      (base) => withField(base, ['description'], '🧬'.repeat(501)),
      'schema.too_long',
    ],
    [
      '11 tags',
      (base) =>
        withField(
          base,
          ['tags'],
          Array.from({ length: 11 }, (_, i) => `t${i}`),
        ),
      'schema.too_long',
    ],
    [
      'an author without a name',
      (base) => withField(base, ['author'], { email: 'a@b.c' }),
      'schema.required',
    ],
    [
      'a numeric author email',
      (base) => withField(base, ['author', 'email'], 42),
      'schema.invalid_type',
    ],
    ['no execution', (base) => withField(base, ['execution'], undefined), 'schema.required'],
    [
      'a two-character entrypoint',
      (base) => withField(base, ['execution', 'entrypoint'], 'ab'),
      'schema.too_short',
    ],
    [
      'an entrypoint that is a path',
      (base) => withField(base, ['execution', 'entrypoint'], 'backend/main.py'),
      'entrypoint.invalid',
    ],
    [
      'an entrypoint without a class',
      (base) => withField(base, ['execution', 'entrypoint'], 'backend.main'),
      'entrypoint.invalid',
    ],
    [
      'an entrypoint module starting with a digit',
      (base) => withField(base, ['execution', 'entrypoint'], '1backend.main:Module'),
      'entrypoint.invalid',
    ],
    [
      'duplicate modes',
      (base) => withField(base, ['execution', 'supports'], ['async', 'async']),
      'schema.not_unique',
    ],
    [
      'an odd memory size',
      (base) => withField(base, ['resources', 'memory'], 768),
      'schema.invalid_value',
    ],
    [
      'a fractional vcpu',
      (base) => withField(base, ['resources', 'vcpus'], 0.5),
      'schema.invalid_type',
    ],
    [
      'a timeout of 901',
      (base) => withField(base, ['resources', 'timeout'], 901),
      'security.timeout_out_of_range',
    ],
    [
      'an object environment value',
      (base) => withField(base, ['resources', 'environment'], { A: {} }),
      'schema.invalid_type',
    ],
    [
      'admin database access',
      (base) => withField(base, ['permissions', 'database'], ['admin']),
      'schema.invalid_value',
    ],
    ['array inputs', (base) => withField(base, ['inputs'], []), 'schema.invalid_type'],
    [
      'a negative price',
      (base) => withField(base, ['pricing', 'tiers', 0, 'amountAct'], -1),
      'schema.too_small',
    ],
    [
      'an unknown tier',
      (base) => withField(base, ['pricing', 'tiers', 0, 'tier'], 'gold'),
      'schema.invalid_value',
    ],
    ['an empty signature', (base) => ({ ...base, signature: '' }), 'schema.too_short'],
    ['a non-base64 public key', (base) => ({ ...base, publicKey: 'a b' }), 'schema.invalid_format'],
    [
      'an RSA signature',
      (base) => ({ ...base, signatureAlgorithm: 'RSA-PSS' }),
      'schema.invalid_value',
    ],
    ['schema version 2', (base) => ({ ...base, schemaVersion: '2.0' }), 'schema.invalid_value'],
  ];

  it.each(broken)('invalid in all three: %s', async (_, change, code) => {
    const result = await verdicts(await moduleWith(change(templates['no-ui'])));
    expect(result.validate.valid).toBe(false);
    expect(result.validate.codes).toContain(code);
    expect(result.ajv).toBe(false);
    expect(schemaProblems(result.editor)).toEqual([]);
    expect(result.editor).not.toEqual([]);
  });
});

// Outside the agreement: what validate checks and a JSON Schema cannot say. The schema accepts
// these, and the test records it so a change on either side is seen.
describe('checks only validate makes', () => {
  const cases: [string, (dir: string) => Promise<void>, ManifestIssueCode, Template][] = [
    [
      'no backend/ directory',
      (dir) => rm(join(dir, 'backend'), { recursive: true }),
      'structure.backend_missing',
      'no-ui',
    ],
    [
      'an entrypoint whose file the module lacks',
      (dir) => rm(join(dir, 'backend', 'main.py')),
      'structure.entrypoint_missing',
      'no-ui',
    ],
    [
      'a with-ui module without frontend/',
      (dir) => rm(join(dir, 'frontend'), { recursive: true }),
      'ui.frontend_missing',
      'with-ui',
    ],
  ];

  it.each(cases)(
    '%s: only validate refuses it (the file system)',
    async (_, change, code, template) => {
      const dir = await moduleWith(templates[template], template);
      await change(dir);
      const result = await verdicts(dir);
      expect(result.validate.codes).toContain(code);
      expect(result.ajv).toBe(true);
      expect(result.editor).toEqual([]);
    },
  );

  it('a version part above 2^53 − 1: only validate refuses it (a pattern cannot count)', async () => {
    const manifest = withField(templates['no-ui'], ['version'], '1.0.9007199254740992');
    const result = await verdicts(await moduleWith(manifest));
    expect(result.validate.codes).toContain('schema.too_large');
    expect(result.ajv).toBe(true);
    expect(result.editor).toEqual([]);
  });
});
