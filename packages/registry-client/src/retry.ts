// When to send a request again and how long to wait, for this package's registry transport and
// the CLI's platform client alike: one policy type, one backoff, one Retry-After reader and one
// loop (`retrying`) around a single attempt, as go-containerregistry wraps a round trip in its
// retry transport. Each caller keeps its own policy values. Dependency-free, so the CLI loads it
// at start-up through `@hla-compass/registry-client/retry` without the rest of the package.

/** What the loop needs to know of a request. */
export interface Repeatable {
  /**
   * Whether sending it twice is harmless. A request that is not (a PATCH of an upload, a POST
   * without an Idempotency-Key) goes again only when its policy's predicates say so.
   */
  readonly idempotent: boolean;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The wait before retry n: initialDelayMs·factor^(n-1), capped at maxDelayMs, then jittered. */
  readonly initialDelayMs: number;
  readonly factor: number;
  readonly maxDelayMs: number;
  /** Each wait is scaled by a random factor in [1 - jitter, 1 + jitter]. */
  readonly jitter: number;
  /** Whether an answer with this status is worth another attempt of the request. */
  readonly retryStatus: (status: number, request: Repeatable) => boolean;
  /** Whether a request that got no answer (`error` is what its attempt threw) may go again. */
  readonly retryFailure: (error: unknown, request: Repeatable) => boolean;
  /** The longest Retry-After waited for as asked. */
  readonly maxRetryAfterMs: number;
  /**
   * What a longer Retry-After does: `give-up` returns that answer, `shorten` waits
   * maxRetryAfterMs instead (so a registry cannot park a caller for hours either way).
   */
  readonly overlongRetryAfter: 'give-up' | 'shorten';
}

/** 408, 429 and every 5xx; other statuses are answers, not accidents. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** The registry client's: every retryable status and network error, unless the request is unsafe to repeat. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  attempts: 4,
  initialDelayMs: 250,
  factor: 3,
  maxDelayMs: 8_000,
  jitter: 0.2,
  retryStatus: (status: number, request: Repeatable) =>
    request.idempotent && isRetryableStatus(status),
  retryFailure: (_error: unknown, request: Repeatable) => request.idempotent,
  maxRetryAfterMs: 60_000,
  overlongRetryAfter: 'shorten',
});

/** Milliseconds a Retry-After value asks for (delta-seconds or an HTTP date, RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Exponential backoff with jitter: the wait before retry number `retry` (1 for the first). */
export function backoff(policy: RetryPolicy, retry: number, random: () => number): number {
  const base = Math.min(policy.initialDelayMs * policy.factor ** (retry - 1), policy.maxDelayMs);
  const scale = 1 - policy.jitter + 2 * policy.jitter * random();
  return Math.round(base * scale);
}

/**
 * The wait before retry number `retry` after an answer: the Retry-After the server sent, else
 * the backoff. Undefined when the Retry-After is over the cap and the policy gives up then.
 */
export function retryDelay(
  policy: RetryPolicy,
  retry: number,
  random: () => number,
  retryAfterMs?: number,
): number | undefined {
  if (retryAfterMs === undefined) return backoff(policy, retry, random);
  if (retryAfterMs <= policy.maxRetryAfterMs) return retryAfterMs;
  return policy.overlongRetryAfter === 'shorten' ? policy.maxRetryAfterMs : undefined;
}

/** Where the loop's waits and randomness come from; tests pass their own. */
export interface RetryClock {
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
}

/** What the loop reads of an answer. */
export interface Answered {
  readonly status: number;
  readonly headers: Headers;
}

/** An attempt about to be repeated: its answer, or the error it threw when no answer came. */
export type Retry<A> = { readonly attempt: number; readonly delayMs: number } & (
  | { readonly answer: A }
  | { readonly error: unknown }
);

export interface RetryingOptions<A> {
  readonly policy: RetryPolicy;
  readonly clock: RetryClock;
  /** Told before each wait. */
  readonly onRetry?: ((retry: Retry<A>) => void) | undefined;
  /** Given each answer that is retried instead of returned (to release its connection). */
  readonly discard?: (answer: A) => Promise<void>;
  /** What to throw when the last attempt got no answer; default: what it threw. */
  readonly giveUp?: (error: unknown, attempts: number) => unknown;
}

/**
 * Runs `attempt` (numbered from 1) until its answer is not worth repeating or the policy's
 * attempts are spent. Returns the last answer, which may still be a 5xx; throws (see giveUp)
 * when the last attempt got no answer.
 */
export async function retrying<A extends Answered>(
  request: Repeatable,
  options: RetryingOptions<A>,
  attempt: (number: number) => Promise<A>,
): Promise<A> {
  const { policy, clock } = options;
  for (let number = 1; ; number++) {
    const last = number >= policy.attempts;
    let answer: A;
    try {
      answer = await attempt(number);
    } catch (error) {
      if (last || !policy.retryFailure(error, request)) {
        throw options.giveUp === undefined ? error : options.giveUp(error, number);
      }
      const delayMs = backoff(policy, number, clock.random);
      options.onRetry?.({ attempt: number, delayMs, error });
      await clock.sleep(delayMs);
      continue;
    }
    if (last || !policy.retryStatus(answer.status, request)) return answer;
    const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'), clock.now());
    const delayMs = retryDelay(policy, number, clock.random, retryAfterMs);
    if (delayMs === undefined) return answer;
    await options.discard?.(answer);
    options.onRetry?.({ attempt: number, delayMs, answer });
    await clock.sleep(delayMs);
  }
}
