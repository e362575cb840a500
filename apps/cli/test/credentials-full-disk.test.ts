// Credentials written to a disk that is really full: the config dir is a 64 KiB tmpfs filled up
// to the last byte. A failed write leaves the previous file as it was, no temporary or lock file
// behind, and an error that names the file and says to free space. The built CLI against the
// built emulator. Mounting needs root (CI runs as root); without it the suite fails, loudly.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningEmulator, startEmulator } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capturedOutput, runCli } from './cli-process.js';

const EMULATOR_BIN = fileURLToPath(new URL('../../platform/dist/bin.js', import.meta.url));
const DEVELOPER = { email: 'developer@your-org.test', password: 'dev-only-developer-password' };

let emulator: RunningEmulator;
let root: string;
let configDir: string;
let mounted = false;
const seenTokens: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ bin: EMULATOR_BIN });
  root = await mkdtemp(join(tmpdir(), 'hla-full-disk-'));
});
afterAll(async () => {
  await emulator?.stop();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
  const secrets = [DEVELOPER.password, ...seenTokens.filter((token) => token.length >= 16)];
  for (const output of capturedOutput) {
    for (const secret of secrets) expect(output).not.toContain(secret);
  }
});
beforeEach(async () => {
  configDir = await mkdtemp(join(root, 'config-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', configDir], {
      stdio: 'pipe',
    });
    mounted = true;
  } catch (error) {
    throw new Error(
      `this suite needs a real full disk: mounting a 64 KiB tmpfs on ${configDir} failed (run the tests as root): ${String(error)}`,
    );
  }
  const environments = { dev: { apiUrl: `${emulator.url}/dev` } };
  await writeFile(join(configDir, 'config.json'), JSON.stringify({ environments }));
});
afterEach(async () => {
  if (!mounted) return;
  for (const file of ['dev.json']) {
    const text = await readFile(join(configDir, 'credentials', file), 'utf8').catch(() => '{}');
    const stored = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['accessToken', 'refreshToken']) {
      if (typeof stored[key] === 'string') seenTokens.push(stored[key]);
    }
  }
  execFileSync('umount', [configDir]);
  mounted = false;
});

const run = (args: readonly string[], stdin?: string) =>
  runCli(args, {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: join(root, 'home'), HLA_COMPASS_CONFIG_DIR: configDir },
    stdin,
  });
const login = () =>
  run(
    ['auth', 'login', '--env', 'dev', '--email', DEVELOPER.email, '--password-stdin'],
    `${DEVELOPER.password}\n`,
  );

/** Fills the file system to its last byte; returns the filler, to be removed to free the space. */
async function fillDisk(): Promise<string> {
  const filler = join(configDir, 'filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4096'], { stdio: 'pipe' });
  } catch {
    // dd stops with "No space left on device": the disk is full.
  }
  await expect(writeFile(join(configDir, 'probe'), 'x')).rejects.toThrow(/ENOSPC/);
  return filler;
}

const credentialsDir = () => join(configDir, 'credentials');

describe('credentials on a full disk', () => {
  it('a login that cannot be saved names the file, says to free space, and leaves no temp file', async () => {
    await mkdir(credentialsDir(), { mode: 0o700 });
    await fillDisk();
    const result = await login();
    expect(result.code).toBe(1);
    const file = join(credentialsDir(), 'dev.json');
    expect(result.stderr).toContain(`cannot save credentials to ${file}: the disk is full`);
    expect(result.stderr).toContain(
      `hint: free some space on the disk that holds ${credentialsDir()}, then run the command again`,
    );
    expect(await readdir(credentialsDir())).toEqual([]);
  });

  it('every failed write cleans up: three attempts leave nothing behind', async () => {
    await mkdir(credentialsDir(), { mode: 0o700 });
    await fillDisk();
    for (let attempt = 0; attempt < 3; attempt++) expect((await login()).code).toBe(1);
    expect(await readdir(credentialsDir())).toEqual([]);
  });

  it('a renewed session that cannot be saved keeps the old file, no temp or lock file, and works once space is freed', async () => {
    expect((await login()).code).toBe(0);
    const file = join(credentialsDir(), 'dev.json');
    const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    seenTokens.push(stored.accessToken ?? '', stored.refreshToken ?? '');
    const expired = JSON.stringify({ ...stored, accessToken: 'an-access-token-that-expired' });
    await writeFile(file, expired, { mode: 0o600 });
    const filler = await fillDisk();

    const result = await run(['modules', 'list', '--env', 'dev']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot save credentials to ${file}: the disk is full`);
    expect(await readdir(credentialsDir())).toEqual(['dev.json']);
    expect(await readFile(file, 'utf8')).toBe(expired);

    // The platform answers the refresh token it rotated a moment ago with the same successor.
    await rm(filler);
    const next = await run(['modules', 'list', '--env', 'dev']);
    expect(next.code, next.stderr).toBe(0);
    expect(await readdir(credentialsDir())).toEqual(['dev.json']);
  });
});
