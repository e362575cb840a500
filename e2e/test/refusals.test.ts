// What the platform (or the CLI, before sending) refuses, as the user sees it: exit code 1, the key
// line of the message, the hint, and the --json error shape.
import { describe, expect, it } from 'vitest';
import { buildAndPush } from './module-image.js';
import { newUserMachine, world } from './user-machine.js';

interface CliError {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly requestId?: string;
}

function jsonError(stdout: string): CliError {
  return (JSON.parse(stdout) as { error: CliError }).error;
}

describe('publish refusals', () => {
  it('REGISTRY_UNAUTHORIZED: an image pushed under a namespace outside the allowlist (exit 1)', async () => {
    const machine = await newUserMachine();
    const dir = await machine.init('elsewhere');
    const image = await buildAndPush(machine, dir, `${world.plainRegistry}/someone-else`);
    await machine.login('developer', 'dev');

    const human = await machine.hlaCompass(['publish', '--env', 'dev'], { cwd: dir });
    expect(human.code).toBe(1);
    expect(human.stderr).toContain(
      `warning: ${image.repository} is not on dev's registry allowlist`,
    );
    expect(human.stderr).toMatch(/^error: Registry not in allowlist/m);
    expect(human.stderr).toContain(
      `add ${world.plainRegistry}/someone-else/* to your org's registry allowlist`,
    );
    expect(human.stderr).toMatch(/request id: \S+/);

    const json = await machine.hlaCompass(['publish', '--env', 'dev', '--json'], { cwd: dir });
    expect(json.code).toBe(1);
    expect(jsonError(json.stdout)).toMatchObject({
      code: 'REGISTRY_UNAUTHORIZED',
      message: expect.stringMatching(/^Registry not in allowlist/),
      requestId: expect.any(String),
    });
    const list = await machine.hlaCompass(['modules', 'list', '--env', 'dev', '--json']);
    expect(JSON.stringify(JSON.parse(list.stdout).modules)).not.toContain('elsewhere');
  });

  it('IMAGE_NOT_FOUND: a module never pushed stops before anything is sent (exit 1)', async () => {
    const machine = await newUserMachine();
    const dir = await machine.init('never-pushed');
    await machine.login('developer', 'dev');
    // No build, no push: publish falls back to the org's registry from the publish config.
    const imageRef = `${world.plainRegistry}/your-org/never-pushed:0.1.0`;

    const json = await machine.hlaCompass(['publish', '--env', 'dev', '--json'], { cwd: dir });
    expect(json.code).toBe(1);
    expect(jsonError(json.stdout)).toMatchObject({
      code: 'IMAGE_NOT_FOUND',
      message: `Image not found: ${imageRef} is not in its registry`,
      hint: expect.stringContaining(`docker manifest inspect ${imageRef}`),
    });
    const human = await machine.hlaCompass(['publish', '--env', 'dev'], { cwd: dir });
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^error: Image not found/m);
  });

  it('IMAGE_FORBIDDEN: the image is in the htpasswd registry, for which the org has no pull credentials (exit 1)', async () => {
    const machine = await newUserMachine();
    const { host, username, password } = world.guardedRegistry;
    await machine.dockerLogin(host, username, password);
    const dir = await machine.init('guarded-image');
    const image = await buildAndPush(machine, dir, `${host}/your-org`);
    await machine.login('developer', 'dev');

    const human = await machine.hlaCompass(['publish', '--env', 'dev'], { cwd: dir });
    expect(human.code).toBe(1);
    expect(human.stderr).not.toContain("is not on dev's registry allowlist");
    expect(human.stderr).toMatch(/^error: Forbidden: /m);
    expect(human.stderr).toContain(
      `refused the platform's pull credentials for ${image.repository}`,
    );

    const json = await machine.hlaCompass(['publish', '--env', 'dev', '--json'], { cwd: dir });
    expect(json.code).toBe(1);
    expect(jsonError(json.stdout)).toMatchObject({ code: 'IMAGE_FORBIDDEN' });
  });

  it('DEVELOPER_ROLE_REQUIRED: a viewer may build and push but not publish (exit 1)', async () => {
    const machine = await newUserMachine();
    const dir = await machine.init('viewer-module');
    await buildAndPush(machine, dir, `${world.plainRegistry}/your-org`);
    await machine.login('viewer', 'dev');

    const human = await machine.hlaCompass(['publish', '--env', 'dev'], { cwd: dir });
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^error: Module publish requires developer access/m);
    expect(human.stderr).toContain(
      'hint: ask your org admin to give your account the developer role in dev',
    );
    const json = await machine.hlaCompass(['publish', '--env', 'dev', '--json'], { cwd: dir });
    expect(json.code).toBe(1);
    expect(jsonError(json.stdout)).toMatchObject({ code: 'DEVELOPER_ROLE_REQUIRED' });
  });
});
