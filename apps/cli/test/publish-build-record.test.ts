// publish without --image-ref takes the tag the last build here recorded, whoever pushed it,
// and checks that the registry's image is that build and manifest.json has not changed since.
// The records are written as `hla-compass build` writes them; the images are pushed the way
// `docker push` leaves them (config digest = the engine's image id, the manifest-digest label).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestDigest } from '@hla-compass/manifest';
import { type JsonObject, parseJson } from '@hla-compass/signing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_RECORD_PATH, type BuildRecord } from '../src/build-record.js';
import { MANIFEST_DIGEST_LABEL } from '../src/docker/image-labels.js';
import { createSandbox, type Sandbox } from './cli-process.js';
import { type PublishingWorld, startPublishingWorld } from './publishing-world.js';
import { login, pointAtEmulator } from './sandbox-config.js';

let world: PublishingWorld;
let sandbox: Sandbox;
let moduleDir: string;
let count = 0;

beforeAll(async () => {
  world = await startPublishingWorld();
});
afterAll(async () => {
  await world?.stop();
});
beforeEach(async () => {
  sandbox = await createSandbox();
  await pointAtEmulator(sandbox, world);
  await login(sandbox, world.users.developer, 'dev');
  const name = `recorded-${++count}`;
  expect((await sandbox.run(['init', name])).code).toBe(0);
  moduleDir = join(sandbox.dir, name);
});
afterEach(async () => {
  await sandbox?.cleanup();
});

const name = () => `recorded-${count}`;
// Not the default tag (<publish config registry>/<name>:<version>), so only build.json can name it.
const tag = (version = '0.1.0') => `${world.plain.host}/your-org/seed/${name()}:${version}`;

async function currentManifestDigest(): Promise<string> {
  const text = await readFile(join(moduleDir, 'manifest.json'), 'utf8');
  return manifestDigest(parseJson(text) as JsonObject);
}

async function writeRecord(record: Partial<BuildRecord> & { imageRef: string; imageId: string }) {
  const full: BuildRecord = {
    version: 1,
    digest: null,
    pushed: false,
    platform: 'linux/amd64',
    manifestDigest: await currentManifestDigest(),
    moduleLayer: null,
    inputsDigest: null,
    reuse: null,
    builtAt: new Date().toISOString(),
    pushedAt: null,
    ...record,
  };
  await mkdir(join(moduleDir, '.hla-compass'), { recursive: true });
  await writeFile(join(moduleDir, BUILD_RECORD_PATH), JSON.stringify(full, null, 2));
}

