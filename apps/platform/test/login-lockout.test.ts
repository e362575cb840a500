import { request } from 'node:http';
import { PlatformError } from '@hla-compass/platform-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginRateLimiter } from '../src/services/login-rate-limit.js';
import { ACCOUNTS, startTestPlatform, type TestPlatform } from './support/platform.js';

let platform: TestPlatform;
/** The emulator's clock, moved by the test: the lockout ends without waiting. */
let now = Date.UTC(2030, 0, 1);

beforeAll(async () => {
  // The start-up defaults: 10 failures per address and email a minute, the account lockout.
  platform = await startTestPlatform({ now: () => now });
});

afterAll(() => platform?.stop());

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/** A request whose TCP connection comes from `localAddress` (any of 127.0.0.0/8 on Linux). */
function send(
  localAddress: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const url = new URL(`${platform.url}${path}`);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? 'GET',
        localAddress,
        headers: options.headers,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: response.headers['retry-after'],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const login = (localAddress: string, email: string, password: string) =>
  send(localAddress, '/dev/v1/auth/login', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      // Ignored: the limit counts the socket's address, never what a client claims.
      'x-forwarded-for': '10.9.8.7',
    },
    body: JSON.stringify({ email, password }),
  });

/** Signs in through the console form (the Python SDK's link), from `localAddress`. */
async function consoleSignIn(localAddress: string, email: string, password: string) {
  const link = new URLSearchParams({
    redirect_uri: 'http://127.0.0.1:53683/cli-callback',
    state: 'lockout-state',
  });
  const page = await send(localAddress, `/dev/cli-login?${link}`);
  expect(page.status).toBe(200);
  const fields = Object.fromEntries(
    [...page.body.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map(
      ([, name, value]) => [name as string, (value as string).replaceAll('&amp;', '&')],
    ),
  );
  return send(localAddress, '/dev/cli-login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: platform.url },
    body: new URLSearchParams({ ...fields, email, password }).toString(),
  });
}

const ATTACKERS = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];

describe('the per-account sign-in lockout', () => {
  it('locks an account guessed at from five addresses, for every address, then lets its owner in', async () => {
    const { email, password } = ACCOUNTS.developer;
    const statuses: number[] = [];
    for (let round = 0; round < 10; round++) {
      for (const address of ATTACKERS) {
        statuses.push((await login(address, email, `wrong-${round}`)).status);
        now += 200;
      }
    }
    // No address reaches its own limit (10 per minute): only the account's can stop this.
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status === 401).length).toBeLessThan(50);

    const owner = await login('127.0.0.7', email, password);
    expect(owner.status).toBe(429);
    expect(JSON.parse(owner.body).code).toBe('RATE_LIMITED');
    const wait = Number(owner.retryAfter);
    expect(wait).toBeGreaterThan(0);
    const form = await consoleSignIn('127.0.0.7', email, password);
    expect([form.status, form.retryAfter]).toEqual([429, owner.retryAfter]);

    now += wait * 1000;
    expect((await login('127.0.0.7', email, password)).status).toBe(200);
    expect((await consoleSignIn('127.0.0.7', email, password)).status).toBe(302);
  });
});

describe('LoginRateLimiter: the account lockout', () => {
  const limit = {
    attempts: 10,
    windowSeconds: 60,
    account: { attempts: 20, lockoutSeconds: 30, maxLockoutSeconds: 300, forgetSeconds: 900 },
  };

  /** Fails 20 times from 20 addresses (so no per-address limit applies); the Retry-After then. */
  function lockOut(limiter: LoginRateLimiter, clock: { now: number }): number {
    for (let attempt = 0; attempt < 20; attempt++) {
      limiter.check(`127.0.1.${attempt}`, 'victim@your-org.test');
      limiter.recordFailure(`127.0.1.${attempt}`, 'victim@your-org.test');
      clock.now += 100;
    }
    try {
      limiter.check('127.0.2.1', 'VICTIM@your-org.test');
    } catch (error) {
      expect(error).toBeInstanceOf(PlatformError);
      const { code, retryAfter } = error as PlatformError;
      expect(code).toBe('RATE_LIMITED');
      return retryAfter ?? Number.NaN;
    }
    throw new Error('the account was not locked');
  }

  it('doubles each lockout, caps it, and starts again after a quiet spell', () => {
    const clock = { now: Date.UTC(2030, 0, 1) };
    const limiter = new LoginRateLimiter(limit, () => clock.now);
    const lockouts: number[] = [];
    for (let round = 0; round < 6; round++) {
      const seconds = lockOut(limiter, clock);
      lockouts.push(seconds);
      clock.now += seconds * 1000;
      expect(() => limiter.check('127.0.2.1', 'victim@your-org.test')).not.toThrow();
    }
    expect(lockouts).toEqual([30, 60, 120, 240, 300, 300]);
    clock.now += 901_000;
    expect(lockOut(limiter, clock)).toBe(30);
  });

  it('leaves other accounts alone', () => {
    const clock = { now: Date.UTC(2030, 0, 1) };
    const limiter = new LoginRateLimiter(limit, () => clock.now);
    lockOut(limiter, clock);
    expect(() => limiter.check('127.0.1.1', 'owner@your-org.test')).not.toThrow();
  });
});
