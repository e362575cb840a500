// `hla-compass push` and `build --push` as users run them: the built CLI, a real Docker engine
// (testkit) and real docker-registry instances on loopback, one open and one behind htpasswd.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryClient } from '@hla-compass/registry-client';
import { freePort, type RunningRegistry, startRegistry } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';
import {
  BUILD_FLAGS,
  type DockerWorld,
  dockerConfigDir,
  initModule,
  runDocker,
  startDockerWorld,
} from './docker-world.js';

const PUSHER = { username: 'pusher', password: 'push-test-secret-7f3a' };

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

async function buildRecord(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(dir, '.hla-compass', 'build.json'), 'utf8'));
}

/** The digest the registry answers for a tag (Docker-Content-Digest), read without the engine. */
async function registryDigest(reference: string, credentials?: typeof PUSHER): Promise<string> {
  const client = new RegistryClient({
    credentials: async () =>
      credentials === undefined ? undefined : { kind: 'basic', ...credentials },
  });
  const resolution = await client.resolveManifest(reference);
  if (resolution.status !== 'found') throw new Error(`${reference}: ${resolution.status}`);
  return resolution.digest;
}

async function writeDockerConfig(registry: string, user: typeof PUSHER): Promise<void> {
  await mkdir(dockerConfigDir(sandbox), { recursive: true });
  const auth = Buffer.from(`${user.username}:${user.password}`).toString('base64');
  await writeFile(
    join(dockerConfigDir(sandbox), 'config.json'),
    JSON.stringify({ auths: { [registry]: { auth } } }),
  );
}

