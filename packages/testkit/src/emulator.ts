// The platform emulator as a test service: its built bin started on a free loopback port with a
// temp data dir (real SQLite files), optionally a seed made for the test's own registries. The
// control token of /_emulator is read from the banner, as a developer reads it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceUnavailableError } from './service-unavailable.js';
import { stopProcess } from './subprocess.js';

export interface EmulatorOptions {
  /** Path of the emulator's built bin (`apps/platform/dist/bin.js`). */
  readonly bin: string;
  /** A seed document; written to the data dir and passed with --seed. */
  readonly seed?: unknown;
  readonly accessTokenTtlSeconds?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where its temp data dir is made (default: the OS temp dir), e.g. a small file system a test fills. */
  readonly parentDir?: string;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`; an environment's API base is `${url}/${env}`. */
  readonly url: string;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** The secret of /_emulator/*, as the emulator printed it at start. */
  readonly controlToken: string;
  /** Takes every env (or one) back to the start-up seed. */
  reset(env?: string): Promise<void>;
  /** Replaces every env's (or one env's) data with `seed`. */
  seed(seed: unknown, env?: string): Promise<void>;
  /** Everything the emulator printed so far. */
  output(): string;
  /** SIGTERM, wait for the exit, remove the data dir. Safe to call twice. */
  stop(): Promise<void>;
}

const READY_LINE = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
// Printed after the listening line: the banner is ready once both are in.
const CONTROL_TOKEN_LINE = /X-Emulator-Token: (\S+)/;

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const dataDir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'hla-emulator-'));
  const args = [
    options.bin,
    'start',
    '--data',
    join(dataDir, 'db'),
    '--port',
    '0',
    '--registry',
    'none',
  ];
  if (options.seed !== undefined) {
    const seedFile = join(dataDir, 'seed.json');
    await writeFile(seedFile, JSON.stringify(options.seed));
    args.push('--seed', seedFile);
  }
  if (options.accessTokenTtlSeconds !== undefined) {
    args.push('--access-token-ttl', String(options.accessTokenTtlSeconds));
  }
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<{ url: string; controlToken: string }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const url = READY_LINE.exec(output)?.[1];
      const controlToken = CONTROL_TOKEN_LINE.exec(output)?.[1];
      if (url !== undefined && controlToken !== undefined) resolve({ url, controlToken });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(
        new ServiceUnavailableError(
          'the platform emulator',
          `it exited with ${code} before it was ready (build it with \`pnpm --filter @hla-compass/platform build\`):\n${output}`,
        ),
      ),
    );
  });

  const { url, controlToken } = await ready.catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });

  const control = async (route: string, env: string | undefined, body?: unknown) => {
    const target = new URL(`/_emulator/${route}`, url);
    if (env !== undefined) target.searchParams.set('env', env);
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-emulator-token': controlToken },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status !== 200) {
      throw new Error(
        `/_emulator/${route} answered HTTP ${response.status}: ${text.slice(0, 300)}`,
      );
    }
  };

  let stopped: Promise<void> | undefined;
  return {
    url,
    dataDir,
    process: child,
    controlToken,
    reset: (env) => control('reset', env),
    seed: (seed, env) => control('seed', env, seed),
    output: () => output,
    stop() {
      stopped ??= (async () => {
        await stopProcess(child);
        await rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/**
 * The emulator's default seed with its registry (127.0.0.1:5000, also named localhost:5000) moved
 * to the test's registry port, so the seeded allowlists cover the images the test pushes there.
 */
export async function seedForRegistry(seedFile: string, registryPort: number): Promise<unknown> {
  const text = await readFile(seedFile, 'utf8');
  return JSON.parse(
    text
      .replaceAll('127.0.0.1:5000', `127.0.0.1:${registryPort}`)
      .replaceAll('localhost:5000', `localhost:${registryPort}`),
  );
}
