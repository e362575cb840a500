// What `hla-compass test --watch` waits for: changes to backend/ and manifest.json, settled, on a
// real directory; bytecode and editor files are not changes; aborting ends the wait.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isNoise, watchModule } from '../src/testing/module-watch.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hla-watch-'));
  await mkdir(join(dir, 'backend', 'lib'), { recursive: true });
  await writeFile(join(dir, 'manifest.json'), '{}\n');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('watchModule', () => {
  it('reports the files changed under backend/ and manifest.json once the edits settle', async () => {
    const controller = new AbortController();
    const watch = watchModule(dir, controller.signal, 250);
    try {
      const next = watch.next();
      await writeFile(join(dir, 'backend', 'lib', 'util.py'), 'A = 1\n');
      await writeFile(join(dir, 'manifest.json'), '{"changed": true}\n');
      await writeFile(join(dir, 'README.md'), 'not watched\n');
      expect(await next).toEqual(['backend/lib/util.py', 'manifest.json']);

      const again = watch.next();
      await mkdir(join(dir, 'backend', '__pycache__'));
      await writeFile(join(dir, 'backend', '__pycache__', 'main.cpython-311.pyc'), 'x');
      await writeFile(join(dir, 'backend', '.main.py.swp'), 'x');
      await new Promise((resolve) => setTimeout(resolve, 600));
      await writeFile(join(dir, 'backend', 'main.py'), 'B = 2\n');
      expect(await again).toEqual(['backend/main.py']);
    } finally {
      watch.close();
    }
  });

  it('ends the wait with undefined when aborted (Ctrl-C)', async () => {
    const controller = new AbortController();
    const watch = watchModule(dir, controller.signal, 250);
    const next = watch.next();
    controller.abort();
    expect(await next).toBeUndefined();
    expect(await watch.next()).toBeUndefined();
  });
});

it('takes bytecode, __pycache__ and editor swap and backup files for noise', () => {
  expect(isNoise('backend/__pycache__/main.cpython-311.pyc')).toBe(true);
  expect(isNoise('backend/x.pyc')).toBe(true);
  expect(isNoise('backend/.main.py.swp')).toBe(true);
  expect(isNoise('backend/main.py~')).toBe(true);
  expect(isNoise('backend/.#main.py')).toBe(true);
  expect(isNoise('backend/main.py')).toBe(false);
  expect(isNoise('manifest.json')).toBe(false);
});
