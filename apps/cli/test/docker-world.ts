// What the build and push suites share: a real Docker engine from the testkit with the local base
// image in it, and sandboxes whose DOCKER_HOST and DOCKER_CONFIG point at it and at a temp
// Docker config. No engine is a thrown ServiceUnavailableError: the suite fails, never skips.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  BASE_IMAGE_TAG,
  ensureBaseImage,
  type RunningDockerEngine,
  startDockerEngine,
} from '@hla-compass/testkit';
import Docker from 'dockerode';
import { expect } from 'vitest';
import type { RunOptions, Sandbox } from './cli-process.js';

export interface DockerWorld {
  readonly engine: RunningDockerEngine;
  /** A client of the same engine, to inspect what the CLI built. */
  readonly docker: Docker;
  /** A repository namespace of this run (`hla-compass-test/run-…`) for images built here. */
  readonly namespace: string;
  /** Images tagged under `prefix` (a test registry's `host/`) are removed by stop() too. */
  removeOnStop(prefix: string): void;
  /**
   * Stops a private engine (its images go with it). On a shared engine, removes the images
   * this run tagged under its namespace and the registered prefixes; the base image stays.
   */
  stop(): Promise<void>;
}

/** `fresh`: an engine of its own even where one runs already (nothing shared, no cache). */
export async function startDockerWorld(options: { fresh?: boolean } = {}): Promise<DockerWorld> {
  const engine = await startDockerEngine({ fresh: options.fresh ?? false });
  try {
    await ensureBaseImage(engine.dockerHost);
  } catch (error) {
    await engine.stop();
    throw error;
  }
  const docker = new Docker({ socketPath: engine.socketPath });
  const namespace = `hla-compass-test/run-${randomBytes(4).toString('hex')}`;
  const prefixes = [`${namespace}/`];
  return {
    engine,
    docker,
    namespace,
    removeOnStop: (prefix) => {
      prefixes.push(prefix);
    },
    async stop() {
      if (!engine.private) {
        for (const image of await docker.listImages()) {
          const ours = (image.RepoTags ?? []).some((tag) =>
            prefixes.some((prefix) => tag.startsWith(prefix)),
          );
          if (ours) await docker.getImage(image.Id).remove({ force: true });
        }
      }
      await engine.stop();
    },
  };
}

/** The flags every test build passes: the local base image, the host's platform off x86-64. */
export const BUILD_FLAGS: readonly string[] = [
  '--base-image',
  BASE_IMAGE_TAG,
  ...(process.arch === 'x64' ? [] : ['--platform', `linux/${process.arch}`]),
];

/** What build.json says the platform is when the tests build with BUILD_FLAGS. */
export const BUILD_PLATFORM = `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`;

/** The sandbox's environment for Docker commands: this engine, a Docker config of its own. */
export function dockerEnv(sandbox: Sandbox, world: DockerWorld): Record<string, string> {
  return { DOCKER_HOST: world.engine.dockerHost, DOCKER_CONFIG: dockerConfigDir(sandbox) };
}

export function dockerConfigDir(sandbox: Sandbox): string {
  return join(sandbox.dir, 'docker-config');
}

/** `hla-compass init NAME` in the sandbox; the module's directory. */
export async function initModule(
  sandbox: Sandbox,
  name: string,
  template: 'no-ui' | 'with-ui' = 'no-ui',
): Promise<string> {
  const result = await sandbox.run(['init', name, '--template', template]);
  expect(result.code).toBe(0);
  return join(sandbox.dir, name);
}

/** Runs the CLI in `cwd` with this world's Docker environment (plus `env`). */
export function runDocker(
  sandbox: Sandbox,
  world: DockerWorld,
  cwd: string,
  args: readonly string[],
  options: RunOptions = {},
) {
  return sandbox.run(args, {
    ...options,
    cwd,
    env: { ...dockerEnv(sandbox, world), ...options.env },
  });
}
