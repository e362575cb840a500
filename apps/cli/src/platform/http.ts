// One HTTP exchange with the platform, retried the way SPEC §8 says: a new X-Request-Id per
// attempt; backoff with jitter on network errors, 429 (honouring Retry-After) and the transient
// 5xx (500, 502, 503, 504; not 507 Insufficient Storage: a full disk does not clear in seconds);
// never on 4xx other than 408 and 429; and only for requests that are safe to repeat. The retry
// loop and its policy type are the registry client's (zod-free subpath, cheap at start-up); the
// policy values here are the platform's.
import { randomUUID } from 'node:crypto';
import { type Repeatable, type RetryPolicy, retrying } from '@hla-compass/registry-client/retry';

export interface HttpRequest extends Repeatable {
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

const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Four attempts. Each wait is between half and all of 400 ms·2^(n-1) capped at 8 s ("equal
 * jitter": 200–400 ms, 400–800 ms, 800–1600 ms), which the shared policy writes as its centre,
 * 300 ms·2^(n-1) capped at 6 s, give or take a third. A request that is not idempotent goes
 * again only on 429 or a refused connection; a Retry-After over a minute ends the retries.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 4,
  initialDelayMs: 300,
  factor: 2,
  maxDelayMs: 6_000,
  jitter: 1 / 3,
  retryStatus: (status, request) =>
    RETRIED_STATUSES.has(status) && (request.idempotent || status === 429),
  // Only a failed exchange (a body that breaks off midway is not one) is tried again.
  retryFailure: (error, request) =>
    error instanceof NetworkError && (request.idempotent || neverSent(error)),
  maxRetryAfterMs: 60_000,
  overlongRetryAfter: 'give-up',
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
  /** Why, in a few words: `connection refused`, `timed out`, … */
  readonly failure: string;

  constructor(url: string, requestId: string, cause: unknown) {
    const failure = describeNetworkFailure(cause);
    super(`cannot reach ${new URL(url).origin}: ${failure}`, { cause });
    this.name = 'NetworkError';
    this.url = url;
    this.requestId = requestId;
    this.failure = failure;
  }
}

export function send(request: HttpRequest, options: HttpOptions): Promise<HttpResponse> {
  return retrying<HttpResponse>(
    request,
    {
      policy: options.retry ?? DEFAULT_RETRY_POLICY,
      clock: {
        sleep: options.sleep ?? ((ms: number) => new Promise((done) => setTimeout(done, ms))),
        random: options.random ?? Math.random,
        now: Date.now,
      },
      onRetry: (retry) =>
        options.onRetry?.({
          attempt: retry.attempt,
          delayMs: retry.delayMs,
          ...('answer' in retry
            ? { reason: `HTTP ${retry.answer.status}`, requestId: retry.answer.requestId }
            : {
                reason: (retry.error as NetworkError).failure,
                requestId: (retry.error as NetworkError).requestId,
              }),
        }),
    },
    (attempt) => exchange(request, options, attempt),
  );
}

/** One attempt: the answer with its body read, or a NetworkError when none came. */
async function exchange(
  request: HttpRequest,
  options: HttpOptions,
  attempt: number,
): Promise<HttpResponse> {
  const requestId = randomUUID();
  const started = process.hrtime.bigint();
  const told = (outcome: Pick<ExchangeEvent, 'status' | 'failure' | 'requestId'>) =>
    options.onExchange?.({
      method: request.method,
      url: loggableUrl(request.url),
      attempt,
      // hrtime, not the global `performance`: reading that loads perf_hooks (~1 ms on Node 24).
      durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
      ...outcome,
    });
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(request.url, {
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
    const failure = new NetworkError(request.url, requestId, error);
    told({ status: undefined, failure: failure.failure, requestId });
    throw failure;
  }
  const answer: HttpResponse = {
    status: response.status,
    headers: response.headers,
    text: await response.text(),
    requestId: response.headers.get('x-request-id') ?? requestId,
    attempts: attempt,
  };
  told({ status: answer.status, failure: undefined, requestId: answer.requestId });
  return answer;
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

/**
 * One line per attempt: `GET https://…/v1/auth/me → 200 in 41 ms (request id …)`; a registry's
 * exchanges have no request id: `HEAD http://…/v2/…/manifests/1.0.0 → 200 in 3 ms`.
 */
export function describeExchange(
  event: Omit<ExchangeEvent, 'requestId'> & { readonly requestId?: string },
): string {
  const outcome =
    event.status === undefined ? `failed (${event.failure ?? 'no answer'})` : `${event.status}`;
  const notes = [
    ...(event.requestId === undefined ? [] : [`request id ${event.requestId}`]),
    ...(event.attempt > 1 ? [`attempt ${event.attempt}`] : []),
  ];
  const noted = notes.length > 0 ? ` (${notes.join(', ')})` : '';
  return `${event.method} ${event.url} → ${outcome} in ${event.durationMs} ms${noted}`;
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

/** A refused connection never reached the server, so even a non-idempotent request may go again. */
function neverSent(error: NetworkError): boolean {
  return networkCode(error.cause) === 'ECONNREFUSED';
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
