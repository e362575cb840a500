// What a web page open in the user's browser can make that browser send to the emulator on
// loopback: simple cross-origin requests (text/plain, no preflight), requests under a rebound DNS
// name (a foreign Host), and a forged console sign-in. All refused; the CLI's requests are not.
import { request } from 'node:http';
import { routes } from '@hla-compass/platform-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOwnAuthority, isOwnOrigin } from '../src/http/same-origin.js';
import { type BinProcess, runBin, startBin } from './support/bin.js';
import { ACCOUNTS, defaultSeed, startTestPlatform, type TestPlatform } from './support/platform.js';

let platform: TestPlatform;
let port: number;

beforeAll(async () => {
  platform = await startTestPlatform();
  port = platform.running.port;
});

afterAll(() => platform.stop());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** An HTTP request with exactly the headers given, Host included (fetch cannot set Host). */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => {
          text += chunk;
        });
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function envelope(answer: Answer): { code: string; message: string; requestId: string } {
  expect(answer.headers['content-type']).toContain('application/json');
  const body = JSON.parse(answer.text) as { code: string; message: string; requestId: string };
  expect(body.requestId).toBe(answer.headers['x-request-id']);
  return body;
}

const ATTACKER_KEY = 'hlc_ak_test-only-planted-superuser';
/** What a hostile page would seed: its own superuser, and prod without signatures. */
const hostileSeed = JSON.stringify({
  ...defaultSeed,
  environments: {
    ...(defaultSeed as unknown as { environments: Record<string, object> }).environments,
    prod: { requireSignature: false, publicScopeRequiresApproval: false },
  },
  users: [
    ...defaultSeed.users,
    {
      email: 'planted@platform.test',
      name: 'Planted',
      org: 'platform',
      roles: ['developer'],
      superuser: true,
      apiKey: ATTACKER_KEY,
    },
  ],
});

async function prodRequiresSignature(): Promise<boolean> {
  const config = await platform.call('prod', routes.publishConfig, {
    apiKey: ACCOUNTS.developer.apiKey,
  });
  expect(config.status).toBe(200);
  return config.body.requireSignature as boolean;
}

async function plantedUserWorks(): Promise<boolean> {
  const me = await platform.call('prod', routes.me, { apiKey: ATTACKER_KEY });
  return me.status === 200;
}

const control = () => ({
  'content-type': 'application/json',
  'x-emulator-token': platform.running.controlToken,
});

describe('the /_emulator routes against a web page', () => {
  it('refuse a cross-origin text/plain seed (no preflight) with 403 FORBIDDEN, and change nothing', async () => {
    const answer = await send(
      'POST',
      '/_emulator/seed',
      { origin: 'http://evil.example', 'content-type': 'text/plain;charset=UTF-8' },
      hostileSeed,
    );
    expect(answer.status).toBe(403);
    const body = envelope(answer);
    expect(body.code).toBe('FORBIDDEN');
    expect(body.message).toContain('another origin');
    expect(await prodRequiresSignature()).toBe(true);
    expect(await plantedUserWorks()).toBe(false);
  });

  it('refuse a cross-origin reset, and the data stays', async () => {
    const seeded = await platform.control('seed?env=prod', JSON.parse(hostileSeed));
    expect(seeded.status).toBe(200);
    expect(await plantedUserWorks()).toBe(true);
    const answer = await send('POST', '/_emulator/reset', {
      origin: 'http://evil.example',
      'content-type': 'text/plain',
    });
    expect([answer.status, envelope(answer).code]).toEqual([403, 'FORBIDDEN']);
    expect(await plantedUserWorks()).toBe(true);
    expect((await platform.control('reset')).status).toBe(200);
    expect(await plantedUserWorks()).toBe(false);
  });

  it('refuse a foreign Host (DNS rebinding) even with the token and JSON', async () => {
    for (const host of [`rebind.evil.example:${port}`, `localhost.evil.example:${port}`]) {
      const answer = await send('POST', '/_emulator/seed', { ...control(), host }, hostileSeed);
      expect(answer.status, host).toBe(403);
      const body = envelope(answer);
      expect(body.code).toBe('FORBIDDEN');
      expect(body.message).toContain('DNS rebinding');
    }
    expect(await plantedUserWorks()).toBe(false);
  });

  it('refuse a same-origin request without the control token, or with a wrong one', async () => {
    for (const token of [undefined, 'hlc_emu_wrong-token-0123456789abcdefghijkl', '']) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token !== undefined) headers['x-emulator-token'] = token;
      const answer = await send('POST', '/_emulator/seed', headers, hostileSeed);
      expect(answer.status, String(token)).toBe(403);
      const body = envelope(answer);
      expect(body.code).toBe('FORBIDDEN');
      expect(body.message).toContain('X-Emulator-Token');
      // The refusal never echoes the token it wanted.
      expect(answer.text).not.toContain(platform.running.controlToken);
    }
    expect(await plantedUserWorks()).toBe(false);
  });

  it('refuse a body that is not declared as JSON, even with the token', async () => {
    const answer = await send(
      'POST',
      '/_emulator/seed',
      { ...control(), 'content-type': 'text/plain' },
      hostileSeed,
    );
    expect([answer.status, envelope(answer).code]).toEqual([400, 'INVALID_REQUEST']);
    expect(await plantedUserWorks()).toBe(false);
  });

  it('do what they are asked with the token, JSON and a loopback Host', async () => {
    const answer = await send('POST', '/_emulator/seed?env=prod', control(), hostileSeed);
    expect([answer.status, JSON.parse(answer.text)]).toEqual([200, { seeded: ['prod'] }]);
    expect(await plantedUserWorks()).toBe(true);
    expect(await prodRequiresSignature()).toBe(false);
    const reset = await send('POST', '/_emulator/reset', {
      ...control(),
      host: `localhost:${port}`,
    });
    expect(reset.status).toBe(200);
    expect(await plantedUserWorks()).toBe(false);
    expect(await prodRequiresSignature()).toBe(true);
  });
});

