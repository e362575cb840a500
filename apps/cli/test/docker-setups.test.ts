// The Docker setups users really have, against the real engine, registries and docker CLI: an
// engine reached through a Docker context or over TLS, a `credsStore` helper that is missing or
// fails, Podman/skopeo auth files, and build output with NO_COLOR. Each case is compared with
// what the docker CLI does in the same setup.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { promisify } from 'node:util';
import { type RunningRegistry, runProcess, startRegistry } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PATH, createSandbox, type Sandbox } from './cli-process.js';
import {
  BUILD_FLAGS,
  type DockerWorld,
  dockerConfigDir,
  initModule,
  startDockerWorld,
} from './docker-world.js';

const run = promisify(execFile);
const PUSHER = { username: 'pusher', password: 'setups-secret-91c4' };
const HOST_PLATFORM = `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`;
const OTHER_PLATFORM = HOST_PLATFORM === 'linux/amd64' ? 'linux/arm64' : 'linux/amd64';

let world: DockerWorld;
let plain: RunningRegistry;
let guarded: RunningRegistry;
let sandbox: Sandbox;
beforeAll(async () => {
  [world, plain, guarded] = await Promise.all([
    startDockerWorld(),
    startRegistry(),
    startRegistry({ htpasswd: PUSHER }),
  ]);
  world.removeOnStop(`${plain.host}/`);
  world.removeOnStop(`${guarded.host}/`);
}, 180_000);
afterAll(() => Promise.all([world?.stop(), plain?.stop(), guarded?.stop()]));
beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(() => sandbox.cleanup());

/** The sandbox's environment with only a Docker config (no DOCKER_HOST): what a laptop has. */
function configEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ ...sandbox.env, DOCKER_CONFIG: dockerConfigDir(sandbox), ...extra }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}

function hla(cwd: string, args: readonly string[], env: Record<string, string>) {
  return runProcess(process.execPath, [CLI_PATH, ...args], {
    cwd,
    env,
  });
}

function docker(args: readonly string[], env: Record<string, string>, stdin?: string) {
  return runProcess('docker', args, { env, ...(stdin === undefined ? {} : { stdin }) });
}

async function writeConfig(config: unknown): Promise<void> {
  await mkdir(dockerConfigDir(sandbox), { recursive: true });
  await writeFile(join(dockerConfigDir(sandbox), 'config.json'), JSON.stringify(config));
}

/** A context as `docker context create NAME --docker host=HOST` stores it. */
async function writeContext(name: string, host: string): Promise<void> {
  const id = createHash('sha256').update(name).digest('hex');
  const dir = join(dockerConfigDir(sandbox), 'contexts', 'meta', id);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'meta.json'),
    JSON.stringify({
      Name: name,
      Metadata: {},
      Endpoints: { docker: { Host: host, SkipTLSVerify: false } },
    }),
  );
}

/** A module built on the world's engine (through DOCKER_HOST) and tagged `tag`. */
async function builtModule(name: string, tag: string): Promise<string> {
  const dir = await initModule(sandbox, name);
  const built = await hla(
    dir,
    ['build', '--tag', tag, ...BUILD_FLAGS],
    configEnv({ DOCKER_HOST: world.engine.dockerHost }),
  );
  expect(built.code, built.stderr).toBe(0);
  return dir;
}

