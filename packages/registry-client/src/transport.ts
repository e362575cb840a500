// HTTP to a registry: which scheme a registry gets (plain HTTP only for loopback and an
// explicit insecure list), per-attempt timeouts, retries, and bodies read under a size cap.
import { RegistryError } from './errors.js';
import { DOCKER_HUB_REGISTRY, isLoopbackRegistry, normalizeRegistryHost } from './reference.js';
import { type RetryClock, type RetryPolicy, retrying } from './retry.js';

/** The part of `fetch` the client uses; inject one to observe or confine traffic. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface RegistryEndpoint {
  /** The normalized registry, as references name it (`docker.io`, `127.0.0.1:5000`). */
  readonly registry: string;
  /** Where its API lives: `https://ghcr.io`, `http://127.0.0.1:5000`, `https://registry-1.docker.io`. */
  readonly origin: string;
  readonly plainHttp: boolean;
}

/** Docker Hub's references say docker.io; its API answers elsewhere. */
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

/** HTTPS unless the registry is loopback or listed as insecure (entries are normalized first). */
export function registryEndpoint(
  registry: string,
  insecureRegistries: readonly string[] = [],
): RegistryEndpoint {
  const normalized = normalizeRegistryHost(registry);
  const plainHttp =
    isLoopbackRegistry(normalized) ||
    insecureRegistries.some((entry) => normalizeRegistryHost(entry) === normalized);
  const apiHost = normalized === DOCKER_HUB_REGISTRY ? DOCKER_HUB_API_HOST : normalized;
  return {
    registry: normalized,
    origin: `${plainHttp ? 'http' : 'https'}://${apiHost}`,
    plainHttp,
  };
}

export interface HttpOptions extends RetryClock {
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly userAgent: string;
  /** Told before each retry, so a caller can say why it is waiting. */
  readonly onRetry?: ((event: RegistryRetryEvent) => void) | undefined;
  /** Told after each attempt, answered or not (for a request log). */
  readonly onExchange?: ((event: RegistryExchange) => void) | undefined;
}

export interface RegistryExchange {
  readonly method: string;
  /** The whole URL, query included: a log masks what it must. */
  readonly url: string;
  readonly attempt: number;
  /** The HTTP status, or undefined when no answer came (`failure` says why). */
  readonly status: number | undefined;
  readonly failure: string | undefined;
  /** From sending the request to the answer's headers. */
  readonly durationMs: number;
}

export interface RegistryRetryEvent {
  /** The registry's API host, as the request's URL names it. */
  readonly host: string;
  readonly attempt: number;
  readonly delayMs: number;
  /** `HTTP 503`, `connection failed (ECONNRESET)`, `no answer within 30000 ms`. */
  readonly reason: string;
}

export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  /** False for requests that are unsafe to repeat after an ambiguous failure (PATCH). */
  readonly retry: boolean;
}

/** Lets the connection go back to the pool without reading what nobody needs. */
export async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return `connection failed (${code})`;
  if (cause instanceof Error) return `connection failed (${cause.message})`;
  return error instanceof Error ? error.message : 'connection failed';
}

export class HttpTransport {
  constructor(readonly options: HttpOptions) {}

  /**
   * Sends a request, retrying network errors, 408, 429 and 5xx as the policy allows. Returns
   * the last response (which may still be a 5xx); throws `unavailable` when no response came.
   */
  send(request: HttpRequest): Promise<Response> {
    const { fetch, timeoutMs, userAgent } = this.options;
    const host = request.url.host;
    const failure = (error: unknown) => describeNetworkError(error, timeoutMs);
    return retrying(
      { idempotent: request.retry },
      {
        policy: this.options.retry,
        clock: this.options,
        discard: discardBody,
        onRetry: (retry) =>
          this.options.onRetry?.({
            host,
            attempt: retry.attempt,
            delayMs: retry.delayMs,
            reason: 'answer' in retry ? `HTTP ${retry.answer.status}` : failure(retry.error),
          }),
        giveUp: (error, attempts) =>
          new RegistryError(
            'unavailable',
            `${request.method} to ${host} failed${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${failure(error)}`,
          ),
      },
      async (attempt) => {
        const started = process.hrtime.bigint();
        const told = (outcome: Pick<RegistryExchange, 'status' | 'failure'>) =>
          this.options.onExchange?.({
            method: request.method,
            url: request.url.href,
            attempt,
            durationMs: elapsedMs(started),
            ...outcome,
          });
        try {
          const response = await fetch(request.url.href, {
            method: request.method,
            headers: { 'user-agent': userAgent, ...request.headers },
            ...(request.body === undefined ? {} : { body: request.body }),
            redirect: 'manual',
            signal: AbortSignal.timeout(timeoutMs),
          });
          told({ status: response.status, failure: undefined });
          return response;
        } catch (error) {
          told({ status: undefined, failure: failure(error) });
          throw error;
        }
      },
    );
  }
}

/** Reads a body of at most `maxBytes`; a larger one is cut off and refused. */
export async function readBody(
  response: Response,
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  const tooLarge = () =>
    new RegistryError('too_large', `${what} is larger than the ${maxBytes}-byte limit`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await discardBody(response);
    throw tooLarge();
  }
  if (response.body === null) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      total += chunk.value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(chunk.value);
    }
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    const cause = error instanceof Error ? error.name : 'error';
    throw new RegistryError(
      'unavailable',
      `reading ${what} failed: the connection broke or timed out (${cause})`,
    );
  }
  return Buffer.concat(chunks);
}

/**
 * Milliseconds since a `process.hrtime.bigint()`: the global `performance` is made on first read,
 * loading perf_hooks' internals (~1 ms on Node 24) for one subtraction.
 */
function elapsedMs(started: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - started) / 1e6);
}
