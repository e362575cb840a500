// POST /v1/auth/logout: the tokens of a sign-in stop working when it ends, whichever of its
// tokens the client still holds; other sign-ins and API keys are untouched.
import { routes, type Tokens, tokensSchema } from '@hla-compass/platform-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNTS, startTestPlatform, type TestPlatform } from './support/platform.js';

let platform: TestPlatform;
let now = Date.UTC(2030, 0, 1);

beforeAll(async () => {
  platform = await startTestPlatform({ accessTokenTtlSeconds: 30, now: () => now });
});
afterAll(() => platform?.stop());

async function signIn(): Promise<Tokens> {
  const { email, password } = ACCOUNTS.developer;
  return tokensSchema.parse(
    (await platform.call('dev', routes.login, { body: { email, password } })).body,
  );
}

const meWith = async (accessToken: string) =>
  (await platform.call('dev', routes.me, { token: accessToken })).status;
const refreshWith = async (refreshToken: string) =>
  (await platform.call('dev', routes.refresh, { body: { refreshToken } })).status;

describe('logout', () => {
  it('ends the sign-in of the Bearer token: its access and refresh tokens answer 401', async () => {
    const tokens = await signIn();
    const other = await signIn();
    const result = await platform.call('dev', routes.logout, {
      token: tokens.accessToken,
      body: { refreshToken: tokens.refreshToken },
    });
    expect(result.status).toBe(204);
    expect(await meWith(tokens.accessToken)).toBe(401);
    expect(await refreshWith(tokens.refreshToken)).toBe(401);
    // Another sign-in of the same user goes on.
    expect(await meWith(other.accessToken)).toBe(200);
  });

  it('ends every token of the sign-in, the ones issued by an earlier refresh included', async () => {
    const first = await signIn();
    const rotated = tokensSchema.parse(
      (await platform.call('dev', routes.refresh, { body: { refreshToken: first.refreshToken } }))
        .body,
    );
    expect((await platform.call('dev', routes.logout, { token: first.accessToken })).status).toBe(
      204,
    );
    expect(await meWith(rotated.accessToken)).toBe(401);
    expect(await refreshWith(rotated.refreshToken)).toBe(401);
  });

  it('logs out with the refresh token alone once the access token has expired', async () => {
    const tokens = await signIn();
    now += 31_000;
    const result = await platform.call('dev', routes.logout, {
      token: tokens.accessToken,
      body: { refreshToken: tokens.refreshToken },
    });
    expect(result.status).toBe(204);
    expect(await refreshWith(tokens.refreshToken)).toBe(401);
  });

  it('answers 401 when nothing is live: a second logout, no token, an API key', async () => {
    const tokens = await signIn();
    await platform.call('dev', routes.logout, { token: tokens.accessToken });
    for (const options of [
      { token: tokens.accessToken, body: { refreshToken: tokens.refreshToken } },
      { body: {} },
      { apiKey: ACCOUNTS.developer.apiKey },
    ]) {
      const result = await platform.call('dev', routes.logout, options);
      expect([result.status, result.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
    // An API key is not a sign-in: logging out leaves it working.
    const me = await platform.call('dev', routes.me, { apiKey: ACCOUNTS.developer.apiKey });
    expect(me.status).toBe(200);
  });
});
