// One field name for a key's fingerprint in every `keys` result: `fingerprint`, the name of the
// platform-api contract (SigningKey). `keys init` and `keys show` keep `keyFingerprint` beside it
// for the scripts written against it. The built CLI against the built emulator.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signingKeySchema } from '@hla-compass/platform-api';
import { type RunningEmulator, startEmulator } from '@hla-compass/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';

const EMULATOR_BIN = fileURLToPath(new URL('../../platform/dist/bin.js', import.meta.url));
const DEVELOPER = { email: 'developer@your-org.test', password: 'dev-only-developer-password' };

let emulator: RunningEmulator;
let sandbox: Sandbox;
beforeAll(async () => {
  emulator = await startEmulator({ bin: EMULATOR_BIN });
  sandbox = await createSandbox();
  await mkdir(sandbox.configDir, { recursive: true, mode: 0o700 });
  await writeFile(
    join(sandbox.configDir, 'config.json'),
    JSON.stringify({ environments: { dev: { apiUrl: `${emulator.url}/dev` } } }),
  );
});
afterAll(async () => {
  await sandbox?.cleanup();
  await emulator?.stop();
});

const json = async (args: string[]) => {
  const result = await sandbox.run([...args, '--json']);
  expect(result.stderr).not.toContain('error');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
};

it('names the fingerprint `fingerprint` in keys init, show, register and list, as the contract does', async () => {
  expect(Object.keys(signingKeySchema.shape)).toContain('fingerprint');
  const login = await sandbox.run(
    ['auth', 'login', '--env', 'dev', '--email', DEVELOPER.email, '--password-stdin'],
    { stdin: `${DEVELOPER.password}\n` },
  );
  expect(login.code).toBe(0);

  const created = await json(['keys', 'init']);
  const fingerprint: string = created.fingerprint;
  expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  expect((await json(['keys', 'init'])).fingerprint).toBe(fingerprint);
  expect((await json(['keys', 'show'])).fingerprint).toBe(fingerprint);
  expect((await json(['keys', 'register', '--env', 'dev'])).fingerprint).toBe(fingerprint);
  const listed = await json(['keys', 'list', '--env', 'dev']);
  expect(listed.keys.map((key: { fingerprint: string }) => key.fingerprint)).toEqual([fingerprint]);
});

it('keeps keyFingerprint in keys init and show, the same value, for existing scripts', async () => {
  const shown = await json(['keys', 'show']);
  expect(shown.keyFingerprint).toBe(shown.fingerprint);
  const again = await json(['keys', 'init']);
  expect(again.keyFingerprint).toBe(again.fingerprint);
  // The human output names the same value.
  const human = await sandbox.run(['keys', 'show']);
  expect(human.stdout).toContain(`fingerprint  ${shown.fingerprint}\n`);
});
