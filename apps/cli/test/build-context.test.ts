// The build context as the engine receives it: .dockerignore read with Docker's meaning, the
// always-excluded directories left out at any depth, the Dockerfile kept, files owned by root.
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  contextFilter,
  dockerignoreRules,
  packBuildContext,
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
        packBuildContext(dir, include),
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