describe('push', { timeout: 120_000 }, () => {
  it('pushes the last build, prints the digest the registry stores and records it', async () => {
    const dir = await initModule(sandbox, 'peptide-scorer');
    const built = await runDocker(sandbox, world, dir, [
      'build',
      '--registry',
      `${plain.host}/your-org`,
      ...BUILD_FLAGS,
    ]);
    expect(built.code, built.stderr).toBe(0);
    const before = await buildRecord(dir);

    const pushed = await runDocker(sandbox, world, dir, ['push']);
    expect(pushed.code, pushed.stderr).toBe(0);
    const tag = `${plain.host}/your-org/peptide-scorer:0.1.0`;
    const digest = await registryDigest(tag);
    const repository = `${plain.host}/your-org/peptide-scorer`;
    expect(pushed.stdout).toBe(`✓ Pushed ${repository}@${digest}\n`);
    expect(pushed.stderr).toMatch(/^[0-9a-f]{12}: Pushed$/m);
    expect(await buildRecord(dir)).toEqual({
      ...before,
      digest,
      pushed: true,
      pushedAt: expect.any(String),
    });

    // A second push of the same image streams nothing: the registry already has it.
    const again = await runDocker(sandbox, world, dir, ['push', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      imageRef: tag,
      repository,
      digest,
      pinnedRef: `${repository}@${digest}`,
      pushed: false,
      recorded: true,
    });
    expect(again.stderr).toContain(`${tag} is already at the registry: nothing to push`);
    expect(again.stderr).not.toMatch(/Layer already exists|Pushed$/m);
  });

  it('builds and pushes in one go with build --push', async () => {
    const dir = await initModule(sandbox, 'one-go');
    const tag = `${plain.host}/your-org/one-go:2.0.0`;
    const result = await runDocker(sandbox, world, dir, [
      'build',
      '--tag',
      tag,
      '--push',
      ...BUILD_FLAGS,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const digest = await registryDigest(tag);
    expect(JSON.parse(result.stdout)).toMatchObject({
      imageRef: tag,
      pushed: true,
      digest,
      pinnedRef: `${plain.host}/your-org/one-go@${digest}`,
    });
    expect(await buildRecord(dir)).toMatchObject({ imageRef: tag, pushed: true, digest });
  });

  it('is refused by an htpasswd registry without credentials: exit 1 and the docker login hint', async () => {
    const dir = await initModule(sandbox, 'guarded');
    const tag = `${guarded.host}/your-org/guarded:0.1.0`;
    expect(
      (await runDocker(sandbox, world, dir, ['build', '--tag', tag, ...BUILD_FLAGS])).code,
    ).toBe(0);
    const result = await runDocker(sandbox, world, dir, ['push']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: ${guarded.host} refused the push of `, 'm'));
    expect(result.stderr).toContain(`hint: run \`docker login ${guarded.host}\`\n`);
    expect(await buildRecord(dir)).toMatchObject({ pushed: false, digest: null });
  });

  it('pushes to an htpasswd registry with the credentials of the Docker config, never printing them', async () => {
    const dir = await initModule(sandbox, 'guarded-ok');
    const tag = `${guarded.host}/your-org/guarded-ok:0.1.0`;
    expect(
      (await runDocker(sandbox, world, dir, ['build', '--tag', tag, ...BUILD_FLAGS])).code,
    ).toBe(0);
    await writeDockerConfig(guarded.host, PUSHER);
    const result = await runDocker(sandbox, world, dir, ['push', '--verbose']);
    expect(result.code, result.stderr).toBe(0);
    const digest = await registryDigest(tag, PUSHER);
    expect(result.stdout).toContain(`@${digest}`);
    expect(result.stderr).toContain(`Docker credentials for ${guarded.host} from config-auths`);
    const printed = `${result.stdout}${result.stderr}`;
    expect(printed).not.toContain(PUSHER.password);
    expect(printed).not.toContain(
      Buffer.from(`${PUSHER.username}:${PUSHER.password}`).toString('base64'),
    );
  });

  it('names the registry with exit 4 when nothing answers there', async () => {
    const dir = await initModule(sandbox, 'nowhere');
    const registry = `127.0.0.1:${await freePort()}`;
    world.removeOnStop(`${registry}/`);
    const tag = `${registry}/your-org/nowhere:0.1.0`;
    expect(
      (await runDocker(sandbox, world, dir, ['build', '--tag', tag, ...BUILD_FLAGS])).code,
    ).toBe(0);
    const result = await runDocker(sandbox, world, dir, ['push', tag]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      new RegExp(`^error: cannot reach the registry ${registry}: .*connection refused`, 'm'),
    );
  });

  it('pushes a REF that is not the last build without touching build.json', async () => {
    const dir = await initModule(sandbox, 'recorded');
    const first = `${plain.host}/your-org/recorded:1`;
    const other = `${plain.host}/your-org/other-module:1`;
    expect(
      (await runDocker(sandbox, world, dir, ['build', '--tag', other, ...BUILD_FLAGS])).code,
    ).toBe(0);
    await writeFile(join(dir, 'backend', 'extra.py'), 'VALUE = 1\n');
    expect(
      (await runDocker(sandbox, world, dir, ['build', '--tag', first, ...BUILD_FLAGS])).code,
    ).toBe(0);
    const before = await buildRecord(dir);
    const result = await runDocker(sandbox, world, dir, ['push', other, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ imageRef: other, recorded: false });
    expect(result.stderr).toContain('.hla-compass/build.json not updated');
    expect(await buildRecord(dir)).toEqual(before);
  });

  it.each([
    [[], /nothing to push: no REF given and no \.hla-compass\/build\.json here/],
    [
      ['127.0.0.1:5999/your-org/never-built:1'],
      /the Docker engine has no image 127\.0\.0\.1:5999\/your-org\/never-built:1/,
    ],
    [['Not/A:Ref'], /invalid image reference/],
  ])('refuses %j with exit 2', async (args, message) => {
    const result = await runDocker(sandbox, world, sandbox.dir, ['push', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('refuses a build.json it cannot read with exit 2 and how to fix it', async () => {
    await mkdir(join(sandbox.dir, '.hla-compass'));
    await writeFile(join(sandbox.dir, '.hla-compass', 'build.json'), '{"version": 7}');
    const result = await runDocker(sandbox, world, sandbox.dir, ['push']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '.hla-compass/build.json is not a build record hla-compass can read',
    );
    expect(result.stderr).toContain(
      'hint: delete .hla-compass/build.json and run `hla-compass build` again',
    );
  });
});
