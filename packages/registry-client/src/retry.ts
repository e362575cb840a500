// When to try a registry request again and how long to wait: network errors, 408, 429 and
// 5xx are retried with exponential backoff and jitter; a Retry-After header wins.

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly factor: number;
  readonly maxDelayMs: number;
  /** Each delay is scaled by a random factor in [1 - jitter, 1 + jitter]. */
  readonly jitter: number;
  /** A longer Retry-After is cut to this, so a registry cannot park a caller for hours. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  initialDelayMs: 250,
  factor: 3,
  maxDelayMs: 8_000,
  jitter: 0.2,
  maxRetryAfterMs: 60_000,
});

/** 408, 429 and every 5xx; other statuses are answers, not accidents. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** Milliseconds a Retry-After value asks for (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * The wait before retry number `retry` (1 for the first retry). A Retry-After the registry
 * sent is honoured as is, up to maxRetryAfterMs; otherwise exponential backoff with jitter.
 */
export function retryDelay(
  policy: RetryPolicy,
  retry: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const base = Math.min(policy.initialDelayMs * policy.factor ** (retry - 1), policy.maxDelayMs);
  const scale = 1 - policy.jitter + 2 * policy.jitter * random();
  return Math.round(base * scale);
}
