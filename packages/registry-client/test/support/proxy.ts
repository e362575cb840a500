// A loopback HTTP proxy in front of a real registry that can fail, answer or rewrite
// requests: the faults a real registry never makes on its own.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type ProxyAction =
  | { readonly kind: 'forward'; readonly rewrite?: (response: ProxiedResponse) => ProxiedResponse }
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: string;
    }
  /** Closes the connection without an answer: a network error for the client. */
  | { readonly kind: 'destroy' }
  /** Never answers (until the proxy closes): a timeout for the client. */
  | { readonly kind: 'hang' };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export interface FaultProxy {
  readonly url: string;
  readonly host: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forward(target: URL, incoming: IncomingMessage, body: Buffer): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        // The Host header stays the proxy's, so the registry's Location headers point back here.
        headers: incoming.headers,
      },
      async (response) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value === undefined || HOP_BY_HOP.has(name)) continue;
          headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        // HEAD answers keep the registry's Content-Length: it describes the body GET would send.
        const length = response.headers['content-length'];
        if (incoming.method === 'HEAD' && length !== undefined) headers['content-length'] = length;
        resolve({ status: response.statusCode ?? 502, headers, body: await readAll(response) });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Starts a proxy on a free loopback port. `decide` sees each request with its 1-based number
 * and says what to do; by default everything is forwarded to `target` (or answered 404).
 */
export async function startProxy(
  target: string | undefined,
  decide: (request: RecordedRequest, count: number) => ProxyAction = () => ({ kind: 'forward' }),
): Promise<FaultProxy> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (incoming, outgoing) => {
    const body = await readAll(incoming);
    const recorded = {
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      headers: incoming.headers,
      body: body.toString('utf8'),
    };
    requests.push(recorded);
    const action = decide(recorded, requests.length);
    if (action.kind === 'hang') return;
    if (action.kind === 'destroy') {
      outgoing.socket?.destroy();
      return;
    }
    if (action.kind === 'respond' || target === undefined) {
      const status = action.kind === 'respond' ? action.status : 404;
      const headers = action.kind === 'respond' ? action.headers : undefined;
      outgoing.writeHead(status, { 'content-type': 'application/json', ...headers });
      outgoing.end(action.kind === 'respond' ? (action.body ?? '') : '');
      return;
    }
    try {
      const answer = await forward(new URL(target), incoming, body);
      const { status, headers, body: payload } = action.rewrite ? action.rewrite(answer) : answer;
      const isHead = recorded.method === 'HEAD';
      outgoing.writeHead(status, {
        ...headers,
        ...(isHead ? {} : { 'content-length': String(payload.byteLength) }),
      });
      outgoing.end(isHead ? undefined : payload);
    } catch {
      outgoing.socket?.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