describe('the /<env>/v1 API against a web page', () => {
  const login = JSON.stringify({
    email: ACCOUNTS.developer.email,
    password: ACCOUNTS.developer.password,
  });

  it('refuses a cross-origin or opaque-origin request with 403 FORBIDDEN', async () => {
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${port + 1}`]) {
      const answer = await send(
        'POST',
        '/dev/v1/auth/login',
        { origin, 'content-type': 'text/plain' },
        login,
      );
      expect([answer.status, envelope(answer).code], origin).toEqual([403, 'FORBIDDEN']);
    }
  });

  it('refuses a foreign Host with 403 FORBIDDEN, reads included', async () => {
    for (const [method, path] of [
      ['POST', '/dev/v1/auth/login'],
      ['GET', '/dev/v1/auth/me'],
    ] as const) {
      const answer = await send(
        method,
        path,
        { host: `attacker.example:${port}`, 'content-type': 'application/json' },
        method === 'POST' ? login : undefined,
      );
      expect([answer.status, envelope(answer).code], path).toEqual([403, 'FORBIDDEN']);
    }
  });

  it('answers the CLI-shaped request (no Origin, loopback Host), and its own origin', async () => {
    const shapes: Record<string, string>[] = [
      {},
      { host: `localhost:${port}` },
      { origin: `http://127.0.0.1:${port}` },
    ];
    for (const headers of shapes) {
      const answer = await send(
        'POST',
        '/dev/v1/auth/login',
        { 'content-type': 'application/json', ...headers },
        login,
      );
      expect(answer.status, JSON.stringify(headers)).toBe(200);
      expect(JSON.parse(answer.text)).toHaveProperty('accessToken');
    }
  });
});

