// A local npm registry for tests: verdaccio on a free loopback port with no uplinks, so whatever is
// installed from it is exactly what the test published there, and nothing comes from the internet.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from './executables.js';
import { LOOPBACK_HOST, onFreePort, PortInUseError } from './ports.js';
import { ServiceUnavailableError } from './service-unavailable.js';
import { definedEnvironment, processExited, runProcess, stopProcess } from './subprocess.js';

const SERVICE = 'The local npm registry (verdaccio)';
const READY_TIMEOUT_MS = 30_000;
const MAX_LOG_CHARS = 16 * 1024;
const PUBLISHER = 'e2e-publisher';

export interface VerdaccioOptions {
  /** verdaccio's own bin (`node_modules/verdaccio/bin/verdaccio`) in the package that depends on it. */
  readonly bin: string;
}

export interface RunningVerdaccio {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  readonly port: number;
  readonly storageDir: string;
  /**
   * The environment npm and pnpm get: this registry only, a temp user config (NPM_CONFIG_USERCONFIG)
   * holding the publish token, a temp cache and a temp HOME, so ~/.npmrc is never read or written.
   */
  readonly npmEnvironment: Readonly<Record<string, string>>;
  /** The publisher's password and token, which no output may show. */
  readonly secrets: readonly string[];
  /**
   * Publishes a tarball as it is (what `npm publish <tgz>` sends, as one HTTP PUT with the
   * tarball's own package.json), with no lifecycle script and no `publishConfig` of its own.
   */
  publishTarball(tarball: string): Promise<void>;
  /** `npm install --global SPEC --prefix PREFIX` from this registry; bins land in PREFIX/bin. */
  installGlobal(spec: string, prefix: string): Promise<void>;
  /** SIGTERM, waits for the exit, removes storage and config. Safe to call twice. */
  stop(): Promise<void>;
}

function verdaccioConfig(workDir: string, port: number): string {
  // JSON strings are valid YAML scalars, which keeps any path safe to embed.
  return [
    `storage: ${JSON.stringify(join(workDir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(join(workDir, 'htpasswd'))}`,
    // Nobody may sign up: the one publisher is written to the file below.
    '    max_users: -1',
    'uplinks: {}',
    'packages:',
    "  '@*/*':",
    '    access: $all',
    '    publish: $authenticated',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    'web:',
    '  enable: false',
    'middlewares:',
    '  audit:',
    '    enabled: false',
    'max_body_size: 100mb',
    'log:',
    '  type: stdout',
    '  format: pretty',
    '  level: warn',
    `listen: ${JSON.stringify(`${LOOPBACK_HOST}:${port}`)}`,
    '',
  ].join('\n');
}

/** An htpasswd line verdaccio accepts without a bcrypt tool; the password is random and local. */
function htpasswdLine(user: string, password: string): string {
  return `${user}:{SHA}${createHash('sha1').update(password).digest('base64')}:e2e\n`;
}

async function answersPing(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}-/ping`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function startOnPort(
  bin: string,
  workDir: string,
  port: number,
  env: Record<string, string>,
): Promise<ChildProcess> {
  const configPath = join(workDir, `config-${port}.yaml`);
  await writeFile(configPath, verdaccioConfig(workDir, port));
  const child = spawn(process.execPath, [bin, '--config', configPath], {
    env: { ...env, VERDACCIO_HANDLE_KILL_SIGNALS: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // Made once, not per poll: a listener per poll would pile up on the child.
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exit = processExited(child).then(() => 'exited' as const);
  const url = `http://${LOOPBACK_HOST}:${port}/`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await answersPing(url)) return child;
    const failure = await Promise.race([
      spawnError,
      exit,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50)),
    ]);
    if (failure instanceof Error) {
      throw new ServiceUnavailableError(SERVICE, `cannot run ${bin}: ${failure.message}`);
    }
    if (failure === 'exited') {
      if (/EADDRINUSE/.test(log)) throw new PortInUseError(port);
      throw new ServiceUnavailableError(
        SERVICE,
        `verdaccio exited with code ${child.exitCode}:\n${log.trim()}`,
      );
    }
  }
  await stopProcess(child);
  throw new ServiceUnavailableError(
    SERVICE,
    `verdaccio did not answer /-/ping within ${READY_TIMEOUT_MS} ms:\n${log.trim()}`,
  );
}

/** Logs the publisher in (PUT /-/user/org.couchdb.user:NAME, what `npm login` does) for a token. */
async function publishToken(url: string, user: string, password: string): Promise<string> {
  const response = await fetch(`${url}-/user/org.couchdb.user:${user}`, {
    method: 'PUT',
    headers: {
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ name: user, password }),
  });
  const body: unknown = await response.json().catch(() => undefined);
  const token =
    typeof body === 'object' && body !== null && 'token' in body ? body.token : undefined;
  if (response.status !== 201 || typeof token !== 'string') {
    throw new ServiceUnavailableError(
      SERVICE,
      `logging the publisher in answered HTTP ${response.status} without a token`,
    );
  }
  return token;
}

