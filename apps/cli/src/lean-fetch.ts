// `fetch` for the CLI's own requests (platform, registry), on node:http and node:https. Node 20's
// global fetch compiles undici on first use, about 190 ms of a 450 ms `publish`; this does not.
// It does what the platform and registry clients ask of fetch and no more: it never follows a
// redirect, keeps no cookies and no cache, and sends string or byte bodies.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';

// node:https (and the TLS stack under it) only for an https URL: a CLI talking to a local
// platform and registry never loads it (about 17 ms of a run on Node 24).
const load = createRequire(import.meta.url);
let https: typeof import('node:https') | undefined;

function httpsRequest(...args: Parameters<typeof httpRequest>): ReturnType<typeof httpRequest> {
  https ??= load('node:https') as typeof import('node:https');
  return https.request(...args);
}

/** The subset of `Headers` a response needs; names are case-insensitive, repeats joined by ", ". */
class ResponseHeaders {
  readonly #values = new Map<string, string>();

  constructor(raw: IncomingMessage['headers']) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined)
        this.#values.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }

  get(name: string): string | null {
    return this.#values.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.#values) callback(value, name);
  }

  entries(): IterableIterator<[string, string]> {
    return this.#values.entries();
  }

  keys(): IterableIterator<string> {
    return this.#values.keys();
  }

  values(): IterableIterator<string> {
    return this.#values.values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#values.entries();
  }
}

/** Statuses whose responses have no body, as fetch models them. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function toResponse(url: URL, message: IncomingMessage): Response {
  const status = message.statusCode ?? 0;
  const nullBody = NULL_BODY_STATUSES.has(status);
  if (nullBody) message.resume();
  // The web stream is made only for a caller that takes `body` (the registry client streams
  // blobs through it): `text()` and `json()` read the message itself, and Readable.toWeb loads
  // the web streams implementation (~2 ms on Node 24) for a JSON answer otherwise.
  let stream: ReadableStream<Uint8Array> | undefined;
  const body = (): ReadableStream<Uint8Array> | null => {
    if (nullBody) return null;
    stream ??= Readable.toWeb(message) as ReadableStream<Uint8Array>;
    return stream;
  };
  let used = false;
  const bytes = async (): Promise<Buffer> => {
    if (used || stream?.locked) throw new TypeError('the response body was already read');
    used = true;
    if (nullBody) return Buffer.alloc(0);
    const chunks: Uint8Array[] = [];
    if (stream === undefined) {
      for await (const chunk of message) chunks.push(chunk as Uint8Array);
      return Buffer.concat(chunks);
    }
    const reader = stream.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      chunks.push(chunk.value);
    }
    return Buffer.concat(chunks);
  };
  const response = {
    status,
    statusText: message.statusMessage ?? '',
    ok: status >= 200 && status < 300,
    redirected: false,
    type: 'basic',
    url: url.href,
    headers: new ResponseHeaders(message.headers),
    get body() {
      return body();
    },
    get bodyUsed() {
      return used || (stream?.locked ?? false);
    },
    text: async () => (await bytes()).toString('utf8'),
    json: async () => JSON.parse((await bytes()).toString('utf8')) as unknown,
    arrayBuffer: async () => {
      const buffer = await bytes();
      return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    },
  };
  // Structurally what callers use of a Response; the full class would load undici again.
  return response as unknown as Response;
}

function requestHeaders(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (Array.isArray(headers)) return Object.fromEntries(headers as [string, string][]);
  if (typeof (headers as { forEach?: unknown }).forEach === 'function') {
    const collected: Record<string, string> = {};
    (headers as { forEach(callback: (value: string, name: string) => void): void }).forEach(
      (value, name) => {
        collected[name] = value;
      },
    );
    return collected;
  }
  return { ...(headers as Record<string, string>) };
}

export function leanFetch(input: string, init: RequestInit = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const url = new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new TypeError(`fetch: unsupported protocol ${url.protocol}`));
      return;
    }
    const body = init.body ?? undefined;
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      reject(new TypeError('fetch: only string and byte bodies are supported'));
      return;
    }
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const headers = requestHeaders(init.headers);
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: init.method ?? 'GET', headers }, (message) => {
      const status = message.statusCode ?? 0;
      if (init.redirect === 'error' && status >= 300 && status < 400) {
        message.destroy();
        reject(
          new TypeError('fetch failed', {
            cause: new Error(`unexpected redirect (HTTP ${status})`),
          }),
        );
        return;
      }
      resolve(toResponse(url, message));
    });
    // Like fetch: an aborted request rejects with the signal's reason (a TimeoutError for
    // AbortSignal.timeout), any other failure with a TypeError whose cause says what happened.
    request.on('error', (error) =>
      reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error })),
    );
    signal?.addEventListener('abort', () => request.destroy(signal.reason as Error), {
      once: true,
    });
    request.end(body);
  });
}
