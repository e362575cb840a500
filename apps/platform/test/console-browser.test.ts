// The web console in a real browser: Debian's chromium, headless, driven by playwright-core,
// against a real emulator and real registries on 127.0.0.1. Each scenario is what an admin or a
// superuser does instead of curl; every main page is screenshotted under the test output dir.
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routes } from '@hla-compass/platform-api';
import { generateKeyPair } from '@hla-compass/signing';
import { ensureChromium } from '@hla-compass/testkit';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyRegistration } from './support/key-proof.js';
import {
  ACCOUNTS,
  type AccountName,
  manifest,
  startTestPlatform,
  type TestPlatform,
} from './support/platform.js';
import {
  loopbackOnlyResolver,
  pushImage,
  REGISTRY_USER,
  startTestRegistries,
  type TestRegistries,
  testSeed,
} from './support/registries.js';

const OUTPUT_DIR = join(
  process.env.HLA_COMPASS_TEST_OUTPUT ?? join(tmpdir(), 'hla-compass-test-output'),
  'console-browser',
);

let registries: TestRegistries;
let platform: TestPlatform;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Every request the browser tried to send anywhere but the emulator: must stay empty. */
const offLoopback: string[] = [];
/** Every page's HTML the browser was served, to look for secrets in. */
const served: string[] = [];
/** What chromium's console said (a CSP violation would be reported here). */
const browserMessages: string[] = [];

