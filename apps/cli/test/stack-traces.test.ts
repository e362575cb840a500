// Stack traces under --verbose point into the sources: the built CLI maps each frame of its
// bundle through the source maps dist ships, and those maps carry every source they name, so the
// published package (dist only) holds all a position points at. Runs the built CLI.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';

const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(PACKAGE_ROOT, 'dist');

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(() => sandbox.cleanup());

/** `at … (src/x.ts:12:3)` or `at src/x.ts:12:3` → [path, line]. */
const SOURCE_FRAME = /^\s+at (?:.*\()?(src\/[^\s():]+\.ts):(\d+):\d+\)?$/;

it('maps every frame of the bundle to src/*.ts, at the line that made the call', async () => {
  const result = await sandbox.run(['keys', 'init', '--verbose'], {
    env: { HLA_COMPASS_CONFIG_DIR: '/dev/null/config' },
  });
  expect(result.code).toBe(1);
  const frames = result.stderr.split('\n').filter((line) => /^\s+at /.test(line));
  expect(frames.length).toBeGreaterThan(2);
  // No frame is left in the minified chunks.
  for (const frame of frames) expect(frame).not.toMatch(/\/dist\/|chunks?-[A-Z0-9]+\.js/);

  const sourceFrames = frames
    .map((frame) => SOURCE_FRAME.exec(frame))
    .filter((match) => match !== null)
    .map(([, path = '', line = '']) => ({ path, line: Number(line) }));
  expect(sourceFrames.map(({ path }) => path)).toEqual(
    expect.arrayContaining(['src/config/config-file.ts', 'src/commands/keys/init.ts']),
  );
  const lineOf = async (path: string, line: number) =>
    (await readFile(join(PACKAGE_ROOT, path), 'utf8')).split('\n')[line - 1] ?? '';
  for (const frame of sourceFrames) {
    expect(await lineOf(frame.path, frame.line)).not.toBe('');
  }
  const init = sourceFrames.find(({ path }) => path === 'src/commands/keys/init.ts');
  expect(await lineOf(init?.path ?? '', init?.line ?? 0)).toContain('ensureConfigDirectory(');
  const config = sourceFrames.find(({ path }) => path === 'src/config/config-file.ts');
  expect(await lineOf(config?.path ?? '', config?.line ?? 0)).toContain('mkdir(');
});

it('ships maps that embed every source they name, the CLI’s own as they are in src/', async () => {
  const files = [
    ...(await readdir(DIST)).map((name) => join(DIST, name)),
    ...(await readdir(join(DIST, 'chunks'))).map((name) => join(DIST, 'chunks', name)),
  ];
  const maps = files.filter((file) => file.endsWith('.js.map'));
  expect(maps.length).toBeGreaterThan(5);
  for (const file of maps) {
    const map = JSON.parse(await readFile(file, 'utf8')) as {
      sources: string[];
      sourcesContent?: (string | null)[];
    };
    expect(map.sourcesContent?.length).toBe(map.sources.length);
    for (const [index, source] of map.sources.entries()) {
      const content = map.sourcesContent?.[index];
      expect(typeof content, `${file}: ${source}`).toBe('string');
      const own = /(?:^|\/)src\/(.+\.ts)$/.exec(source);
      if (own !== null && join(file, '..', source).startsWith(join(PACKAGE_ROOT, 'src'))) {
        expect(content).toBe(await readFile(join(PACKAGE_ROOT, 'src', own[1] ?? ''), 'utf8'));
      }
    }
  }
});
