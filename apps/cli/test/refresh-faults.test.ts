// Staying signed in when things go wrong around a refresh: two commands that find the same
// expired session at once, a refresh whose answer is lost, and a refresh the platform refuses.
// The built CLI against the built emulator, with testkit's fault proxy between the two.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type FaultProxy,
  type RunningEmulator,
  startEmulator,
  startFaultProxy,
} from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capturedOutput, createSandbox, type Sandbox } from './cli-process.js';

const EMULATOR_BIN = fileURLToPath(new URL('../../platform/dist/bin.js', import.meta.url));
const DEVELOPER = { email: 'developer@your-org.test', password: 'dev-only-developer-password' };
const REFRESH_PATH = /^\/dev\/v1\/auth\/refresh$/;

let emulator: RunningEmulator;
let proxy: FaultProxy;
let sandbox: Sandbox;
const seenTokens: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ bin: EMULATOR_BIN });
  proxy = await startFaultProxy({ upstream: emulator.url });
});
afterAll(async () => {
  await Promise.all([proxy?.close(), emulator?.stop()]);
  const secrets = [DEVELOPER.password, ...seenTokens.filter((token) => token.length >= 16)];
  for (const output of capturedOutput) {
    for (const secret of secrets) expect(output).not.toContain(secret);
  }
});
beforeEach(async () => {
  sandbox = await createSandbox();
  // dev through the proxy: every request of the CLI crosses it.
  const environments = { dev: { apiUrl: `${proxy.url}/dev` } };
  await mkdir(sandbox.configDir, { recursive: true, mode: 0o700 });
  await writeFile(join(sandbox.configDir, 'config.json'), JSON.stringify({ environments }));
  const login = await sandbox.run(
    ['auth', 'login', '--env', 'dev', '--email', DEVELOPER.email, '--password-stdin'],
    { stdin: `${DEVELOPER.password}\n` },
  );
  expect(login.code, login.stderr).toBe(0);
  seenTokens.push(...tokensOf(await stored()));
});
afterEach(async () => {
  proxy.heal();
  if (sandbox === undefined) return;
  seenTokens.push(...tokensOf(await stored().catch(() => ({}))));
  await sandbox.cleanup();
});

const credentialsFile = () => join(sandbox.configDir, 'credentials', 'dev.json');
const stored = async (): Promise<Record<string, string>> =>
  JSON.parse(await readFile(credentialsFile(), 'utf8'));
const tokensOf = (credentials: Record<string, string>) =>
  [credentials.accessToken, credentials.refreshToken].filter(
    (token): token is string => typeof token === 'string',
  );

/** The stored access token no longer works (as once it has expired): the next call refreshes. */
async function expireAccessToken(): Promise<void> {
  const credentials = await stored();
  await writeFile(
    credentialsFile(),
    JSON.stringify({ ...credentials, accessToken: 'an-access-token-that-expired' }),
    { mode: 0o600 },
  );
}

const refreshes = () =>
  proxy.requests.filter((request) => request.method === 'POST' && REFRESH_PATH.test(request.path))
    .length;
const modulesList = () => sandbox.run(['modules', 'list', '--env', 'dev', '--json']);

/** Straight to the emulator, as another holder of the same refresh token would. */
async function refreshDirectly(refreshToken: string): Promise<string> {
  const response = await fetch(`${emulator.url}/dev/v1/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { accessToken: string; refreshToken: string };
  seenTokens.push(body.accessToken, body.refreshToken);
  return body.refreshToken;
}

describe('two commands at once with an expired access token', () => {
  it('both succeed with one refresh between them, and the next command still works', async () => {
    await expireAccessToken();
    const before = refreshes();
    // The first refresh is slow, so the second command surely meets the expired token too.
    proxy.inject({ kind: 'delay', ms: 2_500, method: 'POST', path: REFRESH_PATH, times: 1 });
    const [first, second] = await Promise.all([modulesList(), modulesList()]);
    expect([first.code, second.code], `${first.stderr}\n${second.stderr}`).toEqual([0, 0]);
    // The second waited for the first's refresh and used the tokens it stored.
    expect(refreshes() - before).toBe(1);
    const third = await modulesList();
    expect(third.code, third.stderr).toBe(0);
    expect(await readdir(join(sandbox.configDir, 'credentials'))).toEqual(['dev.json']);
  });

  it('five at once all succeed with one refresh', async () => {
    await expireAccessToken();
    const before = refreshes();
    proxy.inject({ kind: 'delay', ms: 1_500, method: 'POST', path: REFRESH_PATH, times: 1 });
    const results = await Promise.all(Array.from({ length: 5 }, () => modulesList()));
    expect(
      results.map((result) => result.code),
      results.map((result) => result.stderr).join('\n'),
    ).toEqual([0, 0, 0, 0, 0]);
    expect(refreshes() - before).toBe(1);
    expect((await modulesList()).code).toBe(0);
  });
});

describe('a refresh whose answer is lost', () => {
  it('is sent once more and succeeds; the session goes on', async () => {
    await expireAccessToken();
    const before = refreshes();
    proxy.inject({ kind: 'lose-answer', method: 'POST', path: REFRESH_PATH, times: 1 });
    const result = await modulesList();
    expect(result.code, result.stderr).toBe(0);
    expect(refreshes() - before).toBe(2);
    const next = await modulesList();
    expect(next.code, next.stderr).toBe(0);
    expect(refreshes() - before).toBe(2);
  });

  it('lost twice: exit 4 without burning the session, and the next command works', async () => {
    await expireAccessToken();
    proxy.inject({ kind: 'lose-answer', method: 'POST', path: REFRESH_PATH, times: 2 });
    const lost = await modulesList();
    expect(lost.code, lost.stderr).toBe(4);
    expect(lost.stderr).toContain('the dev platform');
    proxy.heal();
    const next = await modulesList();
    expect(next.code, next.stderr).toBe(0);
  });
});

describe('a refresh the platform refuses', () => {
  it("exits 3 with the platform's reason, not a generic expiry", async () => {
    // Another holder of the refresh token rotated it twice: the sign-in moved on without us.
    const first = (await stored()).refreshToken ?? '';
    await refreshDirectly(await refreshDirectly(first));
    await expireAccessToken();
    const result = await modulesList();
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'Refresh token was already used; every token of this sign-in is revoked; sign in again',
    );
    expect(result.stderr).toContain('hint: run `hla-compass auth login --env dev`');
    const json = JSON.parse(result.stdout) as { error: { code: string; requestId?: string } };
    expect(json.error.code).toBe('UNAUTHENTICATED');
    expect(json.error.requestId).toMatch(/\S/);
  });
});
