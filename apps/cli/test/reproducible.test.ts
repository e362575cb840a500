// Reproducible images: the same module sources give the same image on one engine (the rebuild
// reuses every cached step, the push sends nothing, the digests are equal), and the same module
// layer on two engines that share nothing; a changed file changes both. The built CLI against
// real engines and a real registry, with the checkouts' file times and modes made to differ.
import { chmod, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryClient } from '@hla-compass/registry-client';
import { BASE_IMAGE_TAG, type RunningRegistry, startRegistry } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';
import {
  BUILD_FLAGS,
  type DockerWorld,
  initModule,
  runDocker,
  startDockerWorld,
} from './docker-world.js';

let first: DockerWorld;
let second: DockerWorld;
let registry: RunningRegistry;
let sandbox: Sandbox;
beforeAll(async () => {
  [first, second, registry] = await Promise.all([
    startDockerWorld({ fresh: true }),
    startDockerWorld({ fresh: true }),
    startRegistry(),
  ]);
}, 180_000);
afterAll(() => Promise.all([first?.stop(), second?.stop(), registry?.stop()]));
beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(() => sandbox.cleanup());

interface Built {
  imageId: string;
  upToDate: boolean;
  created: string;
  createdFrom: string;
}

async function build(world: DockerWorld, dir: string, tag: string): Promise<Built> {
  const result = await runDocker(sandbox, world, dir, [
    'build',
    '--tag',
    tag,
    ...BUILD_FLAGS,
    '--json',
  ]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Built;
}

async function push(world: DockerWorld, dir: string): Promise<{ digest: string; pushed: boolean }> {
  const result = await runDocker(sandbox, world, dir, ['push', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

/** The uncompressed digests of an image's layers, bottom first (its config's rootfs.diff_ids). */
async function layersOf(world: DockerWorld, image: string): Promise<string[]> {
  return (await world.docker.getImage(image).inspect()).RootFS.Layers ?? [];
}

/** The layer blobs of the manifest the registry holds under `reference`. */
async function registryLayers(reference: string): Promise<string[]> {
  const fetched = await new RegistryClient().getManifest(reference);
  if (fetched.status !== 'found') throw new Error(`${reference}: ${fetched.status}`);
  const manifest = JSON.parse(Buffer.from(fetched.body).toString('utf8')) as {
    layers: { digest: string }[];
  };
  return manifest.layers.map((layer) => layer.digest);
}

/** What another checkout of the same files looks like: other times, a group-writable umask. */
async function touchLikeAnotherCheckout(dir: string): Promise<void> {
  const later = new Date(Date.now() + 86_400_000);
  for (const file of ['manifest.json', 'backend/main.py']) {
    await utimes(join(dir, file), later, later);
    await chmod(join(dir, file), 0o664);
  }
}

describe('reproducible images', { timeout: 240_000 }, () => {
  it('rebuilds unchanged sources to the same image from the cache, and pushes it as a no-op with the same digest', async () => {
    const dir = await initModule(sandbox, 'repro-one');
    const tag = `${registry.host}/your-org/repro-one:1.0.0`;
    const built = await build(first, dir, tag);
    expect(built).toMatchObject({ upToDate: false, createdFrom: 'content' });
    expect(built.created).toBe('1970-01-01T00:00:00.000Z');
    const pushed = await push(first, dir);
    expect(pushed.pushed).toBe(true);

    await touchLikeAnotherCheckout(dir);
    const rebuilt = await runDocker(sandbox, first, dir, ['build', '--tag', tag, ...BUILD_FLAGS]);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toContain(
      `✓ ${tag} is up to date: the same sources gave the same image`,
    );
    expect(rebuilt.stdout).toContain(`image id    ${built.imageId}`);
    // Nothing was built at all: the inputs are those of the last build and the tag names its image.
    expect(rebuilt.stderr).not.toMatch(/Step \d+\/|Running in|Removing intermediate/);

    const again = await push(first, dir);
    expect(again).toMatchObject({ pushed: false, digest: pushed.digest });
    const record = JSON.parse(await readFile(join(dir, '.hla-compass', 'build.json'), 'utf8'));
    expect(record).toMatchObject({ imageId: built.imageId, pushed: true, digest: pushed.digest });

    // --no-cache, and a base image tag that now names another image, build again.
    const forced = await runDocker(sandbox, first, dir, [
      'build',
      '--tag',
      tag,
      ...BUILD_FLAGS,
      '--no-cache',
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/Step 1\//);
    const newBase = await first.docker.createContainer({ Image: BASE_IMAGE_TAG, Cmd: ['/bin/sh'] });
    const [baseRepo, baseTag] = BASE_IMAGE_TAG.split(':');
    await newBase.commit({ repo: baseRepo, tag: baseTag, changes: ['ENV REBASED=1'] });
    await newBase.remove();
    const rebased = await build(first, dir, tag);
    expect(rebased.upToDate).toBe(false);
    expect(rebased.imageId).not.toBe(built.imageId);
  });

  it('gives the module layer the same digest on two engines that share nothing; a changed file changes it', async () => {
    const dir = await initModule(sandbox, 'repro-two');
    const here = `${registry.host}/your-org/repro-two:here`;
    const there = `${registry.host}/your-org/repro-two:there`;
    await build(first, dir, here);
    await touchLikeAnotherCheckout(dir);
    await build(second, dir, there);
    const layersHere = await layersOf(first, here);
    const layersThere = await layersOf(second, there);
    expect(layersHere.at(-1)).toBe(layersThere.at(-1));

    // Pushed from each engine, the module layer is the same blob at the registry.
    for (const [world, tag] of [
      [first, here],
      [second, there],
    ] as const) {
      const pushed = await runDocker(sandbox, world, dir, ['push', tag]);
      expect(pushed.code, pushed.stderr).toBe(0);
    }
    expect((await registryLayers(here)).at(-1)).toBe((await registryLayers(there)).at(-1));

    await writeFile(join(dir, 'backend', 'main.py'), '# changed\n', { flag: 'a' });
    const changed = await build(first, dir, here);
    expect(changed.upToDate).toBe(false);
    expect((await layersOf(first, here)).at(-1)).not.toBe(layersHere.at(-1));
  });
});
