// One HTTP exchange with the platform, retried the way SPEC §8 says: a new X-Request-Id per
// attempt; backoff with jitter on network errors, 429 (honouring Retry-After) and the transient
// 5xx (500, 502, 503, 504; not 507 Insufficient Storage: a full disk does not clear in seconds);
// never on 4xx other than 408 and 429; and only for requests that are safe to repeat.
import { randomUUID } from 'node:crypto';

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
  /**
   * Whether sending the request twice is harmless (GET, DELETE, a POST with an Idempotency-Key).
   * Other requests are retried only when they provably never reached the server.
   */
  readonly idempotent: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The id of the attempt that produced this response (the server's echo, else ours). */
  readonly requestId: string;
  readonly attempts: number;
}

export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** The longest Retry-After we wait for; a longer one ends the retries. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 400,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

export interface HttpOptions {
  readonly timeoutMs: number;
  readonly retry?: RetryPolicy;
  readonly userAgent: string;
  /** Default: the global fetch. The CLI passes leanFetch, which starts much faster. */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Told before each retry, so the CLI can say why it is waiting. */
  readonly onRetry?: (event: RetryEvent) => void;
  /** Told after each attempt, answered or failed (`--verbose` logs them: see withRequestLog). */
  readonly onExchange?: (event: ExchangeEvent) => void;
}

export interface ExchangeEvent {
  readonly method: string;
  /** The URL without userinfo, and with the values of secret-looking query parameters masked. */
  readonly url: string;
  readonly attempt: number;
  /** The HTTP status, or undefined when no answer came (`failure` says why). */
  readonly status: number | undefined;
  readonly failure: string | undefined;
  /** The server's X-Request-Id echo, else the one this attempt sent. */
  readonly requestId: string;
  /** From sending the request to the end of the answer's body. */
  readonly durationMs: number;
}

export interface RetryEvent {
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
  readonly requestId: string;
}

/** The platform could not be reached at all (after the retries). */
export class NetworkError extends Error {
  readonly url: string;
  readonly requestId: string;

  constructor(url: string, requestId: string, cause: unknown) {
    super(`cannot reach ${new URL(url).origin}: ${describeNetworkFailure(cause)}`, { cause });
    this.name = 'NetworkError';
    this.url = url;
    this.requestId = requestId;
  }
}

const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export async function send(request: HttpRequest, options: HttpOptions): Promise<HttpResponse> {
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const fetchImpl = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise((done) => setTimeout(done, ms)));
  const random = options.random ?? Math.random;

  for (let attempt = 1; ; attempt++) {
    const requestId = randomUUID();
    const last = attempt >= policy.attempts;
    const started = performance.now();
    const told = (outcome: Pick<ExchangeEvent, 'status' | 'failure' | 'requestId'>) =>
      options.onExchange?.({
        method: request.method,
        url: loggableUrl(request.url),
        attempt,
        durationMs: Math.round(performance.now() - started),
        ...outcome,
      });
    let response: Response;
    try {
      response = await fetchImpl(request.url, {
        method: request.method,
        headers: {
          accept: 'application/json',
          'user-agent': options.userAgent,
          'x-request-id': requestId,
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        body: request.body,
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      told({ status: undefined, failure: describeNetworkFailure(error), requestId });
      if (last || !(request.idempotent || neverSent(error))) {
        throw new NetworkError(request.url, requestId, error);
      }
      const delayMs = backoff(attempt, policy, random);
      options.onRetry?.({ attempt, delayMs, reason: describeNetworkFailure(error), requestId });
      await sleep(delayMs);
      continue;
    }

    const answer: HttpResponse = {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      requestId: response.headers.get('x-request-id') ?? requestId,
      attempts: attempt,
    };
    told({ status: answer.status, failure: undefined, requestId: answer.requestId });
    const retryable =
      RETRIED_STATUSES.has(response.status) && (request.idempotent || response.status === 429);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    if (!retryable || last || (retryAfterMs ?? 0) > policy.maxRetryAfterMs) return answer;
    const delayMs = retryAfterMs ?? backoff(attempt, policy, random);
    options.onRetry?.({
      attempt,
      delayMs,
      reason: `HTTP ${response.status}`,
      requestId: answer.requestId,
    });
    await sleep(delayMs);
  }
}

/** Query parameters whose values are never logged. */
const SECRET_PARAMETER = /token|key|secret|password|passwd|code|signature|credential|auth|session/i;

/** A URL as a log may show it: no userinfo, secret-looking query values masked. */
export function loggableUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMETER.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.toString();
}

/** One line per attempt: `GET https://…/v1/auth/me → 200 in 41 ms (request id …)`. */
export function describeExchange(event: ExchangeEvent): string {
  const outcome =
    event.status === undefined ? `failed (${event.failure ?? 'no answer'})` : `${event.status}`;
  const attempt = event.attempt > 1 ? `, attempt ${event.attempt}` : '';
  return `${event.method} ${event.url} → ${outcome} in ${event.durationMs} ms (request id ${event.requestId}${attempt})`;
}

/** The options with each attempt logged at debug level, which the logger shows under --verbose. */
export function withRequestLog(
  options: HttpOptions,
  logger: { readonly verbose: boolean; debug(message: string): void },
): HttpOptions {
  if (!logger.verbose) return options;
  return {
    ...options,
    onExchange: (event) => {
      options.onExchange?.(event);
      logger.debug(describeExchange(event));
    },
  };
}

/** Exponential backoff with full jitter: a random wait up to base·2^(attempt-1), capped. */
function backoff(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3), in milliseconds. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A refused connection never reached the server, so even a non-idempotent request may go again. */
function neverSent(error: unknown): boolean {
  return networkCode(error) === 'ECONNREFUSED';
}

function networkCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (error instanceof Error && error.name === 'TimeoutError') return 'ETIMEDOUT';
  return undefined;
}

function describeNetworkFailure(error: unknown): string {
  const code = networkCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'timed out';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    default: {
      // undici wraps the real reason ("bad port", a TLS failure…) as the cause of "fetch failed".
      const cause = (error as { cause?: unknown } | undefined)?.cause;
      if (code) return code;
      if (cause instanceof Error) return cause.message;
      return error instanceof Error ? error.message : String(error);
    }
  }
}
