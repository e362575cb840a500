// One HTTP/1.0 request over node:net, for the fast path's two questions (the engine's image id,
// the registry's manifest digest). node:http is not used: on Node 22 and 24 loading it (and the
// modules it pulls in: undici, tls, crypto, zlib) costs more than the whole no-op push it serves,
// where node:net is loaded already. HTTP/1.0 keeps the answer simple: no chunked body, no
// keep-alive, the body ends when the server closes. Plain text only, no TLS: loopback and sockets.
import { connect } from 'node:net';

export interface Http1Request {
  /** A unix socket (the Docker engine's), or a host and port. */
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly method: 'GET' | 'HEAD';
  /** The request target as sent: the caller escapes what needs it. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface Http1Answer {
  readonly status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The answer, or undefined on any failure: no connection, a timeout, a malformed answer. */
export function http1(request: Http1Request): Promise<Http1Answer | undefined> {
  const target = /^[\x21-\x7e]+$/.test(request.path) ? request.path : undefined;
  if (target === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket =
      request.socketPath === undefined
        ? connect({ host: request.host ?? '127.0.0.1', port: request.port ?? 80 })
        : connect({ path: request.socketPath });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (answer: Http1Answer | undefined) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(request.timeoutMs, () => finish(undefined));
    socket.on('error', () => finish(undefined));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish(parseAnswer(Buffer.concat(chunks), request.method)));
    socket.on('connect', () => {
      const host =
        request.socketPath === undefined ? `${request.host}:${request.port ?? 80}` : 'localhost';
      const lines = [`${request.method} ${target} HTTP/1.0`, `Host: ${host}`];
      for (const [name, value] of Object.entries(request.headers ?? {})) {
        if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) return finish(undefined);
        lines.push(`${name}: ${value}`);
      }
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  });
}

/** Status line, headers and body of a whole HTTP/1.x answer. */
export function parseAnswer(raw: Buffer, method: string): Http1Answer | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine, ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine ?? '')?.[1];
  if (status === undefined) return undefined;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  // A chunked body would need decoding: an HTTP/1.0 request never gets one from a conforming server.
  if (headers['transfer-encoding'] !== undefined) return undefined;
  const body = method === 'HEAD' ? '' : raw.subarray(end + 4).toString('utf8');
  return { status: Number(status), headers, body };
}
