// A fault-injecting HTTP proxy on loopback, put in front of a registry or the platform: it
// forwards every request to the upstream unless a fault matches, and then answers a status
// without forwarding, stalls before or during the answer, stalls a request body mid-upload,
// forwards the request but loses the answer, or resets the connection. Every request is recorded.
import {
  type ClientRequest,
  createServer,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isLoopbackHost } from '@hla-compass/platform-api/loopback';
import { LOOPBACK_HOST } from './ports.js';

export type FaultKind =
  /** Answers `status` (with `body` and `headers`) without forwarding. */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly body?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Reads the request, forwards nothing, never answers: no headers are ever sent. */
  | { readonly kind: 'stall' }
  /** Forwards the headers and the first `afterBytes` bytes of the body, then holds the rest forever. */
  | { readonly kind: 'stall-upload'; readonly afterBytes: number }
  /** Forwards the request and waits for the upstream's whole answer, then resets the client's connection. */
  | { readonly kind: 'lose-answer' }
  /** Resets the client's connection as soon as the request arrives, forwarding nothing. */
  | { readonly kind: 'reset' }
  /** Forwards after `ms` milliseconds. */
  | { readonly kind: 'delay'; readonly ms: number };

export type Fault = FaultKind & {
  /** Only requests with this method (default: any). */
  readonly method?: string;
  /** Only requests whose path (with query) matches (default: any). */
  readonly path?: RegExp;
  /** How many matching requests it hits before it is spent (default: every one). */
  readonly times?: number;
};

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The fault that hit it, if one did. */
  readonly fault?: FaultKind['kind'];
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT`, e.g. as a registry host in an image reference. */
  readonly host: string;
  readonly port: number;
  /** Every request seen, in order of arrival. */
  readonly requests: readonly ProxiedRequest[];
  /** Adds a fault; the first unspent one that matches a request hits it. */
  inject(fault: Fault): void;
  /** Removes every fault: from now on, everything is forwarded. */
  heal(): void;
  /** Closes the proxy and every connection through it (stalled ones too). */
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Where requests go, e.g. `http://127.0.0.1:5000`. Loopback only. */
  readonly upstream: string;
  /** Port to listen on (default: a free one). */
  readonly port?: number;
}

/** Starts a proxy on 127.0.0.1 in front of `upstream`. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  if (!isLoopbackHost(upstream.hostname)) {
    throw new Error(`the fault proxy forwards to loopback only, not ${upstream.hostname}`);
  }
  const faults: { fault: Fault; left: number }[] = [];
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const outgoings = new Set<ClientRequest>();

  const matching = (incoming: IncomingMessage): Fault | undefined => {
    const entry = faults.find(
      ({ fault, left }) =>
        left > 0 &&
        (fault.method === undefined || fault.method.toUpperCase() === incoming.method) &&
        (fault.path === undefined || fault.path.test(incoming.url ?? '')),
    );
    if (entry === undefined) return undefined;
    entry.left -= 1;
    return entry.fault;
  };

  const forward = (
    incoming: IncomingMessage,
    answer: ServerResponse,
    how: { readonly bodyLimit?: number; readonly loseAnswer?: boolean } = {},
  ): void => {
    const outgoing = request(
      {
        host: upstream.hostname.replace(/^\[|\]$/g, ''),
        port: upstream.port || 80,
        method: incoming.method,
        path: incoming.url,
        // The upstream sees its own host, as a client talking to it directly would send it, and
        // the proxy's in X-Forwarded-Host, as behind any reverse proxy: a registry builds its
        // upload Locations from it, so the PATCH and PUT of a blob come through here too.
        headers: {
          ...incoming.headers,
          host: upstream.host,
          ...(incoming.headers.host === undefined
            ? {}
            : { 'x-forwarded-host': incoming.headers.host }),
        },
      },
      (upstreamAnswer) => {
        if (how.loseAnswer === true) {
          upstreamAnswer.resume();
          upstreamAnswer.on('end', () => incoming.socket.destroy());
          return;
        }
        answer.writeHead(upstreamAnswer.statusCode ?? 502, upstreamAnswer.rawHeaders);
        upstreamAnswer.pipe(answer);
      },
    );
    outgoings.add(outgoing);
    outgoing.on('close', () => outgoings.delete(outgoing));
    outgoing.on('error', () => incoming.socket.destroy());
    if (how.bodyLimit === undefined) {
      incoming.pipe(outgoing);
      return;
    }
    let sent = 0;
    const limit = how.bodyLimit;
    incoming.on('data', (chunk: Buffer) => {
      if (sent >= limit) return;
      const part = chunk.subarray(0, limit - sent);
      sent += part.length;
      outgoing.write(part);
    });
  };

  const server = createServer((incoming, answer) => {
    const fault = matching(incoming);
    requests.push({
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      headers: incoming.headers,
      ...(fault === undefined ? {} : { fault: fault.kind }),
    });
    switch (fault?.kind) {
      case undefined:
        return forward(incoming, answer);
      case 'status':
        incoming.resume();
        answer.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        answer.end(fault.body ?? '');
        return;
      case 'stall':
        incoming.resume();
        return;
      case 'stall-upload':
        return forward(incoming, answer, { bodyLimit: fault.afterBytes });
      case 'lose-answer':
        return forward(incoming, answer, { loseAnswer: true });
      case 'reset':
        incoming.socket.destroy();
        return;
      case 'delay':
        setTimeout(() => forward(incoming, answer), fault.ms);
        return;
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK_HOST, port: options.port ?? 0 }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${LOOPBACK_HOST}:${port}`,
    host: `${LOOPBACK_HOST}:${port}`,
    port,
    requests,
    inject(fault) {
      faults.push({ fault, left: fault.times ?? Number.POSITIVE_INFINITY });
    },
    heal() {
      faults.length = 0;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      for (const outgoing of outgoings) outgoing.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