beforeAll(async () => {
  const [found] = await Promise.all([
    ensureChromium(),
    mkdir(OUTPUT_DIR, { recursive: true }),
    (async () => {
      registries = await startTestRegistries();
      platform = await startTestPlatform({
        seed: { document: testSeed(registries) },
        images: loopbackOnlyResolver(),
      });
    })(),
  ]);
  browser = await chromium.launch({
    executablePath: found.executablePath,
    args: [...found.args],
    headless: true,
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  await registries?.stop();
});

const consoleUrl = (path = '') => `${platform.url}/dev/console${path}`;

/** A fresh browser profile (its own cookies), allowed to talk to the emulator only. */
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  const origin = new URL(platform.url).origin;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    offLoopback.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', (message) => browserMessages.push(message.text()));
  page.on('response', async (response) => {
    if ((response.headers()['content-type'] ?? '').startsWith('text/html')) {
      served.push(await response.text().catch(() => ''));
    }
  });
  return page;
}

async function signIn(account: AccountName): Promise<Page> {
  const page = await newPage();
  await page.goto(consoleUrl());
  expect(new URL(page.url()).pathname).toBe('/dev/console/sign-in');
  await page.getByLabel('Email').fill(ACCOUNTS[account].email);
  await page.getByLabel('Password').fill(ACCOUNTS[account].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(consoleUrl('/catalog'));
  return page;
}

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`), fullPage: true });

async function apiToken(account: AccountName): Promise<string> {
  return platform.login('dev', account);
}

async function publish(
  account: AccountName,
  imageRef: string,
  name: string,
  version: string,
  scope: 'org' | 'public',
) {
  return platform.call('dev', routes.publish, {
    token: await apiToken(account),
    body: { imageRef, manifest: manifest(name, version), scope },
  });
}

const moduleNames = async (account: AccountName) =>
  (
    await platform.call('dev', routes.listModules, { token: await apiToken(account) })
  ).body.items.map((item: { moduleName: string }) => item.moduleName);

describe('the web console in chromium', () => {
  it('signs in with an HttpOnly, SameSite=Strict cookie scoped to the console, and signing out ends the sign-in', async () => {
    const page = await newPage();
    const response = await page.goto(consoleUrl('/sign-in'));
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    await screenshot(page, 'sign-in');
    await page.getByLabel('Email').fill(ACCOUNTS.developer.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'Wrong email or password',
    );
    await page.getByLabel('Password').fill(ACCOUNTS.developer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(consoleUrl('/catalog'));

    const [cookie, ...others] = await page.context().cookies();
    expect(others).toEqual([]);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/dev/console' });
    const token = cookie?.value ?? '';
    const me = () => platform.call('dev', routes.me, { token });
    expect((await me()).status).toBe(200);
    // No script runs in the console, so the page cannot read its own session.
    expect(await page.evaluate('document.cookie')).toBe('');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(consoleUrl('/sign-in'));
    expect(await page.context().cookies()).toEqual([]);
    expect((await me()).status).toBe(401);
    await page.goto(consoleUrl('/catalog'));
    expect(new URL(page.url()).pathname).toBe('/dev/console/sign-in');
  });

  it('lets a superuser approve a public publish in the queue, after which the other org sees it', async () => {
    const imageRef = `${registries.plain.host}/your-org/shared-scorer:1.0.0`;
    await pushImage(registries.plain, 'your-org/shared-scorer', '1.0.0');
    const submitted = await publish('developer', imageRef, 'shared-scorer', '1.0.0', 'public');
    expect(submitted.status).toBe(202);
    expect(submitted.body.state).toBe('SUBMITTED');
    expect(await moduleNames('other')).not.toContain('shared-scorer');
    const otherBefore = await signIn('other');
    expect(await otherBefore.locator('main').textContent()).not.toContain('shared-scorer');

    const page = await signIn('superuser');
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.waitForURL(consoleUrl('/approvals'));
    const row = page.getByRole('row').filter({ hasText: 'shared-scorer@1.0.0' });
    await expect(row.textContent()).resolves.toContain('developer@your-org.test');
    await expect(row.textContent()).resolves.toContain(submitted.body.image.digest);
    await screenshot(page, 'approvals');
    await row.getByLabel('Comment').fill('reviewed in the console');
    await row.getByRole('button', { name: 'Approve shared-scorer@1.0.0' }).click();
    await page.waitForURL(consoleUrl('/approvals?done=approved'));
    await expect(page.getByRole('status').textContent()).resolves.toBe('Publish approved.');
    expect(await page.locator('main').textContent()).not.toContain('shared-scorer@1.0.0');

    // The other org, in the console and through the API alike.
    await otherBefore.reload();
    const approved = otherBefore.getByRole('table').filter({ hasText: 'shared-scorer' });
    await expect(approved.textContent()).resolves.toContain('APPROVED');
    expect(await moduleNames('other')).toContain('shared-scorer');
    const status = await platform.call('dev', routes.publishStatus, {
      token: await apiToken('developer'),
      params: { publishId: submitted.body.publishId },
    });
    expect(status.body).toMatchObject({ state: 'APPROVED', status: 'completed' });

    // The superuser's view of the catalog, a manifest and the publish history.
    await page.getByRole('link', { name: 'Catalog' }).click();
    await screenshot(page, 'catalog');
    await page.getByRole('link', { name: '1.0.0' }).first().click();
    await expect(page.locator('pre').textContent()).resolves.toContain('"schemaVersion": "1.0"');
    await screenshot(page, 'manifest');
    await page.getByRole('link', { name: 'Publish jobs' }).click();
    await expect(page.getByRole('table').textContent()).resolves.toContain(
      submitted.body.publishId,
    );
  });

  it('lets an admin add an allowlist entry with pull credentials, after which a refused publish succeeds; the password is never shown', async () => {
    const repository = `${registries.auth.host}/your-org-labs/tool`;
    await pushImage(registries.auth, 'your-org-labs/tool', '1.0.0');
    const refused = await publish('developer', `${repository}:1.0.0`, 'labs-tool', '1.0.0', 'org');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('REGISTRY_UNAUTHORIZED');

    const page = await signIn('admin');
    await page.getByRole('link', { name: 'Registries' }).click();
    await page.waitForURL(consoleUrl('/registries'));
    // A form mistake is shown beside the form, which keeps what was typed but the password.
    await page.getByLabel('Pattern').fill('https://not a pattern');
    await page.getByLabel('Username').fill(REGISTRY_USER.username);
    await page.getByLabel('Password or token').fill(REGISTRY_USER.password);
    await page.getByRole('button', { name: 'Add entry' }).click();
    await expect(page.getByRole('alert').isVisible()).resolves.toBe(true);
    expect(await page.getByLabel('Password or token').inputValue()).toBe('');
    expect(await page.getByLabel('Username').inputValue()).toBe(REGISTRY_USER.username);

    await page.getByLabel('Pattern').fill(`${registries.auth.host}/your-org-labs/*`);
    await page.getByLabel('Provider').selectOption('generic');
    await page.getByLabel('Password or token').fill(REGISTRY_USER.password);
    await page.getByRole('button', { name: 'Add entry' }).click();
    await page.waitForURL(/\/dev\/console\/registries\?org=your-org&done=added$/);
    const row = page
      .getByRole('row')
      .filter({ hasText: `${registries.auth.host}/your-org-labs/*` });
    await expect(row.textContent()).resolves.toContain('stored (write-only)');
    await screenshot(page, 'registries');

    const accepted = await publish('developer', `${repository}:1.0.0`, 'labs-tool', '1.0.0', 'org');
    expect(accepted.status).toBe(202);
    expect(accepted.body.state).toBe('APPROVED');

    // The failure reason of a rejected publish in the history of its submitter.
    await pushImage(registries.plain, 'your-org/rejected-tool', '1.0.0');
    const doomed = await publish(
      'developer',
      `${registries.plain.host}/your-org/rejected-tool:1.0.0`,
      'rejected-tool',
      '1.0.0',
      'public',
    );
    const superuser = await signIn('superuser');
    await superuser.goto(consoleUrl('/approvals'));
    const doomedRow = superuser.getByRole('row').filter({ hasText: 'rejected-tool@1.0.0' });
    await doomedRow.getByLabel('Reason').fill('needs a licence file');
    await doomedRow.getByRole('button', { name: 'Reject rejected-tool@1.0.0' }).click();
    await superuser.waitForURL(consoleUrl('/approvals?done=rejected'));
    const developer = await signIn('developer');
    await developer.getByRole('link', { name: 'Publish jobs' }).click();
    const history = developer.getByRole('row').filter({ hasText: doomed.body.publishId });
    await expect(history.textContent()).resolves.toContain('needs a licence file');
    await expect(
      developer.getByRole('row').filter({ hasText: 'labs-tool@1.0.0' }).textContent(),
    ).resolves.toContain('APPROVED');
    await screenshot(developer, 'publishes');

    await row.getByRole('button', { name: /^Remove / }).click();
    await page.waitForURL(/done=removed$/);
    expect(await page.locator('main').textContent()).not.toContain('your-org-labs');

    expect(served.length).toBeGreaterThan(10);
    for (const html of served) expect(html).not.toContain(REGISTRY_USER.password);
  });

  it('shows a viewer and a developer a 403 page for admin pages, and no link to them', async () => {
    for (const account of ['viewer', 'developer'] as const) {
      const page = await signIn(account);
      const nav = await page.getByRole('navigation').textContent();
      expect(nav).not.toContain('Registries');
      expect(nav).not.toContain('Approvals');
      for (const path of ['/registries', '/approvals']) {
        const response = await page.goto(consoleUrl(path));
        expect(response?.status()).toBe(403);
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
          'Forbidden',
        );
        await expect(page.getByRole('alert').textContent()).resolves.toMatch(/^Forbidden: only/);
        if (account === 'viewer' && path === '/registries') await screenshot(page, 'forbidden');
      }
    }
    // An admin of one org does not manage another's registries.
    const admin = await signIn('admin');
    expect((await admin.goto(consoleUrl('/registries?org=other-org')))?.status()).toBe(403);
  });

  it('refuses a form posted without its CSRF token, and changes nothing', async () => {
    const page = await signIn('admin');
    await page.goto(consoleUrl('/registries'));
    const pattern = `${registries.plain.host}/csrf-probe/*`;
    await page.getByLabel('Pattern').fill(pattern);
    await page.locator('form[aria-labelledby=add] input[name=csrf_token]').evaluate((input) => {
      input.remove();
    });
    await page.getByRole('button', { name: 'Add entry' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Forbidden');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('CSRF token');
    const entries = await platform.call('dev', routes.listRegistries, {
      token: await apiToken('admin'),
      params: { orgId: 'your-org' },
    });
    expect(entries.body.items.map((entry: { pattern: string }) => entry.pattern)).not.toContain(
      pattern,
    );
    // A token served to another session does not do either.
    const other = await signIn('admin');
    await other.goto(consoleUrl('/registries'));
    const foreignToken = await other.locator('input[name=csrf_token]').first().inputValue();
    await page.goto(consoleUrl('/registries'));
    await page
      .locator('form[aria-labelledby=add] input[name=csrf_token]')
      .evaluate((input, token) => input.setAttribute('value', token), foreignToken);
    await page.getByLabel('Pattern').fill(pattern);
    await page.getByRole('button', { name: 'Add entry' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('CSRF token');
  });

  it('lists the signed-in user’s signing keys and revokes one', async () => {
    const token = await apiToken('developer');
    const registered = await platform.call('dev', routes.registerKey, {
      token,
      body: {
        ...(await keyRegistration(platform, 'dev', { token }, generateKeyPair())),
        name: 'laptop',
      },
    });
    expect(registered.status).toBe(201);
    const { fingerprint } = registered.body as { fingerprint: string };
    const page = await signIn('developer');
    await page.getByRole('link', { name: 'Signing keys' }).click();
    const row = page.getByRole('row').filter({ hasText: fingerprint });
    await expect(row.textContent()).resolves.toContain('laptop');
    await screenshot(page, 'keys');
    await row.getByRole('button', { name: `Revoke ${fingerprint}` }).click();
    await page.waitForURL(consoleUrl('/keys?done=revoked'));
    const keys = await platform.call('dev', routes.listKeys, { token });
    expect(keys.body.items[0]).toMatchObject({ fingerprint, revokedAt: expect.any(String) });
  });

  it('kept the browser on the emulator, with nothing refused by the Content-Security-Policy', () => {
    expect(offLoopback).toEqual([]);
    expect(
      browserMessages.filter((text) => /Content Security Policy|Refused to/i.test(text)),
    ).toEqual([]);
  });
});
