// The web console's rules at the HTTP level, as an attacker's client would meet them: headers of
// every page, form posts without the browser's Origin or from another, cookies that are not a
// console session of this env.
import { createHash } from 'node:crypto';
import { routes } from '@hla-compass/platform-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNTS,
  type AccountName,
  startTestPlatform,
  type TestPlatform,
} from './support/platform.js';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(() => platform?.stop());

const CSRF = /name="csrf_token" value="([^"]+)"/;

/** Signs in on the console's form with fetch; the session cookie and a CSRF token of its pages. */
async function signIn(account: AccountName, env = 'dev') {
  const form = await fetch(`${platform.url}/${env}/console/sign-in`);
  const response = await fetch(`${platform.url}/${env}/console/sign-in`, {
    method: 'POST',
    headers: { origin: platform.url },
    body: new URLSearchParams({
      csrf_token: CSRF.exec(await form.text())?.[1] ?? '',
      email: ACCOUNTS[account].email,
      password: ACCOUNTS[account].password,
    }),
    redirect: 'manual',
  });
  expect(response.status).toBe(303);
  const cookie = response.headers.get('set-cookie') ?? '';
  const session = cookie.split(';')[0] ?? '';
  const page = await fetch(`${platform.url}/${env}/console/registries`, {
    headers: { cookie: session },
  });
  return { setCookie: cookie, cookie: session, csrf: CSRF.exec(await page.text())?.[1] ?? '' };
}

const addEntry = (cookie: string, csrf: string, headers: Record<string, string>) =>
  fetch(`${platform.url}/dev/console/registries`, {
    method: 'POST',
    headers: { cookie, ...headers },
    body: new URLSearchParams({ csrf_token: csrf, pattern: 'ghcr.io/your-org-probe/*' }),
    redirect: 'manual',
  });

const patterns = async () =>
  (
    await platform.call('dev', routes.listRegistries, {
      apiKey: ACCOUNTS.admin.apiKey,
      params: { orgId: 'your-org' },
    })
  ).body.items.map((entry: { pattern: string }) => entry.pattern);

describe('the web console over HTTP', () => {
  it('sets the session cookie HttpOnly, SameSite=Strict, on the console path of its env only', async () => {
    const { setCookie } = await signIn('viewer');
    expect(setCookie).toMatch(/^hlc_console=hlc_at_[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/dev/console');
  });

  it('serves every page with a CSP that allows no script and only its own style, unframeable and uncached', async () => {
    const { cookie } = await signIn('superuser');
    for (const path of ['sign-in', 'catalog', 'publishes', 'keys', 'registries', 'approvals']) {
      const response = await fetch(`${platform.url}/dev/console/${path}`, {
        headers: path === 'sign-in' ? {} : { cookie },
      });
      const html = await response.text();
      expect(response.status, path).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/^default-src 'none'; /);
      expect(csp).not.toMatch(/script-src|unsafe/);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(html).not.toContain('<script');
      const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
      const hash = createHash('sha256').update(style).digest('base64');
      expect(csp).toContain(`style-src 'sha256-${hash}'`);
    }
  });

  it('refuses a form post without an Origin, or from another origin, even with the cookie and token', async () => {
    const { cookie, csrf } = await signIn('admin');
    const withoutOrigin = await addEntry(cookie, csrf, {});
    expect(withoutOrigin.status).toBe(403);
    expect(await withoutOrigin.text()).toContain('CSRF token or Origin missing or wrong');
    const foreign = await addEntry(cookie, csrf, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { code: string }).code).toBe('FORBIDDEN');
    expect(await patterns()).not.toContain('ghcr.io/your-org-probe/*');
    const same = await addEntry(cookie, csrf, { origin: platform.url });
    expect(same.status).toBe(303);
    expect(await patterns()).toContain('ghcr.io/your-org-probe/*');
  });

  it('refuses a sign-in form posted without its CSRF token before looking at the password', async () => {
    const response = await fetch(`${platform.url}/dev/console/sign-in`, {
      method: 'POST',
      headers: { origin: platform.url },
      body: new URLSearchParams({
        email: ACCOUNTS.admin.email,
        password: ACCOUNTS.admin.password,
      }),
      redirect: 'manual',
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('takes no API key, garbage, or another env’s session as a console session', async () => {
    const { cookie } = await signIn('admin', 'staging');
    for (const value of [cookie, `hlc_console=${ACCOUNTS.admin.apiKey}`, 'hlc_console=x']) {
      const response = await fetch(`${platform.url}/dev/console/registries`, {
        headers: { cookie: value },
        redirect: 'manual',
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/dev/console/sign-in');
    }
  });
});
