// The emulator's container image as the image test drives it: built offline from apps/platform's
// Dockerfile (the base is this machine's Node, the package comes from the run's verdaccio, the
// SQLite addon from its prebuild host), run on a network of the test's own, its health read the
// way Docker reports it, and a TCP relay on that network's gateway to this machine's registry.
import { randomBytes } from 'node:crypto';
import { createServer, type Server, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  ensureNodeBaseImage,
  NODE_BASE_IMAGE_TAG,
  type ProcessResult,
  runProcess,
} from '@hla-compass/testkit';
import type { E2eWorld } from './world.js';

/** apps/platform: the build context (its .dockerignore leaves everything but the Dockerfile out). */
export const PLATFORM_CONTEXT = fileURLToPath(new URL('../../apps/platform', import.meta.url));

export type Docker = (args: readonly string[]) => Promise<ProcessResult>;

/** `docker --host <the world's engine> ARGS`, its exit code a result to assert on. */
export function dockerOf(world: E2eWorld): Docker {
  return (args) => runProcess(world.dockerCli, ['--host', world.dockerHost, ...args]);
}

/** `docker ARGS` that must succeed: its trimmed stdout, or an error with its stderr. */
export async function must(docker: Docker, args: readonly string[]): Promise<string> {
  const result = await docker(args);
  if (result.code !== 0) {
    throw new Error(
      `docker ${args.slice(0, 2).join(' ')} failed (${result.code}): ${result.stderr.trim()}`,
    );
  }
  return result.stdout.trim();
}

export interface BuiltImage {
  readonly tag: string;
  readonly seconds: number;
  readonly bytes: number;
}

/** `docker build --network host` of apps/platform with the offline build arguments. */
export async function buildPlatformImage(world: E2eWorld, docker: Docker): Promise<BuiltImage> {
  await ensureNodeBaseImage(world.dockerHost);
  const tag = `hla-compass-test/platform:${world.platformPackage.version}-${randomBytes(4).toString('hex')}`;
  const start = performance.now();
  await must(docker, [
    'build',
    '--network',
    'host',
    '--tag',
    tag,
    '--build-arg',
    `NODE_IMAGE=${NODE_BASE_IMAGE_TAG}`,
    '--build-arg',
    `PLATFORM_VERSION=${world.platformPackage.version}`,
    '--build-arg',
    `NPM_CONFIG_REGISTRY=${world.verdaccioUrl}`,
    '--build-arg',
    `${world.sqliteBinaryHost.variable}=${world.sqliteBinaryHost.url}`,
    PLATFORM_CONTEXT,
  ]);
  const seconds = (performance.now() - start) / 1000;
  const bytes = Number(await must(docker, ['image', 'inspect', '--format', '{{.Size}}', tag]));
  return { tag, seconds, bytes };
}

/** Docker's own view of a container's health: `starting`, `healthy`, `unhealthy`. */
export async function healthStatus(docker: Docker, container: string): Promise<string> {
  return must(docker, ['inspect', '--format', '{{.State.Health.Status}}', container]);
}

/** Waits for `healthy` and returns the seconds it took from `since`; throws on `unhealthy`. */
export async function waitHealthy(
  docker: Docker,
  container: string,
  since: number,
  timeoutMs = 120_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await healthStatus(docker, container);
    if (status === 'healthy') return (performance.now() - since) / 1000;
    if (status === 'unhealthy' || Date.now() > deadline) {
      const logs = await docker(['logs', '--tail', '20', container]);
      throw new Error(`${container} is ${status}; its log ends:\n${logs.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A user-defined bridge network of this test and its gateway (this machine's side of it). */
export async function createNetwork(
  docker: Docker,
  name: string,
): Promise<{ name: string; gateway: string }> {
  await must(docker, ['network', 'create', name]);
  const gateway = await must(docker, [
    'network',
    'inspect',
    '--format',
    '{{(index .IPAM.Config 0).Gateway}}',
    name,
  ]);
  return { name, gateway };
}

export interface Relay {
  /** `gateway:port`, where the container connects. */
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * Listens on `host` (the network's gateway) and pipes every connection to `target`
 * (`127.0.0.1:PORT`): the container's way to this machine's loopback registry.
 */
export function startRelay(host: string, target: string): Promise<Relay> {
  const [targetHost, targetPort] = [
    target.slice(0, target.lastIndexOf(':')),
    Number(target.slice(target.lastIndexOf(':') + 1)),
  ];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.once('error', close).once('close', close);
    upstream.once('error', close).once('close', close);
    upstream.connect(targetPort, targetHost, () => {
      client.pipe(upstream).pipe(client);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      resolve({
        address: `${host}:${port}`,
        stop: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
