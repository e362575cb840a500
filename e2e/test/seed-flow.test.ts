// The platform's own documentation, run literally with the installed CLI and the Docker CLI:
// the quick start (build --tag, docker push, publish --env dev) and Version Management (bump,
// build --tag …:1.0.1, push, publish), then a manifest edited after its image was pushed,
// which publish refuses before anything is sent.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryDigest } from './registry-manifest.js';
import { newUserMachine, type UserMachine, world } from './user-machine.js';

async function editManifest(dir: string, change: (manifest: Record<string, unknown>) => void) {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8'));
  change(manifest);
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** `docker push REF` with the Docker CLI; returns the digest it printed. */
async function dockerPush(machine: UserMachine, imageRef: string): Promise<string> {
  const push = await machine.docker(['push', imageRef]);
  expect(push.stderr).toBe('');
  expect(push.code).toBe(0);
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
  expect(digest).toBeDefined();
  return digest as string;
}

describe('the seed’s own flow', () => {
  it('quick start and Version Management with docker push, as written; a manifest changed since the build is refused', async () => {
    const machine = await newUserMachine();
    const dir = await machine.init('my-module');
    await editManifest(dir, (manifest) => {
      manifest.version = '1.0.0';
    });
    const repository = `${world.plainRegistry}/your-org/my-module`;
    await machine.login('developer', 'dev');
    const build = (tag: string) =>
      machine.hlaCompass(['build', '--tag', tag, '--base-image', world.baseImage], { cwd: dir });
    const publish = (...args: string[]) =>
      machine.hlaCompass(['publish', '--env', 'dev', ...args], { cwd: dir });

    // Quick start: hla-compass build --tag …:1.0.0, docker push …:1.0.0, hla-compass publish --env dev
    expect((await build(`${repository}:1.0.0`)).code).toBe(0);
    const first = await dockerPush(machine, `${repository}:1.0.0`);
    const published = await publish();
    expect(published.stderr).not.toMatch(/^error|is not the image/m);
    // The tag the build recorded, not a default made up from the publish config.
    expect(published.stderr).toContain(`from ${repository}:1.0.0 (.hla-compass/build.json)`);
    expect(published.code).toBe(0);
    expect(published.stdout).toContain('Published my-module@1.0.0 to dev (scope org): APPROVED');
    expect(published.stdout).toContain(`image        ${repository}@${first}`);

    // Version Management: bump the version, build with the new tag, push, publish.
    await editManifest(dir, (manifest) => {
      manifest.version = '1.0.1';
    });
    expect((await build(`${repository}:1.0.1`)).code).toBe(0);
    const second = await dockerPush(machine, `${repository}:1.0.1`);
    const bumped = await publish('--json');
    expect(bumped.code).toBe(0);
    expect(JSON.parse(bumped.stdout)).toMatchObject({
      version: '1.0.1',
      state: 'APPROVED',
      image: { repository, digest: second },
    });
    expect(await registryDigest(repository, '1.0.1')).toBe(second);

    // A manifest edited after its image was built and pushed: refused, nothing sent.
    await editManifest(dir, (manifest) => {
      manifest.version = '1.0.2';
      manifest.description = 'edited after the image was pushed';
    });
    const stale = await publish();
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain(
      `error: rebuild and push: manifest.json changed since the image was built (${repository}:1.0.1`,
    );
    expect(stale.stderr).toMatch(/^hint: run `hla-compass build` and push the new image/m);

    const shown = await machine.hlaCompass([
      'modules',
      'show',
      'my-module',
      '--env',
      'dev',
      '--json',
    ]);
    expect(shown.code).toBe(0);
    const versions: { version: string; digest: string }[] = JSON.parse(shown.stdout).versions;
    expect(versions.map(({ version, digest }) => [version, digest]).sort()).toEqual([
      ['1.0.0', first],
      ['1.0.1', second],
    ]);

    // Rebuilt and pushed, the edited manifest publishes as 1.0.2.
    expect((await build(`${repository}:1.0.2`)).code).toBe(0);
    const third = await dockerPush(machine, `${repository}:1.0.2`);
    const rebuilt = await publish();
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toContain(`image        ${repository}@${third}`);
  });
});
