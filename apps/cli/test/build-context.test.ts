// The build context as the engine receives it: .dockerignore read with Docker's meaning, the
// always-excluded directories left out at any depth, the Dockerfile kept, files owned by root.
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  contextFilter,
  dockerignoreRules,
  onlyPaths,
  packBuildContext,
  packModuleFiles,
  readDockerignore,
} from '../src/docker/build-context.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hla-context-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function writeFiles(root: string, files: readonly string[]): Promise<void> {
  for (const file of files) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), `${file}\n`);
  }
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  const files: string[] = [];
  for (const entry of entries) {
    if ((await stat(join(root, entry))).isFile()) files.push(entry);
  }
  return files.sort();
}

describe('dockerignoreRules', () => {
  it('anchors every pattern at the context root and cleans it like a path', () => {
    const text = [
      '\uFEFF# a comment',
      '',
      '*.pyc',
      '  ./secrets/  ',
      '/docs//draft',
      '**/*.log',
      '!keep.pyc',
      '! ./spaced',
      'a/../b',
      '.',
    ].join('\n');
    expect(dockerignoreRules(text)).toEqual([
      '/*.pyc',
      '/secrets',
      '/docs/draft',
      '/**/*.log',
      '!/keep.pyc',
      '!/spaced',
      '/b',
    ]);
  });
});

describe('contextFilter', () => {
  const include = contextFilter(
    ['*.pyc', '**/*.log', 'secrets', '!keep.pyc', '.hla-compass', 'Dockerfile'].join('\n'),
    ['Dockerfile'],
  );

  it('reads patterns from the root, as Docker does: *.pyc is top-level only, **/ reaches below', () => {
    expect(include('cache.pyc')).toBe(false);
    expect(include('backend/cache.pyc')).toBe(true);
    expect(include('backend/run.log')).toBe(false);
    expect(include('run.log')).toBe(false);
    expect(include('keep.pyc')).toBe(true);
  });

  it('leaves out a directory and everything below it', () => {
    expect(include('secrets')).toBe(false);
    expect(include('secrets/key.pem')).toBe(false);
    expect(include('backend/secrets')).toBe(true);
  });

  it('never lets .git, node_modules, .hla-compass or __pycache__ in, at any depth', () => {
    for (const path of [
      '.git',
      '.git/HEAD',
      'node_modules',
      'frontend/node_modules/react/index.js',
      '.hla-compass/build.json',
      'backend/__pycache__/main.cpython-311.pyc',
    ]) {
      expect(include(path), path).toBe(false);
    }
    expect(contextFilter('!node_modules\n!.git', [])('node_modules/x')).toBe(false);
  });

  it('always keeps the Dockerfile of the build and the directories above it', () => {
    expect(include('Dockerfile')).toBe(true);
    const generated = contextFilter('.hla-compass\n', ['.hla-compass/Dockerfile']);
    expect(generated('.hla-compass')).toBe(true);
    expect(generated('.hla-compass/Dockerfile')).toBe(true);
    expect(generated('.hla-compass/build.json')).toBe(false);
  });
});

