// Provisions, once per run, everything the scenarios drive, all on loopback and in temp dirs: a
// Docker engine and a local base image, a plain and an htpasswd registry, the emulator seeded for
// them, and the CLI installed from a local verdaccio. Stops and removes all of it at the end.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BASE_IMAGE_TAG,
  ensureBaseImage,
  packInstalled,
  runProcess,
  startDockerEngine,
  startEmulator,
  startPrebuildHost,
  startRegistry,
  startVerdaccio,
} from '@hla-compass/testkit';
import type { TestProject } from 'vitest/node';
import { e2eSeed, seedAccounts, seedSecrets } from './e2e-seed.js';
import { dockerCli, installMissingPrograms } from './host-programs.js';
import {
  cliPackage,
  EMULATOR_BIN,
  installCli,
  MIRROR_CACHE,
  PUBLISHED_PACKAGES,
  packWorkspacePackages,
  platformPackage,
  publishTarballs,
  runtimeDependencies,
  VERDACCIO_BIN,
} from './installed-cli.js';
import { Provisioning, stopOnSignals } from './provisioning.js';
import type { E2eWorld } from './world.js';

const REGISTRY_USER = 'e2e-pusher';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const provisioning = new Provisioning();
  const restoreSignals = stopOnSignals(provisioning);
  const teardown = async () => {
    await provisioning.stopAll();
    restoreSignals();
  };
  try {
    project.provide('world', await provision(provisioning));
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

async function provision(provisioning: Provisioning): Promise<E2eWorld> {
  const start = performance.now();
  const scratchDir = await mkdtemp(join(tmpdir(), 'hla-compass-e2e-'));
  provisioning.started('the scratch dir', () => rm(scratchDir, { recursive: true, force: true }));
  await provisioning.step(
    'docker, docker-registry, htpasswd',
    installMissingPrograms,
    (installed) => (installed.length === 0 ? 'present' : `apt-get install ${installed.join(' ')}`),
  );
  // Three independent lanes; each registers what it starts as soon as it runs, so a failure in
  // one still stops what the others started.
  const [docker, registries, cli] = await Promise.allSettled([
    dockerLane(provisioning),
    registryLane(provisioning),
    cliLane(provisioning, scratchDir),
  ]);
  const world = {
    scratchDir,
    ...fulfilled(docker),
    ...fulfilled(registries),
    ...fulfilled(cli),
    secrets: [...fulfilled(registries).secrets, ...fulfilled(cli).secrets],
  };
  if (!world.privateEngine) {
    // From an engine that was already running (Docker Desktop, a system dockerd) only what this
    // run built goes; a private engine goes whole, with its data dir.
    const { dockerCli, dockerHost } = world;
    const prefixes = [world.plainRegistry, world.guardedRegistry.host];
    provisioning.started('the images this run built', () =>
      removeImages(dockerCli, dockerHost, prefixes),
    );
  }
  process.stderr.write(
    `[e2e setup] ready: ${((performance.now() - start) / 1000).toFixed(2)} s in all\n`,
  );
  const { privateEngine: _, ...provided } = world;
  return provided;
}

function fulfilled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

type DockerLane = Pick<E2eWorld, 'dockerHost' | 'dockerCli' | 'baseImage'> & {
  readonly privateEngine: boolean;
};

async function dockerLane(provisioning: Provisioning): Promise<DockerLane> {
  const docker = await dockerCli();
  const engine = await provisioning.step(
    'Docker engine',
    () => startDockerEngine(),
    (started) =>
      `${started.private ? 'private dockerd' : 'already running'} at ${started.dockerHost}`,
  );
  provisioning.started('the Docker engine', () => engine.stop());
  const { dockerHost } = engine;
  const present = await runProcess(docker, [
    '--host',
    dockerHost,
    'image',
    'inspect',
    BASE_IMAGE_TAG,
  ]);
  await provisioning.step(`base image ${BASE_IMAGE_TAG}`, () => ensureBaseImage(dockerHost));
  if (!engine.private && present.code !== 0) {
    provisioning.started('the base image', async () => {
      await runProcess(docker, ['--host', dockerHost, 'image', 'rm', BASE_IMAGE_TAG]);
    });
  }
  return {
    dockerHost,
    dockerCli: docker,
    baseImage: BASE_IMAGE_TAG,
    privateEngine: engine.private,
  };
}

/** Removes every image tagged under one of the registries (a `HOST/NAMESPACE/NAME` reference). */
async function removeImages(
  docker: string,
  dockerHost: string,
  registries: string[],
): Promise<void> {
  const ids = new Set<string>();
  for (const registry of registries) {
    const listed = await runProcess(docker, [
      '--host',
      dockerHost,
      'image',
      'ls',
      '--quiet',
      '--filter',
      `reference=${registry}/*/*`,
    ]);
    for (const id of listed.stdout.split('\n')) if (id.trim() !== '') ids.add(id.trim());
  }
  if (ids.size > 0) {
    await runProcess(docker, ['--host', dockerHost, 'image', 'rm', '--force', ...ids]);
  }
}

type RegistryLane = Pick<
  E2eWorld,
  'plainRegistry' | 'guardedRegistry' | 'emulatorUrl' | 'accounts' | 'secrets'
>;

async function registryLane(provisioning: Provisioning): Promise<RegistryLane> {
  const plain = await provisioning.step(
    'plain registry',
    () => startRegistry(),
    (started) => started.host,
  );
  provisioning.started('the plain registry', () => plain.stop());
  const password = randomBytes(18).toString('base64url');
  const guarded = await provisioning.step(
    'htpasswd registry',
    () => startRegistry({ htpasswd: { username: REGISTRY_USER, password } }),
    (started) => started.host,
  );
  provisioning.started('the htpasswd registry', () => guarded.stop());
  const seed = await e2eSeed(plain.port, guarded.host);
  const emulator = await provisioning.step(
    'emulator',
    () => startEmulator({ bin: EMULATOR_BIN, seed }),
    (started) => `${started.url}, temp data dir`,
  );
  provisioning.started('the emulator', () => emulator.stop());
  return {
    plainRegistry: plain.host,
    guardedRegistry: { host: guarded.host, username: REGISTRY_USER, password },
    emulatorUrl: emulator.url,
    accounts: seedAccounts(seed),
    secrets: [password, ...seedSecrets(seed)],
  };
}

type CliLane = Pick<
  E2eWorld,
  'cliBin' | 'cliVersion' | 'verdaccioUrl' | 'platformPackage' | 'sqliteBinaryHost' | 'secrets'
>;

async function cliLane(provisioning: Provisioning, scratchDir: string): Promise<CliLane> {
  const verdaccio = await provisioning.step(
    'verdaccio',
    () => startVerdaccio({ bin: VERDACCIO_BIN }),
    (started) => `${started.url}, no uplinks`,
  );
  provisioning.started('verdaccio', () => verdaccio.stop());
  const dependencies = await runtimeDependencies();
  const sqlite = dependencies.find((installed) => installed.name === 'better-sqlite3');
  if (sqlite === undefined) throw new Error('better-sqlite3 is not among the runtime dependencies');
  // Packing is CPU and publishing is one tarball at a time: everything is packed (and the prebuild
  // host started) at once, then published, the workspace's packages first.
  const [workspaceTarballs, tarballs, prebuildHost] = await Promise.all([
    provisioning.step(`pack ${PUBLISHED_PACKAGES.join(', ')}`, () =>
      packWorkspacePackages(join(scratchDir, 'npm-workspace'), verdaccio.npmEnvironment),
    ),
    provisioning.step(
      `npm pack ${dependencies.length} runtime dependencies from node_modules`,
      () =>
        packInstalled(dependencies, join(scratchDir, 'npm-mirror'), verdaccio.npmEnvironment, {
          cacheDir: MIRROR_CACHE,
        }),
      (packed) =>
        `${packed.filter((tarball) => tarball.startsWith(MIRROR_CACHE)).length} kept from an earlier run`,
    ),
    provisioning.step(
      `prebuild host for better-sqlite3@${sqlite.version}`,
      async () => {
        // scripts/node-matrix.mjs keeps each Node's addon under compiled/<node>/<platform>/<arch>/
        // and none in build/Release; a plain install has it in build/Release.
        const compiled = `compiled/${process.versions.node}/${process.platform}/${process.arch}/better_sqlite3.node`;
        const host = await startPrebuildHost({
          packageDir: sqlite.dir,
          addon: 'build/Release/better_sqlite3.node',
          ...(existsSync(join(sqlite.dir, compiled)) ? { addonSource: compiled } : {}),
        });
        provisioning.started('the prebuild host', () => host.stop());
        return host;
      },
      (host) => `${host.url}${host.tarballPath}`,
    ),
  ]);
  await provisioning.step('publish them to verdaccio', () =>
    publishTarballs(verdaccio, workspaceTarballs),
  );
  const prefix = join(scratchDir, 'npm-global');
  // The CLI is one bundle: its install reads nothing the mirror publishes meanwhile.
  const [cliBin] = await Promise.all([
    provisioning.step(`npm install -g @hla-compass/cli --prefix ${prefix}`, () =>
      installCli(verdaccio, prefix),
    ),
    provisioning.step(`publish the ${tarballs.length} runtime dependencies to verdaccio`, () =>
      publishTarballs(verdaccio, tarballs),
    ),
  ]);
  return {
    cliBin,
    cliVersion: (await cliPackage()).version,
    verdaccioUrl: verdaccio.url,
    platformPackage: await platformPackage(),
    sqliteBinaryHost: { url: prebuildHost.url, variable: prebuildHost.environmentVariable },
    secrets: verdaccio.secrets,
  };
}
