// The `hla-compass-platform` command line: `start` with its flags, the banner, and a clean
// stop on SIGINT/SIGTERM.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isLoopbackHost } from '@hla-compass/platform-api/loopback';
import * as z from 'zod';
import { banner } from './banner.js';
import { CONTROL_TOKEN_ENV } from './http/control-token.js';
import { DEFAULT_SHUTDOWN_GRACE_MS } from './http/shutdown.js';
import { type LocalRegistry, startLocalRegistry } from './local-registry.js';
import { parseRegistryEndpoints, RegistryEndpointError } from './services/registry-endpoints.js';
import { DEFAULT_SEED_FILE, StartError, startPlatform } from './start.js';

/** The variables `start` reads besides the control token; a flag wins over its variable. */
export const PUBLIC_URL_ENV = 'HLA_COMPASS_PLATFORM_PUBLIC_URL';
export const ALLOWED_HOSTS_ENV = 'HLA_COMPASS_PLATFORM_ALLOWED_HOSTS';
export const REGISTRY_ENDPOINTS_ENV = 'HLA_COMPASS_PLATFORM_REGISTRY_ENDPOINTS';

const USAGE = `Usage: hla-compass-platform start [options]

The local HLA-Compass platform emulator: the catalog APIs of local, dev, staging and prod,
each under http://HOST:PORT/<env>, with its own SQLite database.

Options:
  --port N                 TCP port (default 4100; 0 picks a free one)
  --host ADDRESS           address to listen on (default 127.0.0.1; 0.0.0.0 in a container,
                           where /_emulator/* then answers any client with the control token)
  --public-url URL         the URL users reach it at, when not the listening one (a published
                           port): printed in the banner and accepted as Host
  --allowed-host NAME[:PORT]  one more name it is reached by (a compose service, a CI service
                           alias), accepted as Host; without a port, the listening one; repeatable
  --registry-endpoint NAME=ADDRESS  check images of registry NAME at ADDRESS instead
                           (127.0.0.1:5000=registry:5000 in compose); repeatable
  --data DIR               directory of the <env>.db files (default: .data/platform in the
                           repository, else ./.data/platform)
  --memory                 keep every database in memory (nothing is written)
  --seed FILE              seed loaded into empty databases and on /_emulator/reset
                           (default: seed/default.json of this package)
  --registry auto|none     start a local registry on 127.0.0.1:5000 (default auto)
  --access-token-ttl SECS  lifetime of access tokens (default 3600)
  --login-rate-limit N/S   failed sign-ins allowed per client and email in S seconds (default 10/60)
  -h, --help               this text
  --version                the emulator's version

Environment:
  ${CONTROL_TOKEN_ENV}  the secret of /_emulator/* (X-Emulator-Token header); default: a
                              new random one at every start, printed in the banner
  ${PUBLIC_URL_ENV}     --public-url
  ${ALLOWED_HOSTS_ENV}  --allowed-host, comma-separated
  ${REGISTRY_ENDPOINTS_ENV}  --registry-endpoint, comma-separated

Examples:
  hla-compass-platform start
  hla-compass-platform start --memory --port 0 --registry none
  hla-compass-platform start --data /tmp/platform --access-token-ttl 60
  hla-compass-platform start --host 0.0.0.0 --data /data --registry none \\
    --allowed-host platform --registry-endpoint 127.0.0.1:5000=registry:5000`;

class UsageError extends Error {}

