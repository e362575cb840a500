// auth logout, run as users run it: the built CLI against a started emulator. Logging out ends
// the sign-in at the platform, and a platform that is down or lacks the route does not keep
// the local credentials alive.

import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';
import { type PublishingWorld, startPublishingWorld } from './publishing-world.js';
import { login, pointAtEmulator } from './sandbox-config.js';

let world: PublishingWorld;
let sandbox: Sandbox;

beforeAll(async () => {
  world = await startPublishingWorld();
});
afterAll(() => world?.stop());
beforeEach(async () => {
  sandbox = await createSandbox();
  await pointAtEmulator(sandbox, world);
});
afterEach(() => sandbox?.cleanup());

const credentialsFile = (environment: string) =>
  join(sandbox.configDir, 'credentials', `${environment}.json`);

async function storedSession(environment: string) {
  return JSON.parse(await readFile(credentialsFile(environment), 'utf8')) as {
    accessToken: string;
    refreshToken: string;
  };
}

async function statuses(
  environment: string,
  session: { accessToken: string; refreshToken: string },
) {
  const base = world.apiUrl(environment);
  const me = await fetch(`${base}/v1/auth/me`, {
    headers: { authorization: `Bearer ${session.accessToken}` },
  });
  const refreshed = await fetch(`${base}/v1/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: session.refreshToken }),
  });
  return { me: me.status, refresh: refreshed.status };
}

describe('auth logout at the platform', () => {
  it('ends the sign-in: the old access and refresh tokens answer 401', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const live = await storedSession('dev');

    const result = await sandbox.run(['auth', 'logout', '--env', 'dev', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ loggedOut: ['dev'], revoked: ['dev'] });
    await expect(stat(credentialsFile('dev'))).rejects.toThrow(/ENOENT/);
    expect(await statuses('dev', live)).toEqual({ me: 401, refresh: 401 });
  });

  it('ends the session at the URL that issued it when the environment points elsewhere now', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const live = await storedSession('dev');
    const result = await sandbox.run(['auth', 'logout', '--env', 'dev', '--json'], {
      env: { HLA_API_ENDPOINT: 'http://127.0.0.1:9' },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ loggedOut: ['dev'], revoked: ['dev'] });
    expect(await statuses('dev', live)).toEqual({ me: 401, refresh: 401 });
  });

  it('--all ends the session of each environment it has one for', async () => {
    await login(sandbox, world.users.developer, 'dev');
    await login(sandbox, world.users.developer, 'staging');
    const sessions = { dev: await storedSession('dev'), staging: await storedSession('staging') };
    const result = await sandbox.run(['auth', 'logout', '--all', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      loggedOut: ['dev', 'staging'],
      revoked: ['dev', 'staging'],
    });
    expect(await statuses('dev', sessions.dev)).toEqual({ me: 401, refresh: 401 });
    expect(await statuses('staging', sessions.staging)).toEqual({ me: 401, refresh: 401 });
  });

  it('with the platform down, still deletes the credentials, exit 0 and a warning', async () => {
    await login(sandbox, world.users.developer, 'dev');
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const stored = JSON.parse(await readFile(credentialsFile('dev'), 'utf8'));
    const down = `http://127.0.0.1:${port}`;
    await writeFile(credentialsFile('dev'), JSON.stringify({ ...stored, apiUrl: down }), {
      mode: 0o600,
    });

    const result = await sandbox.run(['auth', 'logout', '--env', 'dev']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Logged out of dev');
    expect(result.stderr).toContain('warning: could not end the dev session at the platform');
    expect(result.stderr).toContain('its tokens stay valid until they expire');
    await expect(stat(credentialsFile('dev'))).rejects.toThrow(/ENOENT/);
  });

  it('against a platform without the route (404), says so and deletes the credentials', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const hosted = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Not Found' }));
    });
    await new Promise<void>((resolve) => hosted.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(hosted.address() as AddressInfo).port}`;
      const stored = JSON.parse(await readFile(credentialsFile('dev'), 'utf8'));
      await writeFile(credentialsFile('dev'), JSON.stringify({ ...stored, apiUrl: url }), {
        mode: 0o600,
      });
      const result = await sandbox.run(['auth', 'logout', '--env', 'dev', '--json']);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ loggedOut: ['dev'], revoked: [] });
      expect(result.stderr).toContain('dev has no logout route');
      await expect(stat(credentialsFile('dev'))).rejects.toThrow(/ENOENT/);
    } finally {
      await new Promise((resolve) => hosted.close(resolve));
    }
  });
});
