// Free loopback ports: the kernel picks one (bind to port 0), and starting a service on it
// is retried when another process takes it first.
import { createServer } from 'node:net';

export const LOOPBACK_HOST = '127.0.0.1';

/** A port nobody listens on right now on `host`; by the time it is used it may be taken. */
export function freePort(host = LOOPBACK_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() =>
        port === undefined ? reject(new Error('no port was assigned')) : resolve(port),
      );
    });
  });
}

/** Thrown by a service start that lost the race for its port. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} was taken before the service could bind it`);
    this.name = 'PortInUseError';
  }
}

/** Starts something on a fresh free port, again on another port after a PortInUseError. */
export async function onFreePort<Service>(
  start: (port: number) => Promise<Service>,
  attempts = 5,
): Promise<Service> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt >= attempts) throw error;
    }
  }
}
