// A loopback HTTP proxy in front of a real registry that holds every request until released:
// a slow registry, so that a test can change the platform's state while a publish waits on it.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StallingProxy {
  /** `127.0.0.1:PORT`, a registry host for image references and allowlist patterns. */
  readonly host: string;
  /** Resolves when the first request has arrived (and is being held). */
  readonly stalled: Promise<void>;
  /** Lets held and later requests through to the registry. */
  release(): void;
  close(): Promise<void>;
}

export async function startStallingProxy(targetHost: string): Promise<StallingProxy> {
  const [hostname, port] = targetHost.split(':');
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrived!: () => void;
  const stalled = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server = createServer((incoming, outgoing) => {
    arrived();
    void released.then(() => {
      const upstream = request(
        {
          host: hostname,
          port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      upstream.on('error', () => outgoing.socket?.destroy());
      incoming.pipe(upstream);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${own}`,
    stalled,
    release,
    close: () =>
      new Promise<void>((resolve) => {
        release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