describe('the console sign-in form against a forged post', () => {
  const link = { redirect_uri: 'http://127.0.0.1:53690/cli-callback', state: 'csrf-state' };
  const loginPath = `/dev/cli-login?${new URLSearchParams(link)}`;

  async function servedFields(): Promise<Record<string, string>> {
    const page = await send('GET', loginPath, {});
    expect(page.status).toBe(200);
    return Object.fromEntries(
      [...page.text.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map(
        ([, name, value]) => [name as string, value as string],
      ),
    );
  }

  const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    send(
      'POST',
      '/dev/cli-login',
      {
        'content-type': 'application/x-www-form-urlencoded',
        origin: `http://127.0.0.1:${port}`,
        ...headers,
      },
      new URLSearchParams({
        ...fields,
        email: ACCOUNTS.developer.email,
        password: ACCOUNTS.developer.password,
      }).toString(),
    );

  it('serves a CSRF token in a hidden field', async () => {
    expect((await servedFields()).csrf_token).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a post without the CSRF token, with a wrong one, or one served for another sign-in', async () => {
    const { csrf_token: served, ...fields } = await servedFields();
    const [issuedAt] = (served ?? '').split('.');
    for (const token of [
      undefined,
      '',
      `${issuedAt}.${'A'.repeat(43)}`,
      // Its MAC under another issue time (one millisecond later: Date.now() may still be the same).
      `${Number(issuedAt) + 1}.${(served ?? '').split('.')[1]}`,
    ]) {
      const answer = await post(token === undefined ? fields : { ...fields, csrf_token: token });
      expect(answer.status, String(token)).toBe(403);
      expect(answer.headers.location).toBeUndefined();
      expect(answer.text).toContain('CSRF token');
    }
    const otherState = await post({ ...fields, state: 'another-state', csrf_token: served ?? '' });
    expect(otherState.status).toBe(403);
  });

  it('refuses a cross-origin post even with a served token', async () => {
    const answer = await post(await servedFields(), { origin: 'http://evil.example' });
    expect([answer.status, envelope(answer).code]).toEqual([403, 'FORBIDDEN']);
  });

  it('redirects to the CLI for the form as served, posted from its own origin', async () => {
    const answer = await post(await servedFields());
    expect(answer.status).toBe(302);
    expect(String(answer.headers.location)).toMatch(/^http:\/\/127\.0\.0\.1:53690\/cli-callback\?/);
  });
});

describe('what counts as the emulator’s own Host and Origin', () => {
  const self = new URL('http://127.0.0.1:4100');

  it('accepts loopback names and addresses with its port', () => {
    for (const host of ['127.0.0.1:4100', 'localhost:4100', 'LOCALHOST:4100', '[::1]:4100']) {
      expect(isOwnAuthority(host, self), host).toBe(true);
    }
    expect(isOwnOrigin('http://localhost:4100', self)).toBe(true);
  });

  it('refuses other names, ports, userinfo, paths, schemes and null', () => {
    for (const host of [
      'evil.example:4100',
      '127.0.0.1.evil.example:4100',
      '127.0.0.1:4101',
      '127.0.0.1',
      'user@127.0.0.1:4100',
      '127.0.0.1:4100/x',
      '',
    ]) {
      expect(isOwnAuthority(host, self), host).toBe(false);
    }
    for (const origin of ['null', 'https://127.0.0.1:4100', 'http://127.0.0.1:4100/', 'x']) {
      expect(isOwnOrigin(origin, self), origin).toBe(false);
    }
  });

  it('accepts the address it was told to listen on, never a wildcard as a name', () => {
    expect(isOwnAuthority('192.0.2.7:4100', new URL('http://192.0.2.7:4100'))).toBe(true);
    expect(isOwnAuthority('0.0.0.0:4100', new URL('http://0.0.0.0:4100'))).toBe(false);
  });
});

describe('the control token of the bin', () => {
  const reset = (bin: BinProcess, token: string) =>
    fetch(`${bin.url}/_emulator/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-emulator-token': token },
    });
  const stop = async (bin: BinProcess) => {
    bin.child.kill('SIGTERM');
    expect(await bin.exited).toBe(0);
  };

  it('is new at every start, printed in the banner with a curl line, and works', async () => {
    const first = await startBin(['--memory', '--port', '0', '--registry', 'none']);
    const second = await startBin(['--memory', '--port', '0', '--registry', 'none']);
    expect(first.controlToken).toMatch(/^hlc_emu_[A-Za-z0-9_-]{43}$/);
    expect(second.controlToken).not.toBe(first.controlToken);
    expect(first.output()).toContain(
      `-H 'X-Emulator-Token: ${first.controlToken}' ${first.url}/_emulator/reset`,
    );
    expect((await reset(first, first.controlToken)).status).toBe(200);
    expect((await reset(first, second.controlToken)).status).toBe(403);
    await Promise.all([stop(first), stop(second)]);
  });

  it('is the one HLA_COMPASS_EMULATOR_TOKEN gives, and a malformed one is exit 1', async () => {
    const chosen = 'ci-chosen-control-token-0123456789abcdef';
    const bin = await startBin(['--memory', '--port', '0', '--registry', 'none'], {
      HLA_COMPASS_EMULATOR_TOKEN: chosen,
    });
    expect(bin.controlToken).toBe(chosen);
    expect((await reset(bin, chosen)).status).toBe(200);
    await stop(bin);
    const short = await runBin(['start', '--memory', '--port', '0', '--registry', 'none'], {
      HLA_COMPASS_EMULATOR_TOKEN: 'too short',
    });
    expect(short.code).toBe(1);
    expect(short.output).toContain('HLA_COMPASS_EMULATOR_TOKEN must be 32 to 256 characters');
  });
});
