// HTTP to a registry: which scheme a registry gets (plain HTTP only for loopback and an
// explicit insecure list), per-attempt timeouts, retries, and bodies read under a size cap.
import { RegistryError } from './errors.js';
import { DOCKER_HUB_REGISTRY, isLoopbackRegistry, normalizeRegistryHost } from './reference.js';
import { isRetryableStatus, parseRetryAfter, type RetryPolicy, retryDelay } from './retry.js';

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

export interface HttpOptions {
  readonly fetch: FetchLike;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly random: () => number;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly userAgent: string;
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
  async send(request: HttpRequest): Promise<Response> {
    const { fetch, retry: policy, sleep, random, now, timeoutMs } = this.options;
    for (let attempt = 1; ; attempt++) {
      const lastAttempt = !request.retry || attempt >= policy.maxAttempts;
      let response: Response;
      try {
        response = await fetch(request.url.href, {
          method: request.method,
          headers: { 'user-agent': this.options.userAgent, ...request.headers },
          ...(request.body === undefined ? {} : { body: request.body }),
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const failure = describeNetworkError(error, timeoutMs);
        if (lastAttempt) {
          const attempts = attempt > 1 ? ` after ${attempt} attempts` : '';
          throw new RegistryError(
            'unavailable',
            `${request.method} to ${request.url.host} failed${attempts}: ${failure}`,
          );
        }
        await sleep(retryDelay(policy, attempt, random));
        continue;
      }
      if (lastAttempt || !isRetryableStatus(response.status)) return response;
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
      await discardBody(response);
      await sleep(retryDelay(policy, attempt, random, retryAfterMs));
    }
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