async function editManifest(change: (manifest: Record<string, unknown>) => void): Promise<void> {
  const path = join(moduleDir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8'));
  change(manifest);
  await writeFile(path, JSON.stringify(manifest, null, 2));
}

const publish = (...args: string[]) =>
  sandbox.run(['publish', '--env', 'dev', ...args], { cwd: moduleDir });

async function versionsOf(module: string): Promise<unknown[]> {
  const shown = await sandbox.run(['modules', 'show', module, '--env', 'dev', '--json']);
  return shown.code === 0 ? JSON.parse(shown.stdout).versions : [];
}

describe('publish takes the image the last build recorded', () => {
  it('publishes a build pushed with docker push (build.json says not pushed), pinned to the registry digest', async () => {
    const labels = { [MANIFEST_DIGEST_LABEL]: await currentManifestDigest() };
    const { digest, configDigest } = await world.pushLabelledImage(tag(), labels);
    await writeRecord({ imageRef: tag(), imageId: configDigest });

    const result = await publish('--json');
    expect(result.stderr).not.toMatch(/is not the image|^error/m);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      moduleName: name(),
      version: '0.1.0',
      imageRef: `${world.plain.host}/your-org/seed/${name()}@${digest}`,
    });
    expect(result.stderr).toContain(`from ${tag()} (.hla-compass/build.json)`);
  });

  it('follows a version bump: build --tag …:0.2.0 recorded, pushed, published', async () => {
    await editManifest((manifest) => {
      manifest.version = '0.2.0';
    });
    const labels = { [MANIFEST_DIGEST_LABEL]: await currentManifestDigest() };
    const { digest, configDigest } = await world.pushLabelledImage(tag('0.2.0'), labels);
    await writeRecord({ imageRef: tag('0.2.0'), imageId: configDigest });

    const result = await publish();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Published ${name()}@0.2.0 to dev`);
    expect(result.stdout).toContain(`${world.plain.host}/your-org/seed/${name()}@${digest}`);
  });

  it('trusts the digest its own push recorded without asking the registry more', async () => {
    const { digest } = await world.pushLabelledImage(tag(), {});
    await writeRecord({
      imageRef: tag(),
      imageId: `sha256:${'c'.repeat(64)}`,
      pushed: true,
      digest,
      pushedAt: new Date().toISOString(),
    });
    const result = await publish('--dry-run', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ builtHere: 'pushed digest' });
  });

  it('recognises the same sources built reproducibly elsewhere (label and module layer) without a word', async () => {
    const labels = { [MANIFEST_DIGEST_LABEL]: await currentManifestDigest() };
    const { digest, topLayer } = await world.pushLabelledImage(tag(), labels);
    await writeRecord({
      imageRef: tag(),
      imageId: `sha256:${'b'.repeat(64)}`,
      moduleLayer: topLayer,
    });
    const result = await publish('--dry-run', '--json');
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('is not the image');
    expect(JSON.parse(result.stdout)).toMatchObject({
      builtHere: 'module layer',
      image: { digest },
    });
  });

  it('accepts an image of this manifest built elsewhere, with a warning', async () => {
    const labels = { [MANIFEST_DIGEST_LABEL]: await currentManifestDigest() };
    const { digest } = await world.pushLabelledImage(tag(), labels);
    await writeRecord({ imageRef: tag(), imageId: `sha256:${'d'.repeat(64)}` });

    const result = await publish('--json');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('is not the image the last build here made');
    expect(JSON.parse(result.stdout).image.digest).toBe(digest);
  });
});

describe('publish refuses an image that is not what was built here', () => {
  it('refuses a manifest.json changed since the build (exit 2), before anything is sent', async () => {
    const labels = { [MANIFEST_DIGEST_LABEL]: await currentManifestDigest() };
    const { configDigest } = await world.pushLabelledImage(tag(), labels);
    await writeRecord({ imageRef: tag(), imageId: configDigest });
    await editManifest((manifest) => {
      manifest.description = 'edited after the build';
    });

    const result = await publish('--json');
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'MANIFEST_CHANGED',
      message: expect.stringMatching(
        /^rebuild and push: manifest\.json changed since the image was built/,
      ),
      hint: expect.stringContaining('--image-ref'),
    });
    expect(await versionsOf(name())).toEqual([]);
  });

  it('refuses a registry image with another config and another manifest label (exit 2)', async () => {
    const { configDigest } = await world.pushLabelledImage(tag(), {
      [MANIFEST_DIGEST_LABEL]: `sha256:${'e'.repeat(64)}`,
    });
    await writeRecord({ imageRef: tag(), imageId: `sha256:${'f'.repeat(64)}` });

    const result = await publish();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: ${tag()} at the registry is not the image built here`);
    expect(result.stderr).toContain(`its config is ${configDigest}`);
    expect(result.stderr).toContain(`hint: push the last build`);
    expect(await versionsOf(name())).toEqual([]);
  });

  it('publishes another image on purpose with --image-ref, whatever build.json says', async () => {
    const labels = { [MANIFEST_DIGEST_LABEL]: await currentManifestDigest() };
    const { configDigest } = await world.pushLabelledImage(tag(), labels);
    await writeRecord({ imageRef: tag(), imageId: configDigest });
    await editManifest((manifest) => {
      manifest.description = 'edited after the build';
    });
    const other = await world.pushLabelledImage(
      `${world.plain.host}/your-org/${name()}-ci:0.1.0`,
      {},
    );

    const result = await publish('--image-ref', `${world.plain.host}/your-org/${name()}-ci:0.1.0`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`@${other.digest}`);
  });

  it('says Image not found when the recorded tag was never pushed (exit 1)', async () => {
    await writeRecord({ imageRef: tag(), imageId: `sha256:${'a'.repeat(64)}` });
    const result = await publish();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: Image not found: ${tag()} is not in its registry`);
    expect(result.stderr).toContain(`docker push ${tag()}`);
  });
});
