// auth login/logout/status and keys register/list/revoke, run as users run them: the built CLI
// against a started emulator. Credentials stay per environment, 0600, and out of every output.

import { spawn } from 'node:child_process';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signInOnConsole } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PATH, capturedOutput, createSandbox, type Sandbox } from './cli-process.js';
import { type PublishingWorld, startPublishingWorld } from './publishing-world.js';
import { login, pointAtEmulator, storedTokens } from './sandbox-config.js';

let world: PublishingWorld;
let sandbox: Sandbox;
const seenTokens: string[] = [];

beforeAll(async () => {
  world = await startPublishingWorld({ accessTokenTtlSeconds: 2 });
});
afterAll(async () => {
  if (world === undefined) return;
  await world.stop();
  const secrets = [...world.secrets(), ...seenTokens.filter((token) => token.length >= 16)];
  expect(secrets.length).toBeGreaterThan(5);
  for (const output of capturedOutput) {
    for (const secret of secrets) expect(output).not.toContain(secret);
  }
});
beforeEach(async () => {
  sandbox = await createSandbox();
  await pointAtEmulator(sandbox, world);
});
// afterEach also runs when beforeEach failed half-way, so no sandbox is left behind.
afterEach(async () => {
  if (sandbox === undefined) return;
  for (const environment of ['local', 'dev', 'staging', 'prod']) {
    seenTokens.push(...(await storedTokens(sandbox, environment)));
  }
  await sandbox.cleanup();
});

const credentialsFile = (environment: string) =>
  join(sandbox.configDir, 'credentials', `${environment}.json`);