describe('the engine of the current Docker context', { timeout: 120_000 }, () => {
  it('is the one build uses without DOCKER_HOST, the one `docker info` reports', async () => {
    await writeContext('colima', world.engine.dockerHost);
    await writeConfig({ currentContext: 'colima' });
    const env = configEnv();
    const viaContext = await docker(['info', '--format', '{{.ID}}'], env);
    const direct = await docker(
      ['info', '--format', '{{.ID}}'],
      configEnv({ DOCKER_HOST: world.engine.dockerHost }),
    );
    expect(viaContext.code, viaContext.stderr).toBe(0);
    expect(viaContext.stdout).toBe(direct.stdout);

    const dir = await initModule(sandbox, 'in-context');
    const built = await hla(dir, ['build', '--tag', 'ctx/in-context:1', ...BUILD_FLAGS], env);
    expect(built.code, built.stderr).toBe(0);
    const image = await world.docker.getImage('ctx/in-context:1').inspect();
    const record = JSON.parse(await readFile(join(dir, '.hla-compass', 'build.json'), 'utf8'));
    expect(record.imageId).toBe(image.Id);
    await world.docker.getImage(image.Id).remove({ force: true });
  });

  it('gives way to DOCKER_CONTEXT, and a dead one is exit 4 naming the context, as docker fails', async () => {
    await writeContext('colima', world.engine.dockerHost);
    await writeContext('gone', `unix://${join(sandbox.dir, 'gone.sock')}`);
    await writeConfig({ currentContext: 'colima' });
    const env = configEnv({ DOCKER_CONTEXT: 'gone' });
    expect((await docker(['info'], env)).code).not.toBe(0);
    const dir = await initModule(sandbox, 'gone-context');
    const result = await hla(dir, ['build', ...BUILD_FLAGS, '--tag', 'ctx/gone:1'], env);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      `cannot reach the Docker engine at unix://${join(sandbox.dir, 'gone.sock')} (Docker context "gone")`,
    );
  });

  it('refuses a context that does not exist (exit 2), with `docker context ls` to list them', async () => {
    const dir = await initModule(sandbox, 'no-context');
    const env = configEnv({ DOCKER_CONTEXT: 'nowhere' });
    const result = await hla(dir, ['build', '--tag', 'ctx/nowhere:1', ...BUILD_FLAGS], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the Docker context "nowhere" does not exist');
    expect(result.stderr).toContain('`docker context ls`');
    expect((await docker(['context', 'ls'], configEnv())).code).toBe(0);
  });

  it('refuses ssh:// with the socket forwarding that works instead', async () => {
    const dir = await initModule(sandbox, 'over-ssh');
    const result = await hla(
      dir,
      ['build', '--tag', 'ssh/over-ssh:1', ...BUILD_FLAGS],
      configEnv({ DOCKER_HOST: 'ssh://alice@build-host' }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "hint: forward the engine's socket and point DOCKER_HOST at it: `ssh -nNT -L /tmp/docker.sock:/var/run/docker.sock alice@build-host`",
    );
    expect(result.stderr).toContain('`DOCKER_HOST=unix:///tmp/docker.sock hla-compass …`');
  });
});

describe('an engine over TLS (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH)', { timeout: 120_000 }, () => {
  let server: Server | undefined;
  afterEach(
    () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  );

  /** A CA, a server certificate for 127.0.0.1 and a client certificate, as `docker --tlsverify` wants. */
  async function certificates(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const ssl = (args: string[]) => run('openssl', args, { cwd: dir });
    await ssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=test-ca',
      '-keyout',
      'ca-key.pem',
      '-out',
      'ca.pem',
    ]);
    for (const [name, ext] of [
      ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
      ['client', 'extendedKeyUsage=clientAuth'],
    ] as const) {
      await writeFile(join(dir, `${name}.ext`), `${ext}\n`);
      await ssl([
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        `${name}-key.pem`,
        '-out',
        `${name}.csr`,
      ]);
      await ssl([
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca-key.pem',
        '-CAcreateserial',
        '-days',
        '1',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.pem`,
      ]);
    }
    // The names docker reads from DOCKER_CERT_PATH.
    await writeFile(join(dir, 'cert.pem'), await readFile(join(dir, 'client.pem')));
    await writeFile(join(dir, 'key.pem'), await readFile(join(dir, 'client-key.pem')));
  }

  it('builds through a tcp:// engine that requires a client certificate, as `docker --tlsverify` does', async () => {
    const certs = join(sandbox.dir, 'certs');
    await certificates(certs);
    // The engine's API behind a TLS listener that verifies clients: what `dockerd --tlsverify` serves.
    server = createServer(
      {
        key: await readFile(join(certs, 'server-key.pem')),
        cert: await readFile(join(certs, 'server.pem')),
        ca: await readFile(join(certs, 'ca.pem')),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => {
        const engine = connect(world.engine.socketPath);
        socket.pipe(engine).pipe(socket);
        socket.on('error', () => engine.destroy());
        engine.on('error', () => socket.destroy());
      },
    );
    const port = await new Promise<number>((resolve) =>
      server?.listen(0, '127.0.0.1', () => {
        const address = server?.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      }),
    );
    const env = configEnv({
      DOCKER_HOST: `tcp://127.0.0.1:${port}`,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certs,
    });
    const info = await docker(['info', '--format', '{{.ID}}'], env);
    expect(info.code, info.stderr).toBe(0);

    const dir = await initModule(sandbox, 'over-tls');
    const built = await hla(dir, ['build', '--tag', 'tls/over-tls:1', ...BUILD_FLAGS], env);
    expect(built.code, built.stderr).toBe(0);
    // The same build again: the fast path leaves a TLS engine to the full command, which answers.
    const again = await hla(dir, ['build', '--tag', 'tls/over-tls:1', ...BUILD_FLAGS], env);
    expect(again.code, again.stderr).toBe(0);
    expect(`${again.stdout}${again.stderr}`).toContain('is up to date');
    await world.docker.getImage('tls/over-tls:1').remove({ force: true });

    // Incomplete TLS files are the user's configuration to fix (exit 2), not an unreachable engine.
    await rm(join(certs, 'key.pem'));
    const broken = await hla(dir, ['build', '--tag', 'tls/over-tls:1', ...BUILD_FLAGS], env);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${join(certs, 'key.pem')} cannot be read`);
  });
});

describe('credential helpers that are missing or fail', { timeout: 120_000 }, () => {
  /** A helper that fails the way a locked keychain does, on the sandbox's PATH. */
  async function brokenHelperPath(): Promise<string> {
    const bin = join(sandbox.dir, 'bin');
    await mkdir(bin, { recursive: true });
    const helper = join(bin, 'docker-credential-broken');
    await writeFile(helper, '#!/bin/sh\necho "keychain is locked" >&2\nexit 1\n');
    await chmod(helper, 0o755);
    return `${bin}:${sandbox.env.PATH}`;
  }

  it('credsStore "desktop" copied to Linux: push to an anonymous registry succeeds, as docker push does', async () => {
    const tag = `${plain.host}/your-org/desktop-store:0.1.0`;
    const dir = await builtModule('desktop-store', tag);
    await writeConfig({ credsStore: 'desktop' });
    const env = configEnv({ DOCKER_HOST: world.engine.dockerHost });
    const result = await hla(dir, ['push', tag], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'warning: credential helper docker-credential-desktop failed: docker-credential-desktop is not on PATH; going on without it, as docker does',
    );
    expect(result.stderr).toContain(
      'install docker-credential-desktop, or remove "credsStore" from',
    );
    const pushed = await docker(['push', tag], env);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(result.stderr).not.toContain('this is a bug');
  });

  it('a failing helper falls back to config.json auths, as docker does, and never prints them', async () => {
    const tag = `${guarded.host}/your-org/broken-store:0.1.0`;
    const dir = await builtModule('broken-store', tag);
    const auth = Buffer.from(`${PUSHER.username}:${PUSHER.password}`).toString('base64');
    await writeConfig({ credsStore: 'broken', auths: { [guarded.host]: { auth } } });
    const env = configEnv({ DOCKER_HOST: world.engine.dockerHost, PATH: await brokenHelperPath() });
    const pushed = await docker(['push', tag], env);
    expect(pushed.code, pushed.stderr).toBe(0);

    const result = await hla(dir, ['push', tag], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'docker-credential-broken failed: exit code 1: keychain is locked',
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(PUSHER.password);
    expect(`${result.stdout}${result.stderr}`).not.toContain(auth);
  });

  it('a failing helper and no other credentials: the refusal says to fix the helper, and that hint works', async () => {
    const tag = `${guarded.host}/your-org/no-creds:0.1.0`;
    const dir = await builtModule('no-creds', tag);
    await writeConfig({ credsStore: 'broken' });
    const env = configEnv({ DOCKER_HOST: world.engine.dockerHost, PATH: await brokenHelperPath() });
    expect((await docker(['push', tag], env)).stderr).toContain('no basic auth credentials');

    const refused = await hla(dir, ['push', tag], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toContain('this is a bug');
    const configPath = join(dockerConfigDir(sandbox), 'config.json');
    expect(refused.stderr).toContain(
      `hint: fix docker-credential-broken (\`echo ${guarded.host} | docker-credential-broken get\` shows its error), or remove "credsStore" from ${configPath} and run \`docker login ${guarded.host}\``,
    );
    // The hint, followed: the helper's error shows, then without credsStore docker login works.
    const shown = await runProcess(
      'sh',
      ['-c', `echo ${guarded.host} | docker-credential-broken get`],
      { env },
    );
    expect(shown.stderr).toContain('keychain is locked');
    await writeConfig({});
    const login = await docker(
      ['login', guarded.host, '--username', PUSHER.username, '--password-stdin'],
      env,
      PUSHER.password,
    );
    expect(login.code, login.stderr).toBe(0);
    const result = await hla(dir, ['push', tag], env);
    expect(result.code, result.stderr).toBe(0);
  });

  it('a Docker config hla-compass cannot read: exit 2 with the file and the fix, as usage, not a bug', async () => {
    const tag = `${plain.host}/your-org/broken-config:0.1.0`;
    const dir = await builtModule('broken-config', tag);
    await writeConfig({ auths: 'not an object' });
    const env = configEnv({ DOCKER_HOST: world.engine.dockerHost });
    const result = await hla(dir, ['push', tag, '--json'], env);
    expect(result.code, result.stderr).toBe(2);
    const configPath = join(dockerConfigDir(sandbox), 'config.json');
    expect(result.stderr).toContain(
      `error: Docker config ${configPath} is invalid: "auths" must be an object`,
    );
    expect(result.stderr).toContain(
      'hint: fix the Docker config (DOCKER_CONFIG, else ~/.docker/config.json), or log in again with `docker login`',
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'DOCKER_CONFIG_INVALID' } });
  });
});

