// The npm package as users get it: packed by pnpm (what publishing runs) and by npm, its
// package.json lists nothing to install (no devDependencies: nothing of the workspace, nothing
// private), it holds the bundle, the README and the LICENSE and nothing else, package.json is as
// it was after packing, and the packed CLI runs, also installed offline with nothing else. Each
// packs a copy of the package directory, so a publish of the checkout running meanwhile (e2e)
// and these never rewrite the same package.json at once.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definedEnvironment, runProcess } from '@hla-compass/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../src/commands/catalog.js';
import { ExitCode } from '../src/errors.js';
import { CLI_PATH } from './cli-process.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

let root: string;
let sourceManifest: string;

beforeAll(async () => {
  if (!existsSync(CLI_PATH)) {
    throw new Error(`${CLI_PATH} is missing: build first (pnpm --filter @hla-compass/cli build)`);
  }
  root = await mkdtemp(join(tmpdir(), 'hla-cli-package-'));
  sourceManifest = await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8');
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

type Packed = {
  tarball: string;
  /** The extracted package. */
  dir: string;
  /** The copy of the package directory that was packed. */
  source: string;
  manifest: Record<string, unknown>;
  text: string;
  files: string[];
};

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
  // The package directory as it is checked out and built, without what is installed into it.
  const source = join(out, 'cli');
  await cp(PACKAGE_DIR, source, {
    recursive: true,
    filter: (path) => !/^(node_modules|\.dist-)/.test(relative(PACKAGE_DIR, path)),
  });
  const tarball = join(out, 'cli.tgz');
  if (packer === 'pnpm') await run('pnpm', ['pack', '--out', tarball], source);
  else {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', out], source);
    const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
    await run('mv', [join(out, filename), tarball], out);
  }
  await run('tar', ['-xzf', tarball], out);
  const { stdout: listing } = await run('tar', ['-tzf', tarball], out);
  const dir = join(out, 'package');
  const text = await readFile(join(dir, 'package.json'), 'utf8');
  return {
    tarball,
    dir,
    source,
    text,
    files: listing.split('\n').filter(Boolean),
    manifest: JSON.parse(text) as Record<string, unknown>,
  };
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

  it('holds the bundle, the README, the LICENSE and package.json, nothing else', () => {
    const outside = packed.files.filter(
      (file) => !/^package\/(dist\/.+|README\.md|LICENSE|package\.json)$/.test(file),
    );
    expect(outside).toEqual([]);
    expect(packed.files).toContain('package/dist/hla-compass.js');
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

  it('leaves package.json as it was before packing', async () => {
    expect(await readFile(join(packed.source, 'package.json'), 'utf8')).toBe(sourceManifest);
    expect(existsSync(join(packed.source, 'package.json.unpacked'))).toBe(false);
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
