// The few Docker Engine API calls the testkit makes itself (ping, image inspect and import),
// over the engine's unix socket with node:http, so that it needs no Docker client library.
import { request } from 'node:http';
import type { Readable } from 'node:stream';

export interface EngineResponse {
  readonly status: number;
  readonly body: string;
}

export interface EngineRequestOptions {
  readonly body?: string | Readable;
  readonly contentType?: string;
  /** Abort when the engine has not answered in this time; default 60 s. */
  readonly timeoutMs?: number;
}

const MAX_BODY_CHARS = 1024 * 1024;

/** The socket path of a `unix://` DOCKER_HOST; the testkit talks to no other kind of engine. */
export function socketPathOf(dockerHost: string): string {
  if (!dockerHost.startsWith('unix://') || dockerHost.length <= 'unix://'.length) {
    throw new Error(`"${dockerHost}" is not a unix:// Docker host`);
  }
  return dockerHost.slice('unix://'.length);
}

/** One request to the engine; resolves with the status and the (text) body, never throws on a status. */
export function engineRequest(
  socketPath: string,
  method: string,
  path: string,
  options: EngineRequestOptions = {},
): Promise<EngineResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: 'docker' };
    if (options.contentType !== undefined) headers['Content-Type'] = options.contentType;
    const req = request(
      {
        socketPath,
        method,
        path,
        headers,
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (body.length < MAX_BODY_CHARS) body += chunk;
        });
        response.on('error', reject);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    const { body } = options;
    if (body === undefined || typeof body === 'string') {
      req.end(body);
    } else {
      body.on('error', (error) => req.destroy(error));
      body.pipe(req);
    }
  });
}

/** True when an engine answers `GET /_ping` with OK on the socket. */
export async function pingEngine(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await engineRequest(socketPath, 'GET', '/_ping', { timeoutMs });
    return response.status === 200 && response.body.trim() === 'OK';
  } catch {
    return false;
  }
}

/** The first `error` event of a JSON-lines progress body (import, build), if there is one. */
export function progressError(body: string): string | undefined {
  for (const line of body.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const event: unknown = JSON.parse(line);
      if (typeof event === 'object' && event !== null && 'error' in event) {
        return String(event.error);
      }
    } catch {
      return `unexpected answer from the engine: ${line.slice(0, 200)}`;
    }
  }
  return undefined;
}