describe('Podman and skopeo auth files', { timeout: 120_000 }, () => {
  const authFile = () =>
    JSON.stringify({
      auths: {
        [guarded.host]: {
          auth: Buffer.from(`${PUSHER.username}:${PUSHER.password}`).toString('base64'),
        },
      },
    });

  it.each([
    ['REGISTRY_AUTH_FILE', 'custom/auth.json'],
    ['XDG_RUNTIME_DIR', 'run/containers/auth.json'],
    ['HOME', 'home/.config/containers/auth.json'],
  ] as const)(
    'pushes with the login in %s’s auth.json, never printing it',
    async (variable, path) => {
      const name = `podman-${variable.toLowerCase().replaceAll('_', '-')}`;
      const tag = `${guarded.host}/your-org/${name}:0.1.0`;
      const dir = await builtModule(name, tag);
      const file = join(sandbox.dir, path);
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(file, authFile());
      await writeConfig({});
      const extra =
        variable === 'REGISTRY_AUTH_FILE'
          ? { REGISTRY_AUTH_FILE: file }
          : variable === 'XDG_RUNTIME_DIR'
            ? { XDG_RUNTIME_DIR: join(sandbox.dir, 'run') }
            : {};
      const env = configEnv({ DOCKER_HOST: world.engine.dockerHost, ...extra });
      const result = await hla(dir, ['push', tag, '--verbose'], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(
        `Docker credentials for ${guarded.host} from auth-file (${file})`,
      );
      expect(`${result.stdout}${result.stderr}`).not.toContain(PUSHER.password);
    },
  );
});

describe('build output without colour', { timeout: 120_000 }, () => {
  it('takes the escape sequences out of what a step prints, with NO_COLOR and when piped', async () => {
    const dir = await initModule(sandbox, 'coloured');
    await writeFile(
      join(dir, 'Dockerfile'),
      `FROM ${BUILD_FLAGS[1]}\nRUN printf '\\033[31mred step output\\033[0m\\n'\n`,
    );
    for (const extra of [{ NO_COLOR: '1' }, {}]) {
      const result = await hla(
        dir,
        ['build', '--tag', 'colour/coloured:1', '--no-cache', ...BUILD_FLAGS],
        configEnv({ DOCKER_HOST: world.engine.dockerHost, ...extra }),
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('\nred step output\n');
      expect(result.stderr).not.toContain('\u001b');
    }
    // FORCE_COLOR keeps the step's own colours.
    const forced = await hla(
      dir,
      ['build', '--tag', 'colour/coloured:1', '--no-cache', ...BUILD_FLAGS],
      configEnv({ DOCKER_HOST: world.engine.dockerHost, FORCE_COLOR: '1' }),
    );
    expect(forced.stderr).toContain('\u001b[31mred step output');
    await world.docker.getImage('colour/coloured:1').remove({ force: true });
  });
});

describe('build hints and platforms', { timeout: 120_000 }, () => {
  const base = ['--base-image', BUILD_FLAGS[1] ?? ''];
  const env = () => configEnv({ DOCKER_HOST: world.engine.dockerHost });

  it('a base image the engine cannot get: the hint is --base-image, and it works', async () => {
    const dir = await initModule(sandbox, 'unpullable');
    const result = await hla(
      dir,
      ['build', '--tag', 'hint/unpullable:1', '--base-image', '127.0.0.1:9/nowhere/base:1'],
      env(),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: the image build failed at Step 1\/\d+ : FROM 127\.0\.0\.1:9\/nowhere\/base:1/m,
    );
    const hint = /^hint: (.*)$/m.exec(result.stderr)?.[1] ?? '';
    expect(hint).toContain(
      'build on one it has with `--base-image IMAGE` (`docker images` lists them',
    );
    expect(hint).not.toContain('fix the step');
    const images = await docker(['images', '--format', '{{.Repository}}:{{.Tag}}'], env());
    expect(images.stdout).toContain(BUILD_FLAGS[1]);
    const rebuilt = await hla(dir, ['build', '--tag', 'hint/unpullable:1', ...BUILD_FLAGS], env());
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    await world.docker.getImage('hint/unpullable:1').remove({ force: true });
  });

  it('refuses a --platform list with buildx and publish --image-ref as the way', async () => {
    const dir = await initModule(sandbox, 'multi-arch');
    const tag = `${plain.host}/your-org/multi-arch:0.1.0`;
    const result = await hla(
      dir,
      ['build', '--tag', tag, '--platform', 'linux/amd64,linux/arm64', ...base],
      env(),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--platform takes one platform, not a list');
    expect(result.stderr).toContain(
      `\`docker buildx build --platform linux/amd64,linux/arm64 --tag ${tag} --push .\``,
    );
    expect(result.stderr).toContain(`\`hla-compass publish --image-ref ${tag}\``);
  });

  it('records the platform the image really has, warning when it is not the one asked for', async () => {
    const dir = await initModule(sandbox, 'other-arch');
    // The classic builder runs a RUN step on a base of another platform as it is.
    await writeFile(join(dir, 'Dockerfile'), `FROM ${BUILD_FLAGS[1]}\nRUN echo built\n`);
    const result = await hla(
      dir,
      ['build', '--tag', 'plat/other-arch:1', '--platform', OTHER_PLATFORM],
      env(),
    );
    expect(result.code, result.stderr).toBe(0);
    const image = await world.docker.getImage('plat/other-arch:1').inspect();
    expect(`${image.Os}/${image.Architecture}`).toBe(HOST_PLATFORM);
    expect(result.stderr).toContain(
      `warning: the image is ${HOST_PLATFORM}, not ${OTHER_PLATFORM}`,
    );
    const record = JSON.parse(await readFile(join(dir, '.hla-compass', 'build.json'), 'utf8'));
    expect(record.platform).toBe(HOST_PLATFORM);
    await world.docker.getImage(image.Id).remove({ force: true });
  });

  it('a generated build the engine refuses for the platform: the hinted --platform works', async () => {
    const dir = await initModule(sandbox, 'refused-arch');
    const result = await hla(
      dir,
      ['build', '--tag', 'plat/refused-arch:1', '--platform', OTHER_PLATFORM, ...base],
      env(),
    );
    expect(result.code).toBe(1);
    const hint = /^hint: (.*)$/m.exec(result.stderr)?.[1] ?? '';
    expect(hint).toContain(`build for it with \`--platform ${HOST_PLATFORM}\``);
    const again = await hla(
      dir,
      ['build', '--tag', 'plat/refused-arch:1', '--platform', HOST_PLATFORM, ...base],
      env(),
    );
    expect(again.code, again.stderr).toBe(0);
    await world.docker.getImage('plat/refused-arch:1').remove({ force: true });
  });
});
