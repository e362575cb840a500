import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, registryEndpoint } from '../src/index.js';
import { isRetryableStatus, parseRetryAfter, retryDelay } from '../src/retry.js';

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
