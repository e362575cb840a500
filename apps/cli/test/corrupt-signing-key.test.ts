// A signing key file that is empty or garbage (a disk that filled up, a bad copy, an editor): the
// built CLI exits 2, names the file and says the fix, `keys init --force`, and what it does (a new
// key, which must be registered again). Following the hint works.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(() => sandbox?.cleanup());

const keysDir = () => join(sandbox.configDir, 'keys');
const privateKey = () => join(keysDir(), 'private.pem');

async function writePrivateKey(content: string): Promise<void> {
  await mkdir(keysDir(), { recursive: true, mode: 0o700 });
  await writeFile(privateKey(), content, { mode: 0o600 });
  await chmod(privateKey(), 0o600);
}

describe('a broken keys/private.pem', () => {
  it.each([
    ['empty', ''],
    ['garbage', 'this is not a key\n'],
    [
      'truncated',
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n',
    ],
  ])('%s: exit 2, the file, and `keys init --force` with what it does', async (_what, content) => {
    await writePrivateKey(content);
    // `keys init` without --force keeps existing files, a broken one too, and says the same.
    for (const args of [
      ['keys', 'show'],
      ['keys', 'init'],
    ]) {
      const result = await sandbox.run(args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`error: ${privateKey()}`);
      expect(result.stderr).toContain(
        'hint: run `hla-compass keys init --force` to replace it with a new key pair (restore it from a backup instead if you have one); the new key must be registered again (`hla-compass keys register --env <env>`) before you publish',
      );
    }
    const json = await sandbox.run(['keys', 'show', '--json']);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      code: 'INVALID_KEY',
      hint: expect.stringContaining('hla-compass keys init --force'),
    });
  });

  it('is fixed by following the hint', async () => {
    await writePrivateKey('');
    const init = await sandbox.run(['keys', 'init', '--force']);
    expect(init.code, init.stderr).toBe(0);
    expect(await readFile(privateKey(), 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    const show = await sandbox.run(['keys', 'show']);
    expect(show.code, show.stderr).toBe(0);
  });

  it('a broken public.pem beside a good private key: delete it to have it derived again', async () => {
    expect((await sandbox.run(['keys', 'init'])).code).toBe(0);
    const publicKey = join(keysDir(), 'public.pem');
    await writeFile(publicKey, 'garbage\n');
    const result = await sandbox.run(['keys', 'show']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: ${publicKey}`);
    expect(result.stderr).toContain(
      `hint: delete ${publicKey}: it is derived again from private.pem, which is intact`,
    );
  });
});