describe('auth login with a password', () => {
  it('stores per-environment credentials (0600, bound to the API URL) and status shows who', async () => {
    const result = await login(sandbox, world.users.developer, 'dev');
    expect(result.stdout).toContain(
      `Logged in to dev as ${world.users.developer.email} (org Your Org; roles: developer)`,
    );
    expect((await stat(credentialsFile('dev'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(sandbox.configDir, 'credentials'))).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(credentialsFile('dev'), 'utf8'));
    expect(stored).toMatchObject({
      environment: 'dev',
      apiUrl: world.apiUrl('dev'),
      method: 'password',
    });

    const status = await sandbox.run(['auth', 'status', '--env', 'dev', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      environment: 'dev',
      authenticated: true,
      source: 'stored token',
      user: { email: world.users.developer.email },
      org: { id: 'your-org' },
      roles: ['developer'],
    });
  });

  it('keeps environments apart: a dev login does not log you in to prod', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const prod = await sandbox.run(['auth', 'status', '--env', 'prod']);
    expect(prod.code).toBe(3);
    expect(prod.stdout).toContain('Not logged in to prod');
  });

  it('refuses a wrong password with exit 3 and stores nothing', async () => {
    const result = await sandbox.run(
      ['auth', 'login', '--env', 'dev', '--email', world.users.developer.email, '--password-stdin'],
      { stdin: 'not-the-password\n' },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: /m);
    await expect(stat(credentialsFile('dev'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses --email without --password-stdin (exit 2)', async () => {
    const result = await sandbox.run(['auth', 'login', '--env', 'dev', '--email', 'x@y.z']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--email needs --password-stdin');
  });

  it('refuses credentials readable by others (exit 3) and says to chmod 600', async () => {
    await login(sandbox, world.users.developer, 'dev');
    await chmod(credentialsFile('dev'), 0o644);
    const result = await sandbox.run(['modules', 'list', '--env', 'dev']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`chmod 600 ${credentialsFile('dev')}`);
  });

  it('never sends stored credentials to another URL than the one that issued them', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const result = await sandbox.run(['auth', 'status', '--env', 'dev'], {
      env: { HLA_API_ENDPOINT: `${world.emulator.url}/staging` },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `ignoring the stored dev credentials: they were issued by ${world.apiUrl('dev')}`,
    );
  });
});

describe('auth login with an API key', () => {
  it('checks the key with the platform, then stores it', async () => {
    const result = await sandbox.run(['auth', 'login', '--env', 'dev', '--api-key-stdin'], {
      stdin: world.users.admin.apiKey,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Logged in to dev as ${world.users.admin.email}`);
    const status = JSON.parse(
      (await sandbox.run(['auth', 'status', '--env', 'dev', '--json'])).stdout,
    );
    expect(status).toMatchObject({ source: 'stored API key', method: 'api-key', roles: ['admin'] });
  });

  it('refuses an unknown key with exit 3 and stores nothing', async () => {
    const result = await sandbox.run(['auth', 'login', '--env', 'dev', '--api-key-stdin'], {
      stdin: 'hlc_ak_made-up-key',
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('dev refused the API key');
    await expect(stat(credentialsFile('dev'))).rejects.toThrow(/ENOENT/);
  });

  it('lets HLA_ACCESS_TOKEN win over stored credentials, and HLA_API_KEY come after them', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const withKey = JSON.parse(
      (
        await sandbox.run(['auth', 'status', '--env', 'dev', '--json'], {
          env: { HLA_API_KEY: world.users.admin.apiKey },
        })
      ).stdout,
    );
    expect(withKey).toMatchObject({ source: 'stored token', roles: ['developer'] });
    const withToken = await sandbox.run(['auth', 'status', '--env', 'dev', '--json'], {
      env: { HLA_ACCESS_TOKEN: 'not-a-real-token' },
    });
    expect(withToken.code).toBe(3);
    expect(JSON.parse(withToken.stdout)).toMatchObject({
      source: 'HLA_ACCESS_TOKEN',
      authenticated: false,
    });
    expect(withToken.stderr).toContain('HLA_ACCESS_TOKEN was refused by dev');
  });
});

describe('auth login in the browser (PKCE)', () => {
  it('completes when the console form is submitted, as a browser would', async () => {
    const child = spawn(
      process.execPath,
      [CLI_PATH, 'auth', 'login', '--env', 'local', '--no-browser'],
      {
        cwd: sandbox.dir,
        env: sandbox.env,
      },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const loginUrl = await new Promise<string>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const match = /(http:\/\/127\.0\.0\.1:\d+\/local\/cli-login\?\S+)/.exec(stderr);
        if (match?.[1]) resolve(match[1]);
      });
    });
    const exited = new Promise<number>((resolve) =>
      child.on('close', (code) => resolve(code ?? -1)),
    );
    const url = new URL(loginUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/cli-callback$/,
    );

    // The console page: a form that carries the PKCE parameters in hidden fields.
    const signIn = await signInOnConsole(loginUrl, world.users.developer);
    expect(signIn.callbackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cli-callback\?/);
    expect(signIn.landingPage).toContain('You can close this tab');
    expect(await exited).toBe(0);
    expect(stdout).toContain(`Logged in to local as ${world.users.developer.email}`);
    const stored = JSON.parse(await readFile(credentialsFile('local'), 'utf8'));
    expect(stored).toMatchObject({ method: 'browser', apiUrl: world.apiUrl('local') });
    capturedOutput.push(stdout, stderr);
  });

  it('gives up after HLA_COMPASS_CLI_LOGIN_TIMEOUT_SECONDS with exit 3', async () => {
    const result = await sandbox.run(['auth', 'login', '--env', 'local', '--no-browser'], {
      env: { HLA_COMPASS_CLI_LOGIN_TIMEOUT_SECONDS: '1' },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('timed out after 1 s waiting for the browser sign-in');
  });
});

describe('sessions', () => {
  it('refreshes an expired access token once and stores the new tokens', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const before = JSON.parse(await readFile(credentialsFile('dev'), 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const result = await sandbox.run(['modules', 'list', '--env', 'dev', '--json']);
    expect(result.code).toBe(0);
    const after = JSON.parse(await readFile(credentialsFile('dev'), 'utf8'));
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    seenTokens.push(before.accessToken, before.refreshToken);
  });

  it('asks for a new login (exit 3) when the session cannot be refreshed', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const stored = JSON.parse(await readFile(credentialsFile('dev'), 'utf8'));
    seenTokens.push(stored.accessToken, stored.refreshToken);
    await writeFile(
      credentialsFile('dev'),
      JSON.stringify({
        ...stored,
        accessToken: 'expired',
        refreshToken: 'revoked',
        expiresAt: '2000-01-01T00:00:00.000Z',
      }),
      { mode: 0o600 },
    );
    const result = await sandbox.run(['modules', 'list', '--env', 'dev']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('error: your dev session has expired');
    expect(result.stderr).toContain('hint: run `hla-compass auth login --env dev`');
  });
});

describe('auth logout', () => {
  it('forgets one environment, or all of them', async () => {
    await login(sandbox, world.users.developer, 'dev');
    await login(sandbox, world.users.developer, 'local');
    const one = await sandbox.run(['auth', 'logout', '--env', 'dev']);
    expect(one).toMatchObject({ code: 0 });
    expect(one.stdout).toContain('Logged out of dev');
    await expect(stat(credentialsFile('dev'))).rejects.toThrow(/ENOENT/);
    expect((await stat(credentialsFile('local'))).isFile()).toBe(true);
    const all = JSON.parse((await sandbox.run(['auth', 'logout', '--all', '--json'])).stdout);
    expect(all).toEqual({ loggedOut: ['local'], revoked: ['local'] });
  });
});

describe('keys register, list, revoke', () => {
  it('registers this machine’s key, lists it as active, then revoked', async () => {
    await login(sandbox, world.users.developer, 'staging');
    await sandbox.run(['keys', 'init']);
    const fingerprint = JSON.parse(
      (await sandbox.run(['keys', 'show', '--json'])).stdout,
    ).keyFingerprint;

    const registered = await sandbox.run([
      'keys',
      'register',
      '--env',
      'staging',
      '--name',
      'laptop',
    ]);
    expect(registered.code).toBe(0);
    expect(registered.stdout).toContain(`Registered key ${fingerprint} with staging as "laptop"`);
    const again = await sandbox.run(['keys', 'register', '--env', 'staging', '--json']);
    expect(again.code).toBe(0);

    const listed = JSON.parse(
      (await sandbox.run(['keys', 'list', '--env', 'staging', '--json'])).stdout,
    );
    expect(listed.keys).toEqual([
      expect.objectContaining({ fingerprint, name: 'laptop', revokedAt: null, thisMachine: true }),
    ]);

    const revoked = await sandbox.run(['keys', 'revoke', fingerprint, '--env', 'staging']);
    expect(revoked.code).toBe(0);
    const after = JSON.parse(
      (await sandbox.run(['keys', 'list', '--env', 'staging', '--json'])).stdout,
    );
    expect(after.keys[0].revokedAt).toEqual(expect.any(String));

    const reRegistered = await sandbox.run(['keys', 'register', '--env', 'staging']);
    expect(reRegistered.code).toBe(1);
  });

  it('needs a login (exit 3)', async () => {
    await sandbox.run(['keys', 'init']);
    const result = await sandbox.run(['keys', 'register', '--env', 'dev']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('not logged in to dev');
  });
});
