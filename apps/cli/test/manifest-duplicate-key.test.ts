// `validate`, `build` and `publish` read manifest.json with one strict parser: a duplicate key
// (which value would the digest and the signature cover?) is the same manifest.invalid issue,
// with the key's line and column, and exit 2 for all three, before anything is built or sent.
// `validate` used to let it through. Runs the built CLI.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';

let sandbox: Sandbox;
let moduleDir: string;

const ISSUE = {
  code: 'manifest.invalid',
  severity: 'error',
  path: '',
  message: 'invalid JSON in manifest at line 6, column 3: duplicate member name "version"',
};
const ISSUE_LINE = `error   ${ISSUE.message} [manifest.invalid]`;

beforeAll(async () => {
  sandbox = await createSandbox();
  // Nothing listens there: publish must stop at the manifest, before any request.
  await mkdir(sandbox.configDir, { recursive: true, mode: 0o700 });
  await writeFile(
    join(sandbox.configDir, 'config.json'),
    JSON.stringify({ environments: { dev: { apiUrl: 'http://127.0.0.1:9' } } }),
  );
  expect((await sandbox.run(['init', 'twice'])).code).toBe(0);
  moduleDir = join(sandbox.dir, 'twice');
  const path = join(moduleDir, 'manifest.json');
  const text = await readFile(path, 'utf8');
  const lines = text.split('\n');
  // `init` writes "version" on line 5; the second one goes right below it.
  expect(lines[4]).toBe('  "version": "0.1.0",');
  lines.splice(5, 0, '  "version": "9.9.9",');
  await writeFile(path, lines.join('\n'));
  // JSON.parse alone would read it, keeping the last value: the case the strict parser is for.
  expect(JSON.parse(lines.join('\n')).version).toBe('9.9.9');
});
afterAll(() => sandbox.cleanup());

const run = (args: string[]) =>
  sandbox.run(args, {
    cwd: moduleDir,
    env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
  });

describe('a manifest.json with a duplicate key', () => {
  it('fails validate with the position of the second key, in text and in --json', async () => {
    const text = await run(['validate']);
    expect(text.code).toBe(2);
    expect(text.stdout).toContain(ISSUE_LINE);

    const json = await run(['validate', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ valid: false, issues: [ISSUE] });
  });

  it.each([
    ['build', ['build', '--tag', 'example.test/twice:1.0.0'], 'nothing was built'],
    ['publish', ['publish', '--env', 'dev'], 'nothing was published'],
    ['publish --dry-run', ['publish', '--env', 'dev', '--dry-run'], 'publish would stop here'],
  ])('fails %s the same way, exit 2', async (_, args, consequence) => {
    const text = await run(args);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain(ISSUE_LINE);
    expect(text.stderr + text.stdout).toContain(`manifest.json is invalid; ${consequence}`);
  });

  it.each([
    ['build', ['build', '--tag', 'example.test/twice:1.0.0']],
    ['publish', ['publish', '--env', 'dev']],
  ])('is INVALID_MANIFEST with the same issue in %s --json', async (_, args) => {
    const result = await run([...args, '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: { code: 'INVALID_MANIFEST', details: { issues: [ISSUE] } },
    });
  });
});
