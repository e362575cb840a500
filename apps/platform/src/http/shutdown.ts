// Stopping the HTTP server without cutting answers off and without serving on: Node's
// `server.close()` only stops new connections, and a client that keeps its keep-alive connection
// busy (a `--wait` poll, a shell loop) is served for as long as it likes.
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How long requests in flight may take to finish before their connections are cut. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5000;

/**
 * How long an idle keep-alive connection stays open. Node's default, 5 s, is shorter than a busy
 * client's gap between two calls (an RSA key generated between them, a `--wait` poll on a loaded
 * CI runner): the server closes the socket as the client writes its next request on it, and the
 * client sees ECONNRESET. Well above the client's idle time (undici keeps a socket for the
 * server's `Keep-Alive: timeout` less 2 s), as nginx (75 s) and load balancers (60 s) do.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface DrainableServer {
  readonly server: Server;
  /**
   * Stops accepting connections; requests in flight finish and are answered with
   * `Connection: close`; idle keep-alive connections close now, and whatever is still open after
   * `graceMs` is cut. Resolves once every connection is gone.
   */
  drain(graceMs?: number): Promise<void>;
}

export function drainableServer(listener: RequestListener): DrainableServer {
  let draining = false;
  const inFlight = new Map<ServerResponse, Socket>();

  const server = createServer((request, response) => {
    // Only a kept-alive connection can bring a request now: it gets no answer, and nothing is
    // done with it, so a client can tell it from one the platform acted on and go elsewhere.
    if (draining) {
      request.socket.destroy();
      return;
    }
    inFlight.set(response, request.socket);
    response.once('close', () => inFlight.delete(response));
    listener(request, response);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // A kept-alive connection's next request must be given as long to send its headers.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;

  let drained: Promise<void> | undefined;
  return {
    server,
    drain(graceMs = DEFAULT_SHUTDOWN_GRACE_MS) {
      drained ??= new Promise<void>((resolve) => {
        draining = true;
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        for (const [response, socket] of inFlight) {
          if (!response.headersSent) response.setHeader('Connection', 'close');
          // An answer whose headers already went out as keep-alive: its connection ends after it.
          else response.once('finish', () => socket.end());
        }
        server.closeIdleConnections();
      });
      return drained;
    },
  };
}
