import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { routes } from '@hla-compass/platform-api';
import { isLoopbackHost } from '@hla-compass/platform-api/loopback';
import {
  encodePublicKeyBase64,
  generateKeyPair,
  publicKeyToSpkiDer,
  signKeyRegistration,
} from '@hla-compass/signing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type BinProcess, killLeftoverBins, runBin, startBin } from './support/bin.js';
import { ACCOUNTS, defaultSeed, inProcessEmulator } from './support/platform.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hla-compass-bin-'));
});

afterEach(killLeftoverBins);

afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function call(url: string, path: string, init: RequestInit & { apiKey?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.apiKey !== undefined) headers.set('x-api-key', init.apiKey);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(`${url}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** What a caller of /_emulator sends: the token from the banner, and JSON. */
const control = (bin: BinProcess) => ({
  'x-emulator-token': bin.controlToken,
  'content-type': 'application/json',
});

describe('hla-compass-platform start', () => {
  it('prints a parseable URL, the env URLs, accounts and CLI config, and stops with exit 0 on SIGTERM', async () => {
    const bin = await startBin(['--memory', '--port', '0', '--registry', 'none']);
    const output = bin.output();
    expect(output).toMatch(/ready in \d+ ms/);
    for (const env of ['local', 'dev', 'staging', 'prod'])
      expect(output).toContain(`${bin.url}/${env}`);
    expect(output).toContain(ACCOUNTS.developer.password);
    expect(output).toContain(ACCOUNTS.developer.apiKey);
    expect(output).toContain(`export HLA_API_ENDPOINT=${bin.url}/dev`);
    expect(output).toContain('"consoleUrl"');
    expect((await call(bin.url, '/healthz')).status).toBe(200);
    bin.child.kill('SIGTERM');
    expect(await bin.exited).toBe(0);
  });

  it('keeps state in --data across restarts and seeds only empty databases', async () => {
    const first = await startBin(['--data', dataDir, '--port', '0', '--registry', 'none']);
    const keys = generateKeyPair();
    const publicKey = encodePublicKeyBase64(keys.publicKey);
    const apiKey = ACCOUNTS.developer.apiKey;
    const me = await call(first.url, `/dev${routes.me.path}`, { apiKey });
    const proof = signKeyRegistration(
      {
        environment: 'dev',
        org: me.body.org.id,
        user: me.body.user.id,
        publicKey: publicKeyToSpkiDer(keys.publicKey),
      },
      keys.privateKey,
    );
    const registered = await call(first.url, `/dev${routes.registerKey.path}`, {
      method: 'POST',
      apiKey,
      body: JSON.stringify({ publicKey, proof }),
    });
    expect(registered.status).toBe(201);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);

    const second = await startBin(['--data', dataDir, '--port', '0', '--registry', 'none']);
    const listed = await call(second.url, `/dev${routes.listKeys.path}`, {
      apiKey: ACCOUNTS.developer.apiKey,
    });
    expect(listed.body.items.map((key: { publicKey: string }) => key.publicKey)).toEqual([
      publicKey,
    ]);

    const reset = await call(second.url, '/_emulator/reset?env=dev', {
      method: 'POST',
      headers: control(second),
    });
    expect(reset.body).toEqual({ reset: ['dev'] });
    const afterReset = await call(second.url, `/dev${routes.listKeys.path}`, {
      apiKey: ACCOUNTS.developer.apiKey,
    });
    expect(afterReset.body.items).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('replaces one env’s data with a posted seed', async () => {
    const bin = await startBin(['--memory', '--port', '0', '--registry', 'none']);
    const seed = {
      ...defaultSeed,
      users: [
        ...defaultSeed.users,
        {
          email: 'new@your-org.test',
          name: 'New',
          org: 'your-org',
          roles: ['developer'],
          apiKey: 'hlc_ak_test-only-new-user-key',
        },
      ],
    };
    const seeded = await call(bin.url, '/_emulator/seed?env=dev', {
      method: 'POST',
      headers: control(bin),
      body: JSON.stringify(seed),
    });
    expect(seeded.body).toEqual({ seeded: ['dev'] });
    const me = await call(bin.url, '/dev/v1/auth/me', { apiKey: 'hlc_ak_test-only-new-user-key' });
    expect(me.body.user.email).toBe('new@your-org.test');
    const prod = await call(bin.url, '/prod/v1/auth/me', {
      apiKey: 'hlc_ak_test-only-new-user-key',
    });
    expect(prod.status).toBe(401);
    const invalid = await call(bin.url, '/_emulator/seed', {
      method: 'POST',
      headers: control(bin),
      body: JSON.stringify({ orgs: 'x' }),
    });
    expect([invalid.status, invalid.body.code]).toEqual([400, 'INVALID_REQUEST']);
    const badEnv = await call(bin.url, '/_emulator/reset?env=qa', {
      method: 'POST',
      headers: control(bin),
    });
    expect(badEnv.status).toBe(400);
    bin.child.kill('SIGTERM');
    expect(await bin.exited).toBe(0);
  });

  it('says clearly that a port is busy, with exit 1', async () => {
    const bin = await startBin(['--memory', '--port', '0', '--registry', 'none']);
    const port = new URL(bin.url).port;
    const second = await runBin(['start', '--memory', '--port', port, '--registry', 'none']);
    expect(second.code).toBe(1);
    expect(second.output).toContain(`port ${port} on 127.0.0.1 is already in use`);
    bin.child.kill('SIGTERM');
    await bin.exited;
  });

  it('refuses contradictory or malformed flags with exit 2', async () => {
    const both = await runBin(['start', '--memory', '--data', dataDir]);
    expect(both.code).toBe(2);
    expect(both.output).toContain('--data and --memory exclude each other');
    expect((await runBin(['start', '--port', 'x'])).code).toBe(2);
    expect((await runBin(['start', '--bogus'])).code).toBe(2);
    expect((await runBin(['--help'])).code).toBe(0);
  });

  it('refuses a seed file that is not a valid seed, with exit 1', async () => {
    const file = join(dataDir, 'bad-seed.json');
    await writeFile(file, '{"orgs": [], "orgs": []}');
    const result = await runBin([
      'start',
      '--memory',
      '--port',
      '0',
      '--registry',
      'none',
      '--seed',
      file,
    ]);
    expect(result.code).toBe(1);
    expect(result.output).toContain('seed file');
  });
});

describe('the packed bin', () => {
  it('runs from the npm pack tarball with only better-sqlite3 beside it: one bundle, its seed found', async () => {
    const packageDir = join(dirname(BIN), '..');
    const work = await mkdtemp(join(tmpdir(), 'hla-compass-packed-'));
    try {
      const { stdout } = await promisify(execFile)(
        'npm',
        ['pack', '--json', '--pack-destination', work],
        { cwd: packageDir },
      );
      const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
      const paths = packed?.files.map((file) => file.path) ?? [];
      expect(paths).toEqual(
        expect.arrayContaining([
          'dist/bin.js',
          'dist/cli.js',
          'dist/cli.js.map',
          'seed/default.json',
        ]),
      );
      // An installed package's layout, without zod, hono or the workspace packages: the bin must
      // not need them, and the seed is where the bundle looks from dist/.
      const modules = join(work, 'node_modules');
      await mkdir(join(modules, '@hla-compass'), { recursive: true });
      await promisify(execFile)('tar', ['-xzf', join(work, packed?.filename ?? ''), '-C', work]);
      await rename(join(work, 'package'), join(modules, '@hla-compass', 'platform'));
      const sqlite = await realpath(join(packageDir, 'node_modules', 'better-sqlite3'));
      await symlink(sqlite, join(modules, 'better-sqlite3'));
      const bin = join(modules, '@hla-compass', 'platform', 'dist', 'bin.js');
      const child = spawn(
        process.execPath,
        [bin, 'start', '--memory', '--port', '0', '--registry', 'none'],
        {
          cwd: work,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`packed bin exited (${code}):\n${output}`)));
      });
      const me = await call(url, `/dev${routes.me.path}`, { apiKey: ACCOUNTS.developer.apiKey });
      expect(me.body.user.email).toBe(ACCOUNTS.developer.email);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe('the /_emulator routes', () => {
  it('refuse a peer whose socket is not on loopback, whatever its headers claim', async () => {
    const { platform, app } = await inProcessEmulator('test-only-control-token-0123456789abcdef');
    const request = (remoteAddress: string) =>
      app.fetch(
        new Request('http://127.0.0.1:4100/_emulator/reset', {
          method: 'POST',
          headers: {
            'x-forwarded-for': '127.0.0.1',
            'x-real-ip': '127.0.0.1',
            'x-emulator-token': 'test-only-control-token-0123456789abcdef',
            'content-type': 'application/json',
          },
        }),
        { incoming: { socket: { remoteAddress, remotePort: 40000, remoteFamily: 'IPv4' } } },
      );
    const remote = await request('192.0.2.10');
    expect(remote.status).toBe(403);
    expect(await remote.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await request('127.0.0.1')).status).toBe(200);
    platform.close();
  });

  it('count only loopback peers as local', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(address), address).toBe(true);
    }
    for (const address of [
      '10.0.0.1',
      '::ffff:10.0.0.1',
      '169.254.169.254',
      '128.0.0.1',
      'fe80::1',
      'unknown',
    ]) {
      expect(isLoopbackHost(address), address).toBe(false);
    }
  });
});
