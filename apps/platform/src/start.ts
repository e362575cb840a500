// startPlatform: opens the databases, seeds empty ones, and serves the app on a TCP port.
// Used by the bin, by tests (port 0, in memory) and by the benchmark.
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from '@hla-compass/platform-api';
import { JsonParseError, parseJson } from '@hla-compass/signing';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.js';
import { controlTokenProblem, newControlToken } from './http/control-token.js';
import { answerProtocolErrors } from './http/protocol-errors.js';
import { type AllowedHostsBinding, normalizeAllowedHost } from './http/same-origin.js';
import {
  DEFAULT_SHUTDOWN_GRACE_MS,
  type DrainableServer,
  drainableServer,
} from './http/shutdown.js';
import { Platform } from './platform.js';
import { type ImageResolver, registryImageResolver } from './services/image-resolution.js';
import { DEFAULT_LOGIN_RATE_LIMIT, type LoginRateLimit } from './services/login-rate-limit.js';
import { endpointFetch, type RegistryEndpoints } from './services/registry-endpoints.js';
import { type PreparedSeed, prepareSeed, SeedError } from './services/seed.js';

export const DEFAULT_SEED_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'seed',
  'default.json',
);

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

export interface StartOptions {
  /** Default 4100; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. On 0.0.0.0 or `::` every interface listens (a container's default). */
  host?: string;
  /**
   * The URL users reach the emulator at when it is not the listening one (a port published by
   * Docker, a proxy): what the banner and /openapi.json say, and a Host accepted besides.
   */
  publicUrl?: string;
  /**
   * More names the emulator is reached by (`platform`, `platform:4100`: a compose service, a CI
   * service alias); one without a port is taken with the listening port.
   */
  allowedHosts?: readonly string[];
  /** Where a registry is reached when not at its name (`127.0.0.1:5000` → `registry:5000`). */
  registryEndpoints?: RegistryEndpoints;
  /** Directory for `<env>.db`; undefined (the default) keeps the databases in memory. */
  dataDir?: string;
  /** A seed file (default: seed/default.json) or an already parsed seed document. */
  seed?: string | { document: unknown };
  /** Default 3600. */
  accessTokenTtlSeconds?: number;
  loginRateLimit?: LoginRateLimit;
  /** How images are checked at registries; default: @hla-compass/registry-client. */
  images?: ImageResolver;
  now?: () => number;
  /** Where internal errors are reported; default stderr. */
  log?: (line: string) => void;
  /** The secret of the /_emulator routes; default: a new random one at every start. */
  controlToken?: string;
  /** How long `stop()` lets requests in flight finish before it cuts them (default 5 s). */
  shutdownGraceMs?: number;
}

export interface RunningPlatform {
  /**
   * `http://host:port`, without an environment: the public URL when one was given, else the
   * listening address, with 127.0.0.1 (or [::1]) for a wildcard one: a URL a client can use.
   */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string | undefined;
  /** The database file of an env, undefined in memory. */
  databaseFile(environment: Environment): string | undefined;
  /** Envs that were empty and got the seed at this start. */
  readonly seeded: readonly Environment[];
  readonly seed: PreparedSeed;
  /** The secret the /_emulator routes want in X-Emulator-Token. */
  readonly controlToken: string;
  /**
   * Stops accepting connections and requests, lets the requests in flight finish (for the grace
   * period at most), closes every connection, then the databases.
   */
  stop(): Promise<void>;
}

export class StartError extends Error {
  override readonly name = 'StartError';
}

export function loadSeedFile(file: string): PreparedSeed {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new StartError(`cannot read seed file ${file}: ${(error as Error).message}`);
  }
  try {
    return prepareSeed(parseJson(text));
  } catch (error) {
    if (error instanceof JsonParseError || error instanceof SeedError) {
      throw new StartError(`seed file ${file}: ${error.message}`);
    }
    throw error;
  }
}

