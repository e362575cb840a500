// The local platform as a container image (apps/platform/Dockerfile), built offline from the
// published package and run the way docker-compose.yml runs it: on a network of its own, its port
// published on 127.0.0.1 only, its data in a volume. The emulator then sees the host's requests
// come from the network's gateway, never from loopback, so the control token alone guards
// /_emulator; images are checked at this run's registry through the registry-endpoint mapping.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort, runProcess } from '@hla-compass/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eSeed } from '../setup/e2e-seed.js';
import {
  type BuiltImage,
  buildPlatformImage,
  createNetwork,
  dockerOf,
  must,
  type Relay,
  startRelay,
  waitHealthy,
} from '../setup/platform-image.js';
import { buildAndPush } from './module-image.js';
import { newUserMachine, type UserMachine, world } from './user-machine.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const docker = dockerOf(world);
const suffix = randomBytes(4).toString('hex');
const container = `hla-compass-platform-${suffix}`;
const volume = `hla-compass-platform-data-${suffix}`;
const networkName = `hla-compass-e2e-${suffix}`;
const controlToken = `hlc_emu_${randomBytes(24).toString('base64url')}`;

let image: BuiltImage;
let relay: Relay | undefined;
let network: { name: string; gateway: string } | undefined;
let url: string;
let hostPort: number;
let startToHealthy: number;

async function runContainer(): Promise<number> {
  const since = performance.now();
  await must(docker, [
    'run',
    '--detach',
    '--name',
    container,
    '--network',
    networkName,
    '--network-alias',
    'platform',
    '--publish',
    `127.0.0.1:${hostPort}:4100`,
    '--volume',
    `${volume}:/data`,
    '--env',
    'HLA_COMPASS_EMULATOR_TOKEN',
    '--env',
    `HLA_COMPASS_PLATFORM_PUBLIC_URL=${url}`,
    '--env',
    'HLA_COMPASS_PLATFORM_ALLOWED_HOSTS=platform',
    '--env',
    `HLA_COMPASS_PLATFORM_REGISTRY_ENDPOINTS=${world.plainRegistry}=${relay?.address}`,
    image.tag,
  ]);
  return waitHealthy(docker, container, since);
}

beforeAll(async () => {
  image = await buildPlatformImage(world, docker);
  network = await createNetwork(docker, networkName);
  relay = await startRelay(network.gateway, world.plainRegistry);
  hostPort = await freePort();
  url = `http://127.0.0.1:${hostPort}`;
  // The token goes to the container through the environment of `docker run`, not its arguments.
  process.env.HLA_COMPASS_EMULATOR_TOKEN = controlToken;
  startToHealthy = await runContainer();
  process.stderr.write(
    `[platform image] build ${image.seconds.toFixed(1)} s, ${(image.bytes / 1e6).toFixed(0)} MB, start to healthy ${startToHealthy.toFixed(1)} s\n`,
  );
}, 600_000);

afterAll(async () => {
  delete process.env.HLA_COMPASS_EMULATOR_TOKEN;
  await docker(['rm', '--force', '--volumes', container]);
  await docker(['volume', 'rm', '--force', volume]);
  await relay?.stop();
  if (network !== undefined) await docker(['network', 'rm', network.name]);
  if (image !== undefined) await docker(['image', 'rm', '--force', image.tag]);
});

