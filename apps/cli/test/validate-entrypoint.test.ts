// `validate`, `build` and `publish` see the same entrypoint check: a module whose entrypoint names
// no file of the module is invalid (exit 2) before anything is built or sent. Runs the built CLI.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(() => sandbox.cleanup());

async function initModule(name: string): Promise<string> {
  const result = await sandbox.run(['init', name]);
  expect(result.code).toBe(0);
  return join(sandbox.dir, name);
}

describe('the entrypoint check', () => {
  it('fails validate --strict, then build, once backend/main.py is gone', async () => {
    const dir = await initModule('no-main');
    expect((await sandbox.run(['validate', '--strict'], { cwd: dir })).code).toBe(0);
    await rm(join(dir, 'backend', 'main.py'));

    const validate = await sandbox.run(['validate', '--strict', '--json'], { cwd: dir });
    expect(validate.code).toBe(2);
    expect(JSON.parse(validate.stdout)).toEqual({
      valid: false,
      issues: [
        {
          code: 'structure.entrypoint_missing',
          severity: 'error',
          path: '/execution/entrypoint',
          message: expect.stringContaining('no backend/main.py'),
        },
      ],
    });
    // Not only under --strict: the runner could not start this module at all.
    expect((await sandbox.run(['validate'], { cwd: dir })).code).toBe(2);

    const build = await sandbox.run(['build', '--tag', 'example.test/no-main:1.0.0'], {
      cwd: dir,
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(build.code).toBe(2);
    expect(build.stderr).toContain('[structure.entrypoint_missing]');
    expect(build.stderr).toContain('error: manifest.json is invalid; nothing was built');
  });

  it('fails validate for an entrypoint backend.nope:Foo, and names the file it looked for', async () => {
    const dir = await initModule('nope-entry');
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.execution.entrypoint = 'backend.nope:Foo';
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2));

    const result = await sandbox.run(['validate', '--strict'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(
      '/execution/entrypoint: execution.entrypoint "backend.nope:Foo": no backend/nope.py',
    );
    expect(result.stdout).toContain('[structure.entrypoint_missing]');
  });

  it('warns, and fails only under --strict, when the file does not define the class', async () => {
    const dir = await initModule('wrong-class');
    const mainPy = join(dir, 'backend', 'main.py');
    const source = await readFile(mainPy, 'utf8');
    await writeFile(mainPy, source.replace('class NoUIModule(', 'class Renamed('));

    const lenient = await sandbox.run(['validate'], { cwd: dir });
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('does not define class NoUIModule at top level');
    expect((await sandbox.run(['validate', '--strict'], { cwd: dir })).code).toBe(2);
  });
});