function positiveInteger(
  name: string,
  value: string | undefined,
  fallback: number,
  min = 1,
): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, not "${value}"`);
  }
  return number;
}

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The monorepo root when this runs from a checkout (apps/platform inside it). */
const checkoutRoot = (() => {
  const root = resolve(packageDir, '..', '..');
  return existsSync(join(root, 'pnpm-workspace.yaml')) ? root : undefined;
})();

async function start(argv: string[], out: (line: string) => void): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'public-url': { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
      'registry-endpoint': { type: 'string', multiple: true },
      data: { type: 'string' },
      memory: { type: 'boolean' },
      seed: { type: 'string' },
      registry: { type: 'string' },
      'access-token-ttl': { type: 'string' },
      'login-rate-limit': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.memory === true && values.data !== undefined) {
    throw new UsageError('--data and --memory exclude each other');
  }
  const registryMode = values.registry ?? 'auto';
  if (registryMode !== 'auto' && registryMode !== 'none') {
    throw new UsageError(`--registry must be auto or none, not "${registryMode}"`);
  }
  const rateLimit = /^(\d+)\/(\d+)$/.exec(values['login-rate-limit'] ?? '10/60');
  if (rateLimit === null) throw new UsageError('--login-rate-limit must look like 10/60');
  const dataDir =
    values.memory === true
      ? undefined
      : resolve(values.data ?? join(checkoutRoot ?? process.cwd(), '.data', 'platform'));

  const list = (flag: string[] | undefined, variable: string) =>
    flag ?? (process.env[variable] ?? '').split(',').filter((entry) => entry.trim() !== '');
  let registryEndpoints: ReturnType<typeof parseRegistryEndpoints>;
  try {
    registryEndpoints = parseRegistryEndpoints(
      list(values['registry-endpoint'], REGISTRY_ENDPOINTS_ENV),
    );
  } catch (error) {
    if (error instanceof RegistryEndpointError) throw new UsageError(error.message);
    throw error;
  }
  const publicUrl = values['public-url'] ?? (process.env[PUBLIC_URL_ENV] || undefined);
  const host = values.host ?? '127.0.0.1';
  const allowedHosts = list(values['allowed-host'], ALLOWED_HOSTS_ENV).map((entry) => entry.trim());

  const running = await startPlatform({
    port: positiveInteger('port', values.port, 4100, 0),
    host,
    ...(publicUrl === undefined ? {} : { publicUrl }),
    allowedHosts,
    registryEndpoints,
    ...(dataDir === undefined ? {} : { dataDir }),
    seed: values.seed ?? DEFAULT_SEED_FILE,
    accessTokenTtlSeconds: positiveInteger('access-token-ttl', values['access-token-ttl'], 3600),
    loginRateLimit: {
      attempts: positiveInteger('login-rate-limit', rateLimit[1], 10),
      windowSeconds: positiveInteger('login-rate-limit', rateLimit[2], 60),
    },
    // From the environment, not a flag: a flag's value is visible to every local user in `ps`.
    ...(process.env[CONTROL_TOKEN_ENV] ? { controlToken: process.env[CONTROL_TOKEN_ENV] } : {}),
  });
  const readyMs = Math.round(performance.now());

  let registry: LocalRegistry | undefined;
  let registryLine = 'not started (--registry none)';
  if (registryMode === 'auto') {
    const result = await startLocalRegistry({
      host: '127.0.0.1',
      port: 5000,
      dataDir,
      composeDir: checkoutRoot,
    });
    if ('unavailable' in result) {
      registryLine = `none on 127.0.0.1:5000, going on without it: ${result.unavailable}. Publishes will answer REGISTRY_UNAVAILABLE until a registry listens there.`;
    } else {
      registry = result;
      registryLine = result.description;
    }
  }
  // Before the banner: whoever reads its URL may send a signal at once, and one that came before
  // the handlers would end the process without the clean stop. A second signal does not wait for
  // the requests in flight (the databases are durable at every commit: nothing acknowledged is
  // lost).
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      out(`${signal} again: stopping now`);
      process.exit(1);
    }
    stopping = true;
    out(
      `${signal}: stopping; requests in flight have ${DEFAULT_SHUTDOWN_GRACE_MS / 1000} s to finish`,
    );
    await running.stop();
    await registry?.stop();
    out('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  for (const line of banner({
    url: running.url,
    readyMs,
    dataDir,
    seed: running.seed.seed,
    registry: registryLine,
    controlToken: running.controlToken,
    reachedAs: allowedHosts,
    registryEndpoints,
    // Only this machine can connect to a listener on a loopback host.
    remoteClients: !isLoopbackHost(host),
  })) {
    out(line);
  }
}

export async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const [command, ...rest] = argv;
  try {
    if (
      command === undefined ||
      command === '-h' ||
      command === '--help' ||
      rest.includes('--help') ||
      rest.includes('-h')
    ) {
      out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version') {
      const text = readFileSync(join(packageDir, 'package.json'), 'utf8');
      out(z.object({ version: z.string() }).parse(JSON.parse(text)).version);
      return 0;
    }
    if (command !== 'start') throw new UsageError(`unknown command "${command}"`);
    await start(rest, out);
    return -1;
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`hla-compass-platform: ${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof StartError) {
      process.stderr.write(`hla-compass-platform: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