/** `package/package.json` of an npm tarball, read with the system's tar. */
async function tarballManifest(tarball: string): Promise<Record<string, unknown>> {
  const tar = await findExecutable('tar', process.env.PATH);
  if (tar === undefined) throw new Error('reading an npm tarball needs tar on PATH');
  const result = await runProcess(tar, ['-xzOf', tarball, 'package/package.json']);
  if (result.code !== 0)
    throw new Error(`${tarball} has no package/package.json: ${result.stderr}`);
  const parsed: unknown = JSON.parse(result.stdout);
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${tarball}: package.json`);
  return parsed as Record<string, unknown>;
}

/** The document `npm publish` PUTs to `/<name>`: the version's manifest and the tarball itself. */
async function publishDocument(
  registryUrl: string,
  tarball: string,
): Promise<{ name: string; document: unknown }> {
  const [manifest, data] = await Promise.all([tarballManifest(tarball), readFile(tarball)]);
  const { name, version } = manifest;
  if (typeof name !== 'string' || typeof version !== 'string') {
    throw new Error(`${tarball}: package.json has no name or version`);
  }
  const filename = `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
  const dist = {
    integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
    shasum: createHash('sha1').update(data).digest('hex'),
    tarball: `${registryUrl}${name}/-/${filename}`,
  };
  return {
    name,
    document: {
      _id: name,
      name,
      'dist-tags': { latest: version },
      versions: { [version]: { ...manifest, _id: `${name}@${version}`, dist } },
      _attachments: {
        [filename]: {
          content_type: 'application/octet-stream',
          data: data.toString('base64'),
          length: data.length,
        },
      },
    },
  };
}

/** The parent's environment without its npm settings (`pnpm run` exports its own registry). */
function environmentWithoutNpmConfig(): Record<string, string> {
  return definedEnvironment(
    Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_config_')),
    ),
  );
}

// A test process that ends without stop() must not leave registries behind.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts verdaccio (no uplinks, web UI and audit off, sign-up closed, one generated publisher) on
 * a free loopback port with storage in a temp dir, and waits until `/-/ping` answers.
 */
export async function startVerdaccio(options: VerdaccioOptions): Promise<RunningVerdaccio> {
  const workDir = await mkdtemp(join(tmpdir(), 'hla-compass-verdaccio-'));
  try {
    const home = join(workDir, 'home');
    await mkdir(home);
    const password = randomBytes(18).toString('base64url');
    await writeFile(join(workDir, 'htpasswd'), htpasswdLine(PUBLISHER, password), { mode: 0o600 });
    const baseEnv = {
      ...environmentWithoutNpmConfig(),
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_STATE_HOME: join(home, '.local', 'state'),
    };
    const { child, port } = await onFreePort(async (port) => ({
      child: await startOnPort(options.bin, workDir, port, baseEnv),
      port,
    }));
    running.add(child);
    const url = `http://${LOOPBACK_HOST}:${port}/`;
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        await stopProcess(child);
        running.delete(child);
        await rm(workDir, { recursive: true, force: true });
      })();
      return stopping;
    };

    try {
      const token = await publishToken(url, PUBLISHER, password);
      const userConfig = join(workDir, 'npmrc');
      const globalConfig = join(workDir, 'global-npmrc');
      await writeFile(
        userConfig,
        `registry=${url}\n//${LOOPBACK_HOST}:${port}/:_authToken=${token}\n`,
        {
          mode: 0o600,
        },
      );
      await writeFile(globalConfig, '');
      const npmEnvironment: Record<string, string> = {
        ...baseEnv,
        NPM_CONFIG_USERCONFIG: userConfig,
        NPM_CONFIG_GLOBALCONFIG: globalConfig,
        npm_config_registry: url,
        npm_config_cache: join(workDir, 'npm-cache'),
        npm_config_update_notifier: 'false',
        npm_config_fund: 'false',
        npm_config_audit: 'false',
      };
      const runTool = async (tool: string, args: string[], cwd: string, what: string) => {
        const program = await findExecutable(tool, npmEnvironment.PATH);
        if (program === undefined) {
          throw new ServiceUnavailableError(
            SERVICE,
            `${what} needs ${tool} on PATH (\`node scripts/bootstrap.mjs\` installs pnpm)`,
          );
        }
        const result = await runProcess(program, args, { cwd, env: npmEnvironment });
        if (result.code !== 0) {
          throw new Error(
            `${what} failed with exit code ${result.code}:\n${`${result.stdout}\n${result.stderr}`.trim()}`,
          );
        }
      };
      return {
        url,
        port,
        storageDir: join(workDir, 'storage'),
        npmEnvironment,
        secrets: [password, token],
        publishTarball: async (tarball) => {
          const { name, document } = await publishDocument(url, tarball);
          const response = await fetch(`${url}${name.replace('/', '%2f')}`, {
            method: 'PUT',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(document),
          });
          const answer = await response.text();
          if (response.status !== 201 && response.status !== 200) {
            throw new Error(
              `publishing ${tarball} to ${url} answered HTTP ${response.status}: ${answer}`,
            );
          }
        },
        installGlobal: (spec, prefix) =>
          runTool(
            'npm',
            ['install', '--global', spec, '--prefix', prefix, '--registry', url],
            workDir,
            `installing ${spec} from ${url}`,
          ),
        stop,
      };
    } catch (error) {
      await stop();
      throw error;
    }
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}
