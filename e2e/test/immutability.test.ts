// Versions are immutable: a version is published once per environment. The same publish again is
// answered with the version it made (a lost answer can be resumed); from a rebuilt image under the
// same tag it is VERSION_EXISTS, and the first version stays as it was, pinned to a digest the
// registry still serves.
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAndPush } from './module-image.js';
import { registryDigest } from './registry-manifest.js';
import { newUserMachine, world } from './user-machine.js';

describe('immutable versions', () => {
  it('refuses to publish a version again from a rebuild (VERSION_EXISTS, exit 1), answers the same publish again, and keeps the first one pullable by digest', async () => {
    const machine = await newUserMachine();
    const dir = await machine.init('immutable');
    const first = await buildAndPush(machine, dir, `${world.plainRegistry}/your-org`);
    await machine.login('developer', 'dev');
    const publish = () => machine.hlaCompass(['publish', '--env', 'dev'], { cwd: dir });
    expect((await publish()).code).toBe(0);

    // The same image and manifest again: the publish it made (what a lost answer's rerun gets).
    const again = await publish();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Published immutable@0.1.0 to dev');

    await appendFile(join(dir, 'backend', 'main.py'), '\n# A change after the release.\n');
    const second = await buildAndPush(machine, dir, `${world.plainRegistry}/your-org`);
    expect(second.digest).not.toBe(first.digest);
    expect(await registryDigest(second.repository, '0.1.0')).toBe(second.digest);
    const refused = await publish();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: immutable@0.1.0 already exists in dev');
    expect(refused.stderr).toContain(
      'hint: published versions are immutable: bump `version` in manifest.json',
    );
    const rebuilt = await machine.hlaCompass(['publish', '--env', 'dev', '--json'], { cwd: dir });
    expect(rebuilt.code).toBe(1);
    expect(JSON.parse(rebuilt.stdout).error).toMatchObject({
      code: 'VERSION_EXISTS',
      message: expect.stringContaining('immutable@0.1.0 already exists in dev'),
    });

    const shown = await machine.hlaCompass([
      'modules',
      'show',
      'immutable',
      '--env',
      'dev',
      '--json',
    ]);
    expect(shown.code).toBe(0);
    const versions: { version: string; digest: string; state: string }[] = JSON.parse(
      shown.stdout,
    ).versions;
    expect(versions).toEqual([
      expect.objectContaining({ version: '0.1.0', digest: first.digest, state: 'APPROVED' }),
    ]);

    // The registry still serves the first build by its digest: drop the local copy, pull it back.
    const pinned = `${first.repository}@${first.digest}`;
    expect(await registryDigest(first.repository, first.digest)).toBe(first.digest);
    expect((await machine.docker(['image', 'rm', pinned])).code).toBe(0);
    const pull = await machine.docker(['pull', pinned]);
    expect(pull.code).toBe(0);
    expect(pull.stdout).toContain(`Digest: ${first.digest}`);
  });
});