describe('packBuildContext', () => {
  it('streams exactly the files the filter lets in, owned by root', async () => {
    await writeFiles(dir, [
      'manifest.json',
      'Dockerfile',
      '.dockerignore',
      'backend/main.py',
      'backend/__pycache__/main.cpython-311.pyc',
      '.git/HEAD',
      'node_modules/x/index.js',
      'frontend/node_modules/y/index.js',
      'frontend/dist/bundle.js',
      '.hla-compass/build.json',
      '.hla-compass/Dockerfile',
      'secrets/token.txt',
      'notes.log',
    ]);
    await writeFile(join(dir, '.dockerignore'), 'secrets\n*.log\n');
    const out = await mkdtemp(join(tmpdir(), 'hla-context-out-'));
    const owners: number[] = [];
    try {
      const include = contextFilter(await readDockerignore(dir), ['.hla-compass/Dockerfile']);
      await pipeline(
        packBuildContext(dir, include, new Date(0)),
        extract(out, {
          map: (header) => {
            owners.push(header.uid, header.gid);
            return header;
          },
        }),
      );
      expect(await listFiles(out)).toEqual(
        [
          '.dockerignore',
          '.hla-compass/Dockerfile',
          'Dockerfile',
          'backend/main.py',
          'frontend/dist/bundle.js',
          'manifest.json',
        ].sort(),
      );
      expect(new Set(owners)).toEqual(new Set([0]));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('reads a missing .dockerignore as empty', async () => {
    expect(await readDockerignore(dir)).toBe('');
  });
});

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Entry {
  name: string;
  type: string;
  mode: string;
  mtime: string;
  owner: string;
}

/** The headers of a tar as extracted, in the order they come. */
async function entriesOf(stream: Readable): Promise<Entry[]> {
  const out = await mkdtemp(join(tmpdir(), 'hla-context-entries-'));
  const entries: Entry[] = [];
  try {
    await pipeline(
      stream,
      extract(out, {
        map: (header) => {
          entries.push({
            name: header.name,
            type: header.type,
            mode: (header.mode & 0o7777).toString(8),
            mtime: header.mtime.toISOString(),
            owner: `${header.uid}:${header.gid}`,
          });
          return header;
        },
      }),
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  return entries;
}

describe('reproducible contexts', () => {
  const time = new Date('2026-01-02T03:04:05.000Z');
  const files = ['manifest.json', 'backend/main.py', 'backend/lib/util.py', 'frontend/dist/ui.js'];

  it('packs the same files to the same bytes whatever their times, umask and creation order', async () => {
    const other = await mkdtemp(join(tmpdir(), 'hla-context-other-'));
    try {
      await writeFiles(dir, files);
      await writeFiles(other, [...files].reverse());
      await chmod(join(other, 'backend/main.py'), 0o664);
      await utimes(join(other, 'manifest.json'), new Date(1e12), new Date(1e12));
      const all = () => true;
      expect(await sha256Of(packBuildContext(dir, all, time))).toBe(
        await sha256Of(packBuildContext(other, all, time)),
      );
      await writeFile(join(other, 'backend/main.py'), 'changed\n');
      expect(await sha256Of(packBuildContext(dir, all, time))).not.toBe(
        await sha256Of(packBuildContext(other, all, time)),
      );
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('gives every entry one time, root ownership and 0644, or 0755 for directories and executables', async () => {
    await writeFiles(dir, ['manifest.json', 'backend/run.sh']);
    await chmod(join(dir, 'backend/run.sh'), 0o700);
    await chmod(join(dir, 'manifest.json'), 0o600);
    const entries = await entriesOf(packBuildContext(dir, () => true, time));
    expect(entries.map(({ name, mode }) => [name, mode])).toEqual([
      ['.', '755'],
      ['backend', '755'],
      ['manifest.json', '644'],
      ['backend/run.sh', '755'],
    ]);
    expect(new Set(entries.map((entry) => entry.mtime))).toEqual(new Set([time.toISOString()]));
    expect(new Set(entries.map((entry) => entry.owner))).toEqual(new Set(['0:0']));
  });

  it('lays the module files out as the image has them, directories included, and nothing else', async () => {
    await writeFiles(dir, [
      ...files,
      'frontend/src/app.tsx',
      'Dockerfile',
      'notes.md',
      'backend/__pycache__/main.cpython-311.pyc',
      'backend/secret.env',
    ]);
    const include = contextFilter('backend/secret.env\n', []);
    const entries = await entriesOf(packModuleFiles(dir, include, { mtime: time, ui: true }));
    expect(entries.map(({ name, type }) => `${name}${type === 'directory' ? '/' : ''}`)).toEqual([
      'app/',
      'app/backend/',
      'app/ui/',
      'app/manifest.json',
      'app/backend/lib/',
      'app/backend/main.py',
      'app/ui/dist/',
      'app/backend/lib/util.py',
      'app/ui/dist/ui.js',
    ]);
    expect(new Set(entries.map((entry) => entry.mtime))).toEqual(new Set([time.toISOString()]));
    const noUi = await entriesOf(packModuleFiles(dir, include, { mtime: time, ui: false }));
    expect(noUi.some((entry) => entry.name.startsWith('app/ui'))).toBe(false);
  });

  it('onlyPaths lets through exactly the paths named and the directories above them', () => {
    const keep = onlyPaths(['.hla-compass/Dockerfile', 'backend/requirements.txt']);
    expect(
      ['.hla-compass', '.hla-compass/Dockerfile', 'backend', 'backend/requirements.txt'].every(
        keep,
      ),
    ).toBe(true);
    expect(['backend/main.py', '.hla-compass/build.json', 'manifest.json'].some(keep)).toBe(false);
  });
});
