// The way a module reaches the platform, walked as a user walks it with the CLI installed from the
// local npm registry: init → validate → build → push → publish → modules list; the same with
// `docker push` instead of `hla-compass push`; and environments that stay apart.
import { describe, expect, it } from 'vitest';
import { buildAndPush } from './module-image.js';
import { registryDigest } from './registry-manifest.js';
import { newUserMachine, world } from './user-machine.js';

describe('publishing a module with the installed CLI', () => {
  it('init → validate → build → push → publish (scope org) → modules list shows it, pinned to the registry digest', async () => {
    const machine = await newUserMachine();
    const version = await machine.hlaCompass(['--version']);
    expect(version.stdout.trim()).toBe(world.cliVersion);

    const dir = await machine.init('golden-path');
    const validate = await machine.hlaCompass(['validate', '--json'], { cwd: dir });
    expect(validate.code).toBe(0);
    expect(JSON.parse(validate.stdout)).toEqual({ valid: true, issues: [] });

    const repository = `${world.plainRegistry}/your-org/golden-path`;
    const build = await machine.hlaCompass(
      ['build', '--base-image', world.baseImage, '--registry', `${world.plainRegistry}/your-org`],
      { cwd: dir },
    );
    expect(build.code).toBe(0);
    expect(build.stdout).toContain(`Built ${repository}:0.1.0`);
    expect(build.stdout).toContain(`(generated, FROM ${world.baseImage})`);

    const push = await machine.hlaCompass(['push'], { cwd: dir });
    expect(push.code).toBe(0);
    const digest = await registryDigest(repository, '0.1.0');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(push.stdout).toContain(`Pushed ${repository}@${digest}`);

    await machine.login('developer', 'dev');
    const publish = await machine.hlaCompass(['publish', '--env', 'dev'], { cwd: dir });
    expect(publish.code).toBe(0);
    expect(publish.stdout).toContain('Published golden-path@0.1.0 to dev (scope org): APPROVED');
    expect(publish.stdout).toContain(`image        ${repository}@${digest}`);

    const list = await machine.hlaCompass(['modules', 'list', '--env', 'dev', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).modules).toContainEqual(
      expect.objectContaining({
        moduleName: 'golden-path',
        currentVersion: '0.1.0',
        imageRef: `${repository}@${digest}`,
      }),
    );
    const table = await machine.hlaCompass(['modules', 'list', '--env', 'dev']);
    expect(table.stdout).toMatch(/^golden-path\s/m);
  });

  it('publishes an image pushed by the Docker CLI (docker push, then publish --image-ref) with --json', async () => {
    const machine = await newUserMachine();
    const dir = await machine.init('docker-pushed');
    const imageRef = `${world.plainRegistry}/your-org/docker-pushed:0.1.0`;
    const build = await machine.hlaCompass(
      ['build', '--base-image', world.baseImage, '--tag', imageRef],
      { cwd: dir },
    );
    expect(build.code).toBe(0);

    const push = await machine.docker(['push', imageRef]);
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    const dockerDigest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
    expect(dockerDigest).toBeDefined();

    await machine.login('developer', 'dev');
    const publish = await machine.hlaCompass(
      ['publish', '--env', 'dev', '--image-ref', imageRef, '--json'],
      { cwd: dir },
    );
    expect(publish.code).toBe(0);
    expect(JSON.parse(publish.stdout)).toEqual({
      publishId: expect.any(String),
      moduleId: expect.any(String),
      versionId: expect.any(String),
      moduleName: 'docker-pushed',
      version: '0.1.0',
      environment: 'dev',
      scope: 'org',
      state: 'APPROVED',
      status: 'completed',
      image: { repository: `${world.plainRegistry}/your-org/docker-pushed`, digest: dockerDigest },
      imageRef: `${world.plainRegistry}/your-org/docker-pushed@${dockerDigest}`,
      keyFingerprint: null,
    });
  });

  it('keeps environments apart: published to dev, absent from prod', async () => {
    const machine = await newUserMachine();
    const dir = await machine.init('dev-only');
    await buildAndPush(machine, dir, `${world.plainRegistry}/your-org`);
    await machine.login('developer', 'dev');
    await machine.login('developer', 'prod');
    const publish = await machine.hlaCompass(['publish', '--env', 'dev'], { cwd: dir });
    expect(publish.code).toBe(0);

    const inDev = await machine.hlaCompass([
      'modules',
      'show',
      'dev-only',
      '--env',
      'dev',
      '--json',
    ]);
    expect(inDev.code).toBe(0);
    expect(JSON.parse(inDev.stdout).versions).toHaveLength(1);

    const prodList = await machine.hlaCompass(['modules', 'list', '--env', 'prod', '--json']);
    expect(prodList.code).toBe(0);
    const prodNames = JSON.parse(prodList.stdout).modules.map(
      (module: { moduleName: string }) => module.moduleName,
    );
    expect(prodNames).not.toContain('dev-only');
    const inProd = await machine.hlaCompass(['modules', 'show', 'dev-only', '--env', 'prod']);
    expect(inProd.code).toBe(1);
    expect(inProd.stderr).toContain('error: no module "dev-only" visible in prod');
  });
});
