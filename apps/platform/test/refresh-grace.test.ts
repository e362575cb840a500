// Refresh-token rotation with a grace window: a just-rotated refresh token presented again (two
// commands racing, or a client re-sending after it lost the answer) gets the same successor back
// and the sign-in goes on; a reuse outside the window, or after the successor has itself been
// used, is a copy in someone else's hands and ends the whole sign-in (OAuth 2.0 Security BCP
// §4.14). The emulator's clock is moved by the tests; data survives a restart of the emulator.
import { rm } from 'node:fs/promises';
import { routes, type Tokens, tokensSchema } from '@hla-compass/platform-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../src/index.js';
import { REFRESH_GRACE_MS } from '../src/services/sessions.js';
import { ACCOUNTS, startTestPlatform, type TestPlatform } from './support/platform.js';

let platform: TestPlatform;
let now = Date.UTC(2030, 0, 1);

beforeAll(async () => {
  // Access tokens outlive every step of the tests, so a 401 below is a revocation, not expiry.
  platform = await startTestPlatform({ accessTokenTtlSeconds: 3600, now: () => now });
});
afterAll(() => platform?.stop());

async function signIn(): Promise<Tokens> {
  const { email, password } = ACCOUNTS.developer;
  return tokensSchema.parse(
    (await platform.call('dev', routes.login, { body: { email, password } })).body,
  );
}

const refreshWith = (refreshToken: string) =>
  platform.call('dev', routes.refresh, { body: { refreshToken } });
const meWith = async (accessToken: string) =>
  (await platform.call('dev', routes.me, { token: accessToken })).status;

describe('refresh grace window', () => {
  it('is 30 s, no shorter than a retry after a lost answer and no longer than the BCP tolerates', () => {
    expect(REFRESH_GRACE_MS).toBe(30_000);
  });

  it('answers a just-rotated token presented again with the same successor; nothing is revoked', async () => {
    const first = await signIn();
    const winner = tokensSchema.parse((await refreshWith(first.refreshToken)).body);
    now += 5_000;
    const again = await refreshWith(first.refreshToken);
    expect(again.status).toBe(200);
    const loser = tokensSchema.parse(again.body);
    expect(loser.refreshToken).toBe(winner.refreshToken);
    expect(loser.refresh_token).toBe(winner.refreshToken);
    expect(loser.accessToken).not.toBe(winner.accessToken);
    // Both answers' access tokens work, and the shared successor rotates on as usual.
    expect(await meWith(winner.accessToken)).toBe(200);
    expect(await meWith(loser.accessToken)).toBe(200);
    const next = await refreshWith(winner.refreshToken);
    expect(next.status).toBe(200);
    expect(await meWith(tokensSchema.parse(next.body).accessToken)).toBe(200);
  });

  it('answers every one of several racing requests with the one successor', async () => {
    const first = await signIn();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => refreshWith(first.refreshToken)),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    const successors = new Set(answers.map((answer) => answer.body.refreshToken));
    expect(successors.size).toBe(1);
    for (const answer of answers) expect(await meWith(answer.body.accessToken)).toBe(200);
  });

  it('ends the whole sign-in when the rotated token comes back after the window', async () => {
    const first = await signIn();
    const rotated = tokensSchema.parse((await refreshWith(first.refreshToken)).body);
    now += REFRESH_GRACE_MS + 1;
    const replay = await refreshWith(first.refreshToken);
    expect([replay.status, replay.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(replay.body.message).toMatch(/^Refresh token was already used/);
    expect(await meWith(rotated.accessToken)).toBe(401);
    expect((await refreshWith(rotated.refreshToken)).status).toBe(401);
  });

  it('ends the whole sign-in when the successor was already used, even inside the window', async () => {
    const first = await signIn();
    const second = tokensSchema.parse((await refreshWith(first.refreshToken)).body);
    const third = tokensSchema.parse((await refreshWith(second.refreshToken)).body);
    now += 1_000;
    // The family moved on past `second`: whoever still sends `first` is not the one who did.
    const replay = await refreshWith(first.refreshToken);
    expect([replay.status, replay.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(replay.body.message).toMatch(/already used/);
    for (const token of [second.accessToken, third.accessToken]) {
      expect(await meWith(token)).toBe(401);
    }
    expect((await refreshWith(third.refreshToken)).status).toBe(401);
  });

  it('gives nothing back for a sign-in that was logged out inside the window', async () => {
    const first = await signIn();
    const rotated = tokensSchema.parse((await refreshWith(first.refreshToken)).body);
    const logout = await platform.call('dev', routes.logout, { token: rotated.accessToken });
    expect(logout.status).toBe(204);
    const replay = await refreshWith(first.refreshToken);
    expect(replay.status).toBe(401);
    expect(await meWith(rotated.accessToken)).toBe(401);
  });

  it('keeps other sign-ins of the same user when one is revoked for reuse', async () => {
    const bystander = await signIn();
    const first = await signIn();
    await refreshWith(first.refreshToken);
    now += REFRESH_GRACE_MS + 1;
    expect((await refreshWith(first.refreshToken)).status).toBe(401);
    expect(await meWith(bystander.accessToken)).toBe(200);
  });
});

describe('refresh grace window across a restart', () => {
  it('answers the same successor from a persistent data directory after the emulator restarts', async () => {
    let clock = Date.UTC(2031, 0, 1);
    const first = await startTestPlatform({
      persistent: true,
      accessTokenTtlSeconds: 3600,
      now: () => clock,
    });
    const dataDir = first.dataDir ?? '';
    const { email, password } = ACCOUNTS.developer;
    const tokens = tokensSchema.parse(
      (await first.call('dev', routes.login, { body: { email, password } })).body,
    );
    const rotated = tokensSchema.parse(
      (await first.call('dev', routes.refresh, { body: { refreshToken: tokens.refreshToken } }))
        .body,
    );
    await first.running.stop();
    const running = await startPlatform({
      port: 0,
      dataDir,
      accessTokenTtlSeconds: 3600,
      now: () => clock,
    });
    try {
      clock += 2_000;
      const again = await fetch(`${running.url}/dev/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: tokens.refreshToken }),
      });
      expect(again.status).toBe(200);
      expect(((await again.json()) as Tokens).refreshToken).toBe(rotated.refreshToken);
    } finally {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