function listen(
  app: ReturnType<typeof createApp>,
  host: string,
  port: number,
  bindings: AllowedHostsBinding,
): Promise<DrainableServer> {
  return new Promise((resolveListen, reject) => {
    const drainable = drainableServer(
      getRequestListener((request, env) => app.fetch(request, { ...env, ...bindings }), {
        hostname: host,
      }),
    );
    const { server } = drainable;
    answerProtocolErrors(server);
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new StartError(
              `port ${port} on ${host} is already in use: stop what is listening there (is another hla-compass-platform running?) or pass --port`,
            )
          : error,
      );
    });
    server.listen(port, host, () => resolveListen(drainable));
  });
}

const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]']);

/** `http://host:port` a client can use for a listening address: loopback for a wildcard. */
export function clientUrl(host: string, port: number): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const name = WILDCARD_ADDRESSES.has(host) ? (bare === '::' ? '::1' : '127.0.0.1') : bare;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
}

function publicOrigin(publicUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(publicUrl);
  } catch {
    throw new StartError(`the public URL "${publicUrl}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new StartError(`the public URL "${publicUrl}" must be http:// or https://`);
  }
  if (parsed.username !== '' || parsed.password !== '' || `${parsed.origin}/` !== parsed.href) {
    throw new StartError(
      `the public URL "${publicUrl}" must be an origin only (http://host:port), without a path or credentials`,
    );
  }
  return parsed.origin;
}

export async function startPlatform(options: StartOptions = {}): Promise<RunningPlatform> {
  const host = options.host ?? '127.0.0.1';
  const seed =
    typeof options.seed === 'object'
      ? prepareSeed(options.seed.document)
      : loadSeedFile(options.seed ?? DEFAULT_SEED_FILE);
  const publicUrl = options.publicUrl === undefined ? undefined : publicOrigin(options.publicUrl);
  for (const entry of options.allowedHosts ?? []) {
    if (normalizeAllowedHost(entry, 4100) === undefined) {
      throw new StartError(
        `allowed host "${entry}" is not a host name, address or host:port (a wildcard address is none)`,
      );
    }
  }
  const controlToken = options.controlToken ?? newControlToken();
  const tokenProblem = controlTokenProblem(controlToken);
  if (tokenProblem !== null) throw new StartError(tokenProblem);
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const platform = new Platform({
    dataDir,
    seed,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    loginRateLimit: options.loginRateLimit ?? DEFAULT_LOGIN_RATE_LIMIT,
    images:
      options.images ??
      registryImageResolver(
        options.registryEndpoints === undefined
          ? {}
          : { fetch: endpointFetch(options.registryEndpoints, globalThis.fetch) },
      ),
    now: options.now ?? Date.now,
  });
  let url = '';
  try {
    const seeded = await platform.seedEmpty();
    platform.purgeExpiredCredentials();
    const purge = setInterval(() => platform.purgeExpiredCredentials(), PURGE_INTERVAL_MS);
    purge.unref();
    const app = createApp(platform, {
      log,
      baseUrl: () => url,
      startedAt: Date.now(),
      controlToken,
    });
    // Filled in once the port is known (`--port 0`); read per request.
    const allowedHosts: string[] = [];
    const drainable = await listen(app, host, options.port ?? 4100, { allowedHosts });
    const { port } = drainable.server.address() as AddressInfo;
    const local = clientUrl(host, port);
    url = publicUrl ?? local;
    for (const entry of options.allowedHosts ?? []) {
      const normalized = normalizeAllowedHost(entry, port);
      if (normalized !== undefined) allowedHosts.push(normalized);
    }
    // Behind a public URL, what the listening address is reached by stays valid (a healthcheck
    // inside the container asks 127.0.0.1:4100).
    if (publicUrl !== undefined) allowedHosts.push(new URL(local).host);
    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      dataDir,
      seeded,
      seed,
      controlToken,
      databaseFile: (environment) => platform.databaseFile(environment),
      stop() {
        stopping ??= (async () => {
          clearInterval(purge);
          await drainable.drain(options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
          platform.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    platform.close();
    throw error;
  }
}
