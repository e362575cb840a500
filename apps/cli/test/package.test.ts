// The npm package as users get it: packed by pnpm (what publishing runs) and by npm, its
// package.json lists nothing to install (no devDependencies: nothing of the workspace, nothing
// private), it holds the bundle, the README and the LICENSE, the checkout's package.json is as it
// was, and the packed CLI runs, also installed offline with nothing else.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definedEnvironment, runProcess } from '@hla-compass/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../src/commands/catalog.js';
import { ExitCode } from '../src/errors.js';
import { CLI_PATH } from './cli-process.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_MANIFEST = join(PACKAGE_DIR, 'package.json');

let root: string;
let sourceManifest: string;

beforeAll(async () => {
  if (!existsSync(CLI_PATH)) {
    throw new Error(`${CLI_PATH} is missing: build first (pnpm --filter @hla-compass/cli build)`);
  }
  root = await mkdtemp(join(tmpdir(), 'hla-cli-package-'));
  sourceManifest = await readFile(SOURCE_MANIFEST, 'utf8');
});

afterAll(() => rm(root, { recursive: true, force: true }));

/** npm and pnpm as a user runs them: no npm settings from the test runner, a temp cache. */
function packageManagerEnvironment(): Record<string, string> {
  return {
    ...definedEnvironment(
      Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
      ),
    ),
    npm_config_cache: join(root, 'npm-cache'),
    npm_config_update_notifier: 'false',
  };
}

async function run(command: string, args: string[], cwd: string) {
  const result = await runProcess(command, args, { cwd, env: packageManagerEnvironment() });
  expect(result.code, `${command} ${args.join(' ')}:\n${result.stderr}`).toBe(0);
  return result;
}

type Packed = { tarball: string; dir: string; manifest: Record<string, unknown>; text: string };

const packs = new Map<string, Promise<Packed>>();

/** The package packed with `packer` (once per file) and extracted, with its package.json. */
function pack(packer: 'pnpm' | 'npm'): Promise<Packed> {
  let packed = packs.get(packer);
  if (packed === undefined) {
    packed = packWith(packer);
    packs.set(packer, packed);
  }
  return packed;
}

async function packWith(packer: 'pnpm' | 'npm'): Promise<Packed> {
  const out = join(root, packer);
  await mkdir(out, { recursive: true });
  const tarball = join(out, 'cli.tgz');
  if (packer === 'pnpm') await run('pnpm', ['pack', '--out', tarball], PACKAGE_DIR);
  else {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', out], PACKAGE_DIR);
    const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
    await run('mv', [join(out, filename), tarball], out);
  }
  await run('tar', ['-xzf', tarball], out);
  const dir = join(out, 'package');
  const text = await readFile(join(dir, 'package.json'), 'utf8');
  return { tarball, dir, text, manifest: JSON.parse(text) as Record<string, unknown> };
}

describe.each(['pnpm', 'npm'] as const)('packed by %s', (packer) => {
  let packed: Packed;

  beforeAll(async () => {
    packed = await pack(packer);
  }, 120_000);

  it('lists no dependency of any kind, and no workspace or catalog range', () => {
    for (const field of [
      'dependencies',
      'devDependencies',
      'optionalDependencies',
      'peerDependencies',
    ]) {
      expect(packed.manifest[field], field).toBeUndefined();
    }
    expect(packed.text).not.toMatch(/workspace:|catalog:|@hla-compass\/testkit/);
  });

  it('holds the bin, the README and the MIT LICENSE', async () => {
    expect(packed.manifest).toMatchObject({
      name: '@hla-compass/cli',
      license: 'MIT',
      bin: { 'hla-compass': './dist/hla-compass.js' },
    });
    expect(await readFile(join(packed.dir, 'README.md'), 'utf8')).toBe(
      await readFile(join(PACKAGE_DIR, 'README.md'), 'utf8'),
    );
    const license = await readFile(join(packed.dir, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n/);
    expect(license).toBe(await readFile(new URL('../../../LICENSE', import.meta.url), 'utf8'));
    expect(existsSync(join(packed.dir, 'dist', 'templates', 'no-ui', 'manifest.json'))).toBe(true);
  });

  it("leaves the checkout's package.json as it was", async () => {
    expect(await readFile(SOURCE_MANIFEST, 'utf8')).toBe(sourceManifest);
    expect(existsSync(join(PACKAGE_DIR, 'package.json.unpacked'))).toBe(false);
  });

  it('runs from the extracted tarball', async () => {
    const { version } = JSON.parse(sourceManifest) as { version: string };
    const result = await run(
      process.execPath,
      [join(packed.dir, 'dist', 'hla-compass.js'), '--version'],
      root,
    );
    expect(result.stdout).toBe(`${version}\n`);
  });
});

it('installs offline from the tarball with nothing else, and runs', async () => {
  const { tarball } = await pack('pnpm');
  const app = join(root, 'app');
  await mkdir(app);
  await run(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--prefix',
      app,
      tarball,
    ],
    app,
  );
  const { version } = JSON.parse(sourceManifest) as { version: string };
  const result = await run(join(app, 'node_modules', '.bin', 'hla-compass'), ['--version'], app);
  expect(result.stdout).toBe(`${version}\n`);
  expect(
    await readFile(join(app, 'node_modules', '@hla-compass', 'cli', 'package.json'), 'utf8'),
  ).not.toContain('devDependencies');
}, 120_000);

describe('the package README', () => {
  let readme: string;

  beforeAll(async () => {
    readme = await readFile(join(PACKAGE_DIR, 'README.md'), 'utf8');
  });

  it('has every command of the CLI in its command table', () => {
    const commands = readme.split('## Commands')[1]?.split('\n## ')[0] ?? '';
    const rows = commands.split('\n').filter((line) => line.startsWith('| `'));
    for (const { path } of catalog) {
      const command = path.join(' ');
      expect(
        rows.some((row) => row.includes(`\`${command}`)),
        `${command} is missing from the table`,
      ).toBe(true);
    }
  });

  it('documents every exit code', () => {
    const section = readme.split('## Exit codes')[1]?.split('\n## ')[0] ?? '';
    const codes = [...section.matchAll(/^\| (\d+) +\|/gm)].map((match) => Number(match[1]));
    expect(codes).toEqual(Object.values(ExitCode));
  });

  it('covers install and a quick start', () => {
    expect(readme).toContain('npm install --global @hla-compass/cli');
    expect(readme).toContain('## Quick start');
  });
});
