import { createHash, randomBytes } from 'node:crypto';
import { meSchema, routes, tokensSchema } from '@hla-compass/platform-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackUrl, sdkCallbackPayload } from '../src/services/pkce.js';
import { REFRESH_GRACE_MS } from '../src/services/sessions.js';
import { ACCOUNTS, startTestPlatform, type TestPlatform } from './support/platform.js';
import { sdkDecodePayload } from './support/python-sdk.js';

let platform: TestPlatform;
/** The emulator's clock, moved by the tests: expiry is checked without waiting. */
let now = Date.UTC(2030, 0, 1);

beforeAll(async () => {
  platform = await startTestPlatform({
    accessTokenTtlSeconds: 30,
    loginRateLimit: { attempts: 3, windowSeconds: 60 },
    now: () => now,
  });
});

afterAll(() => platform?.stop());

const login = (email: string, password: string, env: 'dev' | 'prod' = 'dev') =>
  platform.call(env, routes.login, { body: { email, password } });

describe('password login and tokens', () => {
  it('signs in with email and password and answers /v1/auth/me', async () => {
    const result = await login(ACCOUNTS.admin.email, ACCOUNTS.admin.password);
    expect(result.status).toBe(200);
    const tokens = tokensSchema.parse(result.body);
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 30 });
    const me = await platform.call('dev', routes.me, { token: tokens.accessToken });
    expect(meSchema.parse(me.body)).toMatchObject({
      user: { email: ACCOUNTS.admin.email },
      org: { id: 'your-org' },
      roles: ['admin'],
      superuser: false,
      environment: 'dev',
    });
  });

  it('treats emails case-insensitively', async () => {
    const result = await login(ACCOUNTS.viewer.email.toUpperCase(), ACCOUNTS.viewer.password);
    expect(result.status).toBe(200);
  });

  it('refuses a wrong password and an unknown email with the same 401', async () => {
    const wrong = await login('developer@other-org.test', 'nope');
    const unknown = await login('nobody@your-org.test', 'nope');
    for (const result of [wrong, unknown]) {
      expect([result.status, result.body.code, result.body.message]).toEqual([
        401,
        'UNAUTHENTICATED',
        'Wrong email or password',
      ]);
    }
  });

  it('rate-limits failed sign-ins per client and email with 429 and Retry-After', async () => {
    const email = ACCOUNTS.superuser.email;
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await login(email, 'wrong')).status).toBe(401);
    }
    const limited = await login(email, ACCOUNTS.superuser.password);
    expect([limited.status, limited.body.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another email from the same client is not affected.
    expect((await login(ACCOUNTS.viewer.email, ACCOUNTS.viewer.password)).status).toBe(200);
    now += 61_000;
    expect((await login(email, ACCOUNTS.superuser.password)).status).toBe(200);
  });

  it('expires access tokens after their TTL', async () => {
    const token = await platform.login('dev', 'developer');
    expect((await platform.call('dev', routes.me, { token })).status).toBe(200);
    now += 31_000;
    const expired = await platform.call('dev', routes.me, { token });
    expect([expired.status, expired.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(expired.body.message).toMatch(/invalid or expired/);
  });

  it('accepts a seeded API key in X-API-Key', async () => {
    const me = await platform.call('dev', routes.me, { apiKey: ACCOUNTS.other.apiKey });
    expect(me.body.org.id).toBe('other-org');
  });

  it('rotates refresh tokens, and a reused one revokes the whole sign-in', async () => {
    const first = tokensSchema.parse(
      (await login(ACCOUNTS.developer.email, ACCOUNTS.developer.password)).body,
    );
    const second = await platform.call('dev', routes.refresh, {
      body: { refreshToken: first.refreshToken },
    });
    expect(second.status).toBe(200);
    const rotated = tokensSchema.parse(second.body);
    expect(rotated.refreshToken).not.toBe(first.refreshToken);
    expect((await platform.call('dev', routes.me, { token: rotated.accessToken })).status).toBe(
      200,
    );

    // Past the grace window, in which the same successor would be answered again.
    now += REFRESH_GRACE_MS + 1;
    const replay = await platform.call('dev', routes.refresh, {
      body: { refreshToken: first.refreshToken },
    });
    expect([replay.status, replay.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await platform.call('dev', routes.me, { token: rotated.accessToken })).status).toBe(
      401,
    );
    const afterRevoke = await platform.call('dev', routes.refresh, {
      body: { refreshToken: rotated.refreshToken },
    });
    expect(afterRevoke.status).toBe(401);
  });

  it('answers every token field in camelCase and snake_case with the same values', async () => {
    const result = await login(ACCOUNTS.developer.email, ACCOUNTS.developer.password);
    const { accessToken, refreshToken, expiresIn, tokenType } = result.body;
    expect(result.body).toEqual({
      accessToken,
      refreshToken,
      expiresIn,
      tokenType,
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: expiresIn,
      token_type: tokenType,
    });
    const refreshed = await platform.call('dev', routes.refresh, { body: { refreshToken } });
    expect(refreshed.body.access_token).toBe(refreshed.body.accessToken);
    expect(refreshed.body.refresh_token).toBe(refreshed.body.refreshToken);
  });

  it('refreshes with {refresh_token}, and reuse detection is the same under either name', async () => {
    const first = tokensSchema.parse(
      (await login(ACCOUNTS.developer.email, ACCOUNTS.developer.password)).body,
    );
    const second = await platform.call('dev', routes.refresh, {
      body: { refresh_token: first.refresh_token },
    });
    expect(second.status).toBe(200);
    const rotated = tokensSchema.parse(second.body);
    expect(rotated.refresh_token).not.toBe(first.refresh_token);

    // The token already spent under one name, replayed under the other past the grace window,
    // ends the sign-in.
    now += REFRESH_GRACE_MS + 1;
    const replay = await platform.call('dev', routes.refresh, {
      body: { refreshToken: first.refresh_token },
    });
    expect([replay.status, replay.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(replay.body.message).toMatch(/already used/);
    expect((await platform.call('dev', routes.me, { token: rotated.access_token })).status).toBe(
      401,
    );
  });

  it('accepts both names at once when they agree, and refuses them unspent when they differ', async () => {
    const a = tokensSchema.parse(
      (await login(ACCOUNTS.developer.email, ACCOUNTS.developer.password)).body,
    );
    const b = tokensSchema.parse(
      (await login(ACCOUNTS.developer.email, ACCOUNTS.developer.password)).body,
    );
    const differ = await platform.call('dev', routes.refresh, {
      body: { refreshToken: a.refreshToken, refresh_token: b.refreshToken },
    });
    expect([differ.status, differ.body.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(differ.body.message).toContain('refreshToken and refresh_token differ');
    // Neither token was spent: both sign-ins go on.
    for (const tokens of [a, b]) {
      const same = await platform.call('dev', routes.refresh, {
        body: { refreshToken: tokens.refreshToken, refresh_token: tokens.refreshToken },
      });
      expect(same.status).toBe(200);
    }
  });

  it('answers a refresh without a token with INVALID_REQUEST', async () => {
    for (const body of [{}, { refresh_token: '' }, { token: 'rt_x' }]) {
      const result = await platform.call('dev', routes.refresh, { body });
      expect([result.status, result.body.code], JSON.stringify(body)).toEqual([
        400,
        'INVALID_REQUEST',
      ]);
    }
  });

  it('describes both spellings in the OpenAPI document', async () => {
    const document = (await (await fetch(`${platform.url}/openapi.json`)).json()) as {
      components: {
        schemas: Record<'Tokens' | 'RefreshRequest', { required?: string[]; anyOf?: unknown[] }>;
      };
    };
    const { Tokens, RefreshRequest } = document.components.schemas;
    expect(Tokens.required).toEqual(
      expect.arrayContaining(['access_token', 'refresh_token', 'expires_in', 'token_type']),
    );
    expect(RefreshRequest.anyOf).toEqual([
      expect.objectContaining({ required: ['refreshToken'] }),
      expect.objectContaining({ required: ['refresh_token'] }),
    ]);
  });

  it('answers a malformed login body with INVALID_REQUEST', async () => {
    const result = await platform.call('dev', routes.login, { body: { email: 'x' } });
    expect([result.status, result.body.code]).toEqual([400, 'INVALID_REQUEST']);
  });
});

describe('the console sign-in page and the PKCE code exchange', () => {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'http://127.0.0.1:53682/cli-callback';

  function pageUrl(params: Record<string, string>) {
    const url = new URL(`${platform.url}/dev/cli-login`);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url;
  }

  const signInParams = {
    redirect_uri: redirectUri,
    state: 'state-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };

  /** Fetches the page, reads its hidden fields, and submits the form as a browser would. */
  async function submitForm(email: string, password: string) {
    const page = await fetch(pageUrl(signInParams));
    expect(page.status).toBe(200);
    const html = await page.text();
    const fields = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map(
        ([, name, value]) => [name as string, (value as string).replaceAll('&amp;', '&')],
      ),
    );
    expect(fields).toEqual({ ...signInParams, flow: 'pkce', csrf_token: expect.any(String) });
    return fetch(pageUrl({}), {
      method: 'POST',
      body: new URLSearchParams({ ...fields, email, password }),
      redirect: 'manual',
    });
  }

  async function code() {
    const response = await submitForm(ACCOUNTS.developer.email, ACCOUNTS.developer.password);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    expect(location.searchParams.get('state')).toBe('state-123');
    return location.searchParams.get('code') ?? '';
  }

  it('redirects to the loopback URI with a code that exchanges once for tokens', async () => {
    const issued = await code();
    const exchange = await platform.call('dev', routes.exchangeCode, {
      body: { code: issued, codeVerifier: verifier, redirectUri },
    });
    expect(exchange.status).toBe(200);
    const tokens = tokensSchema.parse(exchange.body);
    const me = await platform.call('dev', routes.me, { token: tokens.accessToken });
    expect(me.body.user.email).toBe(ACCOUNTS.developer.email);

    const again = await platform.call('dev', routes.exchangeCode, {
      body: { code: issued, codeVerifier: verifier, redirectUri },
    });
    expect([again.status, again.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    // Reusing the code revoked what it had issued.
    expect((await platform.call('dev', routes.me, { token: tokens.accessToken })).status).toBe(401);
  });

  it('refuses a wrong verifier, another redirect URI and an expired code', async () => {
    const wrongVerifier = await platform.call('dev', routes.exchangeCode, {
      body: {
        code: await code(),
        codeVerifier: randomBytes(32).toString('base64url'),
        redirectUri,
      },
    });
    expect([wrongVerifier.status, wrongVerifier.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const otherUri = await platform.call('dev', routes.exchangeCode, {
      body: {
        code: await code(),
        codeVerifier: verifier,
        redirectUri: 'http://127.0.0.1:1/cli-callback',
      },
    });
    expect(otherUri.status).toBe(401);
    const late = await code();
    now += 61_000;
    const expired = await platform.call('dev', routes.exchangeCode, {
      body: { code: late, codeVerifier: verifier, redirectUri },
    });
    expect(expired.status).toBe(401);
  });

  it('shows an error on a wrong password and does not redirect', async () => {
    const response = await submitForm(ACCOUNTS.developer.email, 'wrong');
    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('Wrong email or password');
  });

  it('refuses redirect URIs that are not loopback, with an error page and no redirect', async () => {
    for (const uri of [
      'https://127.0.0.1:53682/cli-callback',
      'http://evil.example:53682/cli-callback',
      'http://127.0.0.1.evil.example:53682/cb',
      'http://127.0.0.1/cli-callback',
      'http://user:pw@127.0.0.1:53682/cb',
      'javascript:alert(1)',
    ]) {
      const page = await fetch(pageUrl({ ...signInParams, redirect_uri: uri }), {
        redirect: 'manual',
      });
      expect(page.status, uri).toBe(400);
      const posted = await fetch(pageUrl({}), {
        method: 'POST',
        body: new URLSearchParams({
          ...signInParams,
          flow: 'pkce',
          redirect_uri: uri,
          email: ACCOUNTS.developer.email,
          password: ACCOUNTS.developer.password,
        }),
        redirect: 'manual',
      });
      expect(posted.status, uri).toBe(400);
      expect(posted.headers.get('location'), uri).toBeNull();
    }
  });

  it('refuses a plain challenge, and a challenge method without a challenge', async () => {
    const plain = await fetch(pageUrl({ ...signInParams, code_challenge_method: 'plain' }));
    expect(plain.status).toBe(400);
    const methodOnly = await fetch(
      pageUrl({ redirect_uri: redirectUri, state: 's', code_challenge_method: 'S256' }),
    );
    expect(methodOnly.status).toBe(400);
    expect(await methodOnly.text()).toContain('code_challenge_method without a code_challenge');
  });

  it('refuses a form whose flow does not match its fields, so PKCE is never dropped quietly', async () => {
    const account = { email: ACCOUNTS.developer.email, password: ACCOUNTS.developer.password };
    const {
      code_challenge: _challenge,
      code_challenge_method: _method,
      ...legacyFields
    } = signInParams;
    for (const fields of [
      // A PKCE form that lost its challenge, or one relabelled as legacy.
      { ...legacyFields, flow: 'pkce' },
      { ...signInParams, flow: 'legacy' },
      // A form that names no flow.
      signInParams,
      legacyFields,
      { ...signInParams, flow: 'implicit' },
    ]) {
      const posted = await fetch(pageUrl({}), {
        method: 'POST',
        body: new URLSearchParams({ ...fields, ...account }),
        redirect: 'manual',
      });
      expect(posted.status, JSON.stringify(fields)).toBe(400);
      expect(posted.headers.get('location')).toBeNull();
    }
  });

  it('escapes what it echoes into the page', async () => {
    const page = await fetch(pageUrl({ ...signInParams, state: '"><script>x</script>' }));
    const html = await page.text();
    expect(html).not.toContain('<script>x');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });
});

describe('the console sign-in without PKCE (the Python SDK 2.0.13 flow)', () => {
  const redirectUri = 'http://127.0.0.1:53683/cli-callback';
  const link = { redirect_uri: redirectUri, state: 'sdk-state_-1' };
  const account = { email: ACCOUNTS.developer.email, password: ACCOUNTS.developer.password };

  function pageUrl(params: Record<string, string>) {
    return `${platform.url}/dev/cli-login?${new URLSearchParams(params)}`;
  }

  function hiddenFields(html: string) {
    return Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map(
        ([, name, value]) => [name as string, (value as string).replaceAll('&amp;', '&')],
      ),
    );
  }

  /** Submits the form the page served for `link` (its CSRF token included), or `fields` as given. */
  async function signIn(fields?: Record<string, string>, password: string = account.password) {
    const served = fields ?? hiddenFields(await (await fetch(pageUrl(link))).text());
    return fetch(pageUrl({}), {
      method: 'POST',
      body: new URLSearchParams({ ...served, email: account.email, password }),
      redirect: 'manual',
    });
  }

  it('serves a form for a link without code_challenge that names the legacy flow', async () => {
    const page = await fetch(pageUrl(link));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(hiddenFields(html)).toEqual({ ...link, flow: 'legacy', csrf_token: expect.any(String) });
    expect(html).toContain('with your tokens (a sign-in without PKCE)');
  });

  it('redirects to the loopback URI with state and the tokens in payload, which work', async () => {
    const response = await signIn();
    expect(response.status).toBe(302);
    // The location carries tokens: never cached, never passed on as a referrer to another origin
    // (same-origin, not no-referrer, so that the browser posts the form with its Origin).
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    const location = response.headers.get('location') ?? '';
    const url = new URL(location);
    expect(`${url.origin}${url.pathname}`).toBe(redirectUri);
    expect([...url.searchParams.keys()].sort()).toEqual(['payload', 'state']);
    expect(url.searchParams.get('state')).toBe(link.state);
    const rawPayload = /[?&]payload=([^&]*)/.exec(url.search)?.[1] ?? '';
    expect(rawPayload).toMatch(/^[A-Za-z0-9%]+$/);
    const credentials = sdkDecodePayload(url.searchParams.get('payload') ?? '') as Record<
      string,
      unknown
    >;
    expect(Object.keys(credentials).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
    ]);
    expect(credentials.expires_in).toBe(30);

    const me = await platform.call('dev', routes.me, { token: String(credentials.access_token) });
    expect([me.status, me.body.user.email]).toEqual([200, ACCOUNTS.developer.email]);
    const refreshed = await platform.call('dev', routes.refresh, {
      body: { refresh_token: credentials.refresh_token },
    });
    expect(refreshed.status).toBe(200);
  });

  it('percent-encodes the standard base64 payload so that the SDK decodes it back', () => {
    // Tokens chosen so that their base64 holds `+`, `/` and `=` padding.
    const tokens = { access_token: 'at_?~~~~~', refresh_token: 'rt_~~~~~?', expires_in: 3600 };
    const payload = sdkCallbackPayload(tokens);
    expect(payload).toMatch(/\+.*\/|\/.*\+/);
    expect(payload).toMatch(/=$/);
    const url = callbackUrl(redirectUri, { state: 's', payload });
    const raw = /[?&]payload=([^&]*)/.exec(url)?.[1] ?? '';
    expect(raw).not.toMatch(/[+/=]/);
    expect(raw).toContain('%2B');
    expect(raw).toContain('%2F');
    expect(raw).toContain('%3D');
    expect(sdkDecodePayload(new URL(url).searchParams.get('payload') ?? '')).toEqual(tokens);
  });

  it('starts a sign-in of its own each time', async () => {
    const tokensOf = async () => {
      const location = new URL((await signIn()).headers.get('location') ?? '');
      return sdkDecodePayload(location.searchParams.get('payload') ?? '') as {
        access_token: string;
        refresh_token: string;
      };
    };
    const first = await tokensOf();
    const second = await tokensOf();
    expect(second.access_token).not.toBe(first.access_token);
    // Reusing the first sign-in's refresh token (once the sign-in has moved on past its
    // successor, so no benign re-send) ends that sign-in only.
    const rotated = await platform.call('dev', routes.refresh, {
      body: { refresh_token: first.refresh_token },
    });
    await platform.call('dev', routes.refresh, {
      body: { refresh_token: rotated.body.refresh_token },
    });
    await platform.call('dev', routes.refresh, { body: { refresh_token: first.refresh_token } });
    expect((await platform.call('dev', routes.me, { token: first.access_token })).status).toBe(401);
    expect((await platform.call('dev', routes.me, { token: second.access_token })).status).toBe(
      200,
    );
  });

  it('shows an error on a wrong password and does not redirect', async () => {
    const response = await signIn(undefined, 'no');
    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
    const html = await response.text();
    expect(html).toContain('Wrong email or password');
    expect(hiddenFields(html)).toEqual({ ...link, flow: 'legacy', csrf_token: expect.any(String) });
  });

  it('sends tokens to loopback redirect URIs only', async () => {
    for (const uri of [
      'https://127.0.0.1:53683/cli-callback',
      'http://evil.example:53683/cli-callback',
      'http://127.0.0.1.evil.example:53683/cb',
      'http://127.0.0.1/cli-callback',
      'http://user:pw@127.0.0.1:53683/cb',
      'http://127.0.0.1:53683/cb#fragment',
    ]) {
      const page = await fetch(pageUrl({ ...link, redirect_uri: uri }), { redirect: 'manual' });
      expect(page.status, uri).toBe(400);
      const posted = await signIn({ ...link, redirect_uri: uri, flow: 'legacy' });
      expect(posted.status, uri).toBe(400);
      expect(posted.headers.get('location'), uri).toBeNull();
    }
  });
});
