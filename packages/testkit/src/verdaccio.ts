// A local npm registry for tests: verdaccio on a free loopback port with no uplinks, so whatever is
// installed from it is exactly what the test published there, and nothing comes from the internet.
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from './executables.js';
import { LOOPBACK_HOST, onFreePort } from './ports.js';
import { killAtExit, spawnService, untilAnswers } from './service-process.js';
import { ServiceUnavailableError } from './service-unavailable.js';
import { definedEnvironment, runProcess, stopProcess } from './subprocess.js';

const SERVICE = 'The local npm registry (verdaccio)';
const READY_TIMEOUT_MS = 30_000;
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
  const service = spawnService(process.execPath, [bin, '--config', configPath], {
    ...env,
    VERDACCIO_HANDLE_KILL_SIGNALS: 'true',
  });
  try {
    await untilAnswers(service, {
      service: SERVICE,
      name: 'verdaccio',
      endpoint: '/-/ping',
      answers: () => answersPing(`http://${LOOPBACK_HOST}:${port}/`),
      timeoutMs: READY_TIMEOUT_MS,
      pollMs: 50,
      portInUse: { port, log: /EADDRINUSE/ },
    });
  } catch (error) {
    await stopProcess(service.child);
    throw error;
  }
  return service.child;
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

/**
 * Starts verdaccio (no uplinks, web UI and audit off, sign-up closed, one generated publisher) on
 * a free loopback port with storage in a temp dir, and waits until `/-/ping` answers.
 */
export async function startVerdaccio(options: VerdaccioOptions): Promise<RunningVerdaccio> {
  const workDir = await mkdtemp(join(tmpdir(), 'hla-compass-verdaccio-'));
  try {
    const { password, baseEnv } = await preparePublisher(workDir);
    const { child, port } = await onFreePort(async (port) => ({
      child: await startOnPort(options.bin, workDir, port, baseEnv),
      port,
    }));
    const forget = killAtExit(child);
    const url = `http://${LOOPBACK_HOST}:${port}/`;
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        await stopProcess(child);
        forget();
        await rm(workDir, { recursive: true, force: true });
      })();
      return stopping;
    };
    try {
      const token = await publishToken(url, PUBLISHER, password);
      const npmEnvironment = await writeNpmConfig(workDir, url, token, baseEnv);
      return {
        url,
        port,
        storageDir: join(workDir, 'storage'),
        npmEnvironment,
        secrets: [password, token],
        publishTarball: (tarball) => publishTarball(url, token, tarball),
        installGlobal: (spec, prefix) =>
          runNpmTool(
            npmEnvironment,
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

/**
 * The one publisher in the htpasswd file, with a random password, and the environment verdaccio
 * and npm run with: the parent's without npm settings, and a temp HOME and XDG dirs.
 */
async function preparePublisher(
  workDir: string,
): Promise<{ password: string; baseEnv: Record<string, string> }> {
  const home = join(workDir, 'home');
  await mkdir(home);
  const password = randomBytes(18).toString('base64url');
  await writeFile(join(workDir, 'htpasswd'), htpasswdLine(PUBLISHER, password), { mode: 0o600 });
  return {
    password,
    baseEnv: {
      ...environmentWithoutNpmConfig(),
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_STATE_HOME: join(home, '.local', 'state'),
    },
  };
}

/** A user npmrc naming this registry and the token, an empty global one, and a temp cache. */
async function writeNpmConfig(
  workDir: string,
  url: string,
  token: string,
  baseEnv: Record<string, string>,
): Promise<Record<string, string>> {
  const userConfig = join(workDir, 'npmrc');
  const globalConfig = join(workDir, 'global-npmrc');
  const { host } = new URL(url);
  await writeFile(userConfig, `registry=${url}\n//${host}/:_authToken=${token}\n`, {
    mode: 0o600,
  });
  await writeFile(globalConfig, '');
  return {
    ...baseEnv,
    NPM_CONFIG_USERCONFIG: userConfig,
    NPM_CONFIG_GLOBALCONFIG: globalConfig,
    npm_config_registry: url,
    npm_config_cache: join(workDir, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

/** What `npm publish <tgz>` sends: one PUT of the tarball with its own package.json. */
async function publishTarball(url: string, token: string, tarball: string): Promise<void> {
  const { name, document } = await publishDocument(url, tarball);
  const response = await fetch(`${url}${name.replace('/', '%2f')}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(document),
  });
  const answer = await response.text();
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`publishing ${tarball} to ${url} answered HTTP ${response.status}: ${answer}`);
  }
}

/** Runs npm (or pnpm) against this registry only; a non-zero exit is an error with its output. */
async function runNpmTool(
  npmEnvironment: Record<string, string>,
  tool: string,
  args: string[],
  cwd: string,
  what: string,
): Promise<void> {
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
}
