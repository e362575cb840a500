// Scope public: a publish waits (SUBMITTED) until a platform superuser decides. Approved, another
// org's developer sees the module; rejected, nobody outside the org ever does.
import { describe, expect, it } from 'vitest';
import { buildAndPush } from './module-image.js';
import { callPlatform } from './platform-calls.js';
import { newUserMachine, type UserMachine, world } from './user-machine.js';

/** Builds, pushes and publishes NAME with --scope public; returns the publish id. */
async function submitPublic(machine: UserMachine, name: string): Promise<string> {
  const dir = await machine.init(name);
  const image = await buildAndPush(machine, dir, `${world.plainRegistry}/your-org`);
  const human = await machine.hlaCompass(['publish', '--env', 'dev', '--scope', 'public'], {
    cwd: dir,
  });
  expect(human.code).toBe(0);
  expect(human.stdout).toContain(
    `Submitted ${name}@0.1.0 to dev (scope public): SUBMITTED; a platform superuser must approve before it is public`,
  );
  expect(human.stdout).toContain(`image        ${image.repository}@${image.digest}`);
  const publishId = /^publish id +(\S+)$/m.exec(human.stdout)?.[1];
  expect(publishId).toBeDefined();
  const status = await machine.hlaCompass([
    'publish-status',
    publishId ?? '',
    '--env',
    'dev',
    '--json',
  ]);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ publishId, state: 'SUBMITTED' });
  return publishId ?? '';
}

/** The module names another org's developer sees in dev, through the installed CLI. */
async function seenByOtherOrg(): Promise<string[]> {
  const other = await newUserMachine();
  await other.login('other', 'dev');
  const list = await other.hlaCompass(['modules', 'list', '--env', 'dev', '--json']);
  expect(list.code).toBe(0);
  return JSON.parse(list.stdout).modules.map((module: { moduleName: string }) => module.moduleName);
}

describe('publishing with scope public', () => {
  it('is SUBMITTED until a superuser approves it; then the other org sees it', async () => {
    const machine = await newUserMachine();
    await machine.login('developer', 'dev');
    const publishId = await submitPublic(machine, 'public-approved');
    expect(await seenByOtherOrg()).not.toContain('public-approved');

    const approval = await callPlatform(
      'superuser',
      'dev',
      'POST',
      `/v1/modules/publish/${publishId}/approve`,
      { body: {} },
    );
    expect(approval.status).toBe(200);
    expect(approval.body).toMatchObject({ publishId, state: 'APPROVED' });

    const status = await machine.hlaCompass(['publish-status', publishId, '--env', 'dev']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^state +APPROVED$/m);
    expect(await seenByOtherOrg()).toContain('public-approved');
  });

  it('is never visible to the other org once a superuser rejects it', async () => {
    const machine = await newUserMachine();
    await machine.login('developer', 'dev');
    const publishId = await submitPublic(machine, 'public-rejected');

    const rejection = await callPlatform(
      'superuser',
      'dev',
      'POST',
      `/v1/modules/publish/${publishId}/reject`,
      { body: { reason: 'the description does not say what it scores' } },
    );
    expect(rejection.status).toBe(200);

    const status = await machine.hlaCompass(['publish-status', publishId, '--env', 'dev']);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(
      'was rejected in dev: the description does not say what it scores',
    );
    expect(await seenByOtherOrg()).not.toContain('public-rejected');
    const own = await machine.hlaCompass(['modules', 'list', '--env', 'dev', '--json']);
    expect(
      JSON.parse(own.stdout).modules.map((module: { moduleName: string }) => module.moduleName),
    ).toContain('public-rejected');
  });
});