const control = (path: string, token: string | undefined, body?: unknown) =>
  fetch(`${url}/_emulator/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { 'x-emulator-token': token }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** The installed CLI against the container's dev env (HLA_API_ENDPOINT beats the config file). */
function atContainer(machine: UserMachine) {
  return (args: readonly string[], options: { cwd?: string; stdin?: string } = {}) =>
    machine.hlaCompass(args, { ...options, env: { HLA_API_ENDPOINT: `${url}/dev` } });
}

describe('the platform image', () => {
  it('is healthy by Docker’s own check, runs as uid 1000 and carries OCI labels', async () => {
    expect(await must(docker, ['inspect', '--format', '{{.State.Health.Status}}', container])).toBe(
      'healthy',
    );
    expect(
      await must(docker, [
        'exec',
        container,
        'node',
        '-e',
        'process.stdout.write(process.getuid() + ":" + process.getgid())',
      ]),
    ).toBe('1000:1000');
    const labels = JSON.parse(
      await must(docker, ['image', 'inspect', '--format', '{{json .Config.Labels}}', image.tag]),
    ) as Record<string, string>;
    expect(labels).toMatchObject({
      'org.opencontainers.image.title': 'hla-compass-platform',
      'org.opencontainers.image.version': world.platformPackage.version,
      'org.opencontainers.image.licenses': 'MIT',
    });
    const mounts = JSON.parse(
      await must(docker, ['inspect', '--format', '{{json .Mounts}}', container]),
    ) as { Type: string; Name: string; Destination: string }[];
    expect(mounts).toContainEqual(
      expect.objectContaining({ Type: 'volume', Name: volume, Destination: '/data' }),
    );
  });

  it('prints URLs a user outside the container can use, never 0.0.0.0', async () => {
    const logs = await docker(['logs', container]);
    expect(logs.stdout).toContain(`listening on ${url}`);
    expect(logs.stdout).toContain(`${url}/dev`);
    expect(logs.stdout).not.toContain('0.0.0.0');
  });

  it('answers its compose service name on the network, and refuses a Host it was not given', async () => {
    const status = (target: string) =>
      must(docker, [
        'exec',
        container,
        'node',
        '-e',
        `fetch('http://${target}:4100/healthz').then((r) => process.stdout.write(String(r.status)))`,
      ]);
    expect(await status('platform')).toBe('200');
    const address = await must(docker, [
      'inspect',
      '--format',
      '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
      container,
    ]);
    expect(await status(address)).toBe('403');
  });

  it('answers /_emulator/reset from the host with the control token (200) and refuses it without (403)', async () => {
    const reset = await control('reset', controlToken);
    expect(reset.status).toBe(200);
    const refused = await control('reset', undefined);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('FORBIDDEN');
    const wrong = await control('reset', `hlc_emu_${'x'.repeat(40)}`);
    expect(wrong.status).toBe(403);
  });

  it('publishes with the installed CLI an image it checks at this run’s registry, refuses a viewer, and keeps it in the volume across a restart', async () => {
    const seed = await e2eSeed(
      Number(world.plainRegistry.split(':')[1]),
      world.guardedRegistry.host,
    );
    expect((await control('seed', controlToken, seed)).status).toBe(200);

    const machine = await newUserMachine();
    const cli = atContainer(machine);
    const dir = await machine.init('in-a-container');
    const pushed = await buildAndPush(machine, dir, `${world.plainRegistry}/your-org`);
    const login = async (role: 'viewer' | 'developer') => {
      const account = world.accounts[role];
      const result = await cli(
        ['auth', 'login', '--env', 'dev', '--email', account.email, '--password-stdin'],
        { stdin: `${account.password}\n` },
      );
      expect(result.code).toBe(0);
    };

    await login('viewer');
    const refused = await cli(['publish', '--env', 'dev'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Module publish requires developer access');

    await login('developer');
    const publish = await cli(['publish', '--env', 'dev', '--json'], { cwd: dir });
    expect(publish.stderr).not.toMatch(/^error/m);
    expect(publish.code).toBe(0);
    expect(JSON.parse(publish.stdout)).toMatchObject({
      state: 'APPROVED',
      image: { repository: pushed.repository, digest: pushed.digest },
    });

    const stopped = await must(docker, ['stop', container]);
    expect(stopped).toBe(container);
    const since = performance.now();
    await must(docker, ['start', container]);
    await waitHealthy(docker, container, since);
    const shown = await cli(['modules', 'show', 'in-a-container', '--env', 'dev', '--json']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout).versions).toHaveLength(1);
  });
});

describe('docker-compose.yml', () => {
  it('is a valid compose file whose platform service publishes 127.0.0.1:4100, keeps /data in a volume and has a healthcheck', async () => {
    const plugin = await runProcess(world.dockerCli, ['compose', 'version']);
    const [command, prefix] =
      plugin.code === 0 ? [world.dockerCli, ['compose']] : ['docker-compose', []];
    const config = await runProcess(
      command,
      [...prefix, '--file', 'docker-compose.yml', 'config'],
      {
        cwd: REPOSITORY_ROOT,
        env: { PATH: process.env.PATH },
      },
    );
    expect(config.stderr).toBe('');
    expect(config.code).toBe(0);
    const platform = config.stdout.slice(
      config.stdout.indexOf('\n  platform:'),
      config.stdout.indexOf('\n  registry:'),
    );
    expect(platform).toMatch(/127\.0\.0\.1:4100:4100/);
    expect(platform).toContain('platform-data:/data');
    expect(platform).toContain('healthcheck:');
    expect(platform).toContain(
      'HLA_COMPASS_PLATFORM_REGISTRY_ENDPOINTS: 127.0.0.1:5000=registry:5000',
    );
    expect(platform).toContain('HLA_COMPASS_PLATFORM_ALLOWED_HOSTS: platform');
  });
});
