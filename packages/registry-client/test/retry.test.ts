import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, registryEndpoint } from '../src/index.js';
import {
  type Answered,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  retryDelay,
  retrying,
} from '../src/retry.js';

describe('retry policy', () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [200, false],
  ])('status %i retryable: %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('backs off exponentially up to the cap, with jitter in bounds', () => {
    const policy = {
      ...DEFAULT_RETRY_POLICY,
      initialDelayMs: 100,
      factor: 3,
      maxDelayMs: 1_000,
      jitter: 0.2,
    };
    expect(retryDelay(policy, 1, () => 0.5)).toBe(100);
    expect(retryDelay(policy, 2, () => 0.5)).toBe(300);
    expect(retryDelay(policy, 3, () => 0.5)).toBe(900);
    expect(retryDelay(policy, 4, () => 0.5)).toBe(1_000);
    expect(retryDelay(policy, 1, () => 0)).toBe(80);
    expect(retryDelay(policy, 1, () => 1)).toBe(120);
  });

  it('honours Retry-After up to its own cap', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxRetryAfterMs: 10_000 };
    expect(retryDelay(policy, 1, () => 0.5, 7_000)).toBe(7_000);
    expect(retryDelay(policy, 1, () => 0.5, 3_600_000)).toBe(10_000);
  });

  it('gives up on a Retry-After over the cap when the policy says so', () => {
    const policy: RetryPolicy = {
      ...DEFAULT_RETRY_POLICY,
      maxRetryAfterMs: 10_000,
      overlongRetryAfter: 'give-up',
    };
    expect(retryDelay(policy, 1, () => 0.5, 10_000)).toBe(10_000);
    expect(retryDelay(policy, 1, () => 0.5, 10_001)).toBeUndefined();
  });

  it('reads Retry-After against the clock when no time is given', () => {
    const inFiveSeconds = new Date(Date.now() + 5_000).toUTCString();
    expect(parseRetryAfter(inFiveSeconds)).toBeGreaterThan(3_000);
    expect(parseRetryAfter(inFiveSeconds)).toBeLessThanOrEqual(5_000);
  });
});

describe('retrying', () => {
  const answer = (status: number, headers: Record<string, string> = {}): Answered => ({
    status,
    headers: new Headers(headers),
  });

  function run(
    script: (Answered | Error)[],
    options: { idempotent?: boolean; policy?: Partial<RetryPolicy> } = {},
  ) {
    const sleeps: number[] = [];
    const discarded: number[] = [];
    const told: string[] = [];
    let attempts = 0;
    const result = retrying(
      { idempotent: options.idempotent ?? true },
      {
        policy: { ...DEFAULT_RETRY_POLICY, ...options.policy },
        clock: {
          sleep: async (ms) => {
            sleeps.push(ms);
          },
          random: () => 0.5,
          now: () => 0,
        },
        discard: async (discardedAnswer) => {
          discarded.push(discardedAnswer.status);
        },
        onRetry: (retry) =>
          told.push(
            `${retry.attempt}:${'answer' in retry ? retry.answer.status : (retry.error as Error).message}`,
          ),
        giveUp: (error, count) => new Error(`gave up after ${count}: ${(error as Error).message}`),
      },
      async () => {
        const next = script[attempts++];
        if (next instanceof Error) throw next;
        return next ?? answer(200);
      },
    );
    return { result, sleeps, discarded, told, attempts: () => attempts };
  }

  it('repeats what the policy retries, releasing each retried answer, until an answer stands', async () => {
    const { result, sleeps, discarded, told } = run([
      answer(503),
      new Error('reset'),
      answer(429, { 'retry-after': '2' }),
      answer(404),
    ]);
    expect((await result).status).toBe(404);
    expect(sleeps).toEqual([250, 750, 2_000]);
    expect(discarded).toEqual([503, 429]);
    expect(told).toEqual(['1:503', '2:reset', '3:429']);
  });

  it('returns the last answer and throws giveUp when the attempts are spent', async () => {
    const fivexx = run([answer(500), answer(500), answer(500), answer(500), answer(200)]);
    expect((await fivexx.result).status).toBe(500);
    expect(fivexx.attempts()).toBe(4);
    const dropped = run([new Error('reset'), new Error('reset'), new Error('refused')], {
      policy: { attempts: 3 },
    });
    await expect(dropped.result).rejects.toThrow('gave up after 3: refused');
  });

  it('asks the predicates, which see whether the request is idempotent', async () => {
    const unsafe = run([answer(503), answer(200)], { idempotent: false });
    expect((await unsafe.result).status).toBe(503);
    const refused = run([new Error('refused'), answer(200)], {
      idempotent: false,
      policy: { retryFailure: (error) => (error as Error).message === 'refused' },
    });
    expect((await refused.result).status).toBe(200);
    expect(refused.attempts()).toBe(2);
  });

  it('returns an answer whose Retry-After is over the cap of a policy that gives up then', async () => {
    const parked = run([answer(429, { 'retry-after': '3600' }), answer(200)], {
      policy: { overlongRetryAfter: 'give-up' },
    });
    expect((await parked.result).status).toBe(429);
    expect(parked.sleeps).toEqual([]);
    const shortened = run([answer(429, { 'retry-after': '3600' }), answer(200)]);
    expect((await shortened.result).status).toBe(200);
    expect(shortened.sleeps).toEqual([60_000]);
  });
});

describe('registryEndpoint: plain HTTP only for loopback and the insecure list', () => {
  it.each([
    ['127.0.0.1:5000', [], 'http://127.0.0.1:5000'],
    ['localhost:5000', [], 'http://localhost:5000'],
    ['[::1]:5000', [], 'http://[::1]:5000'],
    ['ghcr.io', [], 'https://ghcr.io'],
    ['docker.io', [], 'https://registry-1.docker.io'],
    ['127.0.0.1.evil.com:5000', [], 'https://127.0.0.1.evil.com:5000'],
    ['10.0.0.5:5000', [], 'https://10.0.0.5:5000'],
    ['169.254.169.254', [], 'https://169.254.169.254'],
    ['registry.internal:5000', ['REGISTRY.internal:5000'], 'http://registry.internal:5000'],
    ['registry.internal:5001', ['registry.internal:5000'], 'https://registry.internal:5001'],
  ] as const)('%s with insecure %j → %s', (registry, insecure, origin) => {
    expect(registryEndpoint(registry, insecure).origin).toBe(origin);
  });
});
