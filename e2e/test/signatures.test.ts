// Signatures (SPEC §6): staging and prod take only signed publishes, which the installed CLI makes
// with keys it creates; and a manifest changed after it was signed is refused, however it arrives.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type JsonObject,
  parseJson,
  readKeyFiles,
  signPublishStatement,
} from '@hla-compass/signing';
import { describe, expect, it } from 'vitest';
import { buildAndPush } from './module-image.js';
import { callPlatform } from './platform-calls.js';
import { newUserMachine, world } from './user-machine.js';

describe('signatures', () => {
  for (const environment of ['staging', 'prod']) {
    it(`${environment} refuses an unsigned publish (exit 2) and accepts it signed with --generate-keys`, async () => {
      const machine = await newUserMachine();
      const name = `signed-for-${environment}`;
      const dir = await machine.init(name);
      await buildAndPush(machine, dir, `${world.plainRegistry}/your-org`);
      await machine.login('developer', environment);

      const unsigned = await machine.hlaCompass(['publish', '--env', environment], { cwd: dir });
      expect(unsigned.code).toBe(2);
      expect(unsigned.stderr).toContain(`error: ${environment} only accepts signed publishes`);
      expect(unsigned.stderr).toContain('--generate-keys');

      const signed = await machine.hlaCompass(
        ['publish', '--env', environment, '--generate-keys', '--json'],
        { cwd: dir },
      );
      expect(signed.code).toBe(0);
      const body = JSON.parse(signed.stdout);
      expect(body).toMatchObject({ moduleName: name, environment, state: 'APPROVED' });
      const shown = await machine.hlaCompass(['keys', 'show', '--json']);
      expect(body.keyFingerprint).toBe(JSON.parse(shown.stdout).keyFingerprint);
      expect(body.keyFingerprint).toMatch(/^SHA256:/);
    });
  }

  it('refuses a manifest altered after it was signed with the CLI’s registered key (SIGNATURE_INVALID)', async () => {
    const machine = await newUserMachine();
    const dir = await machine.init('tampered');
    const image = await buildAndPush(machine, dir, `${world.plainRegistry}/your-org`);
    await machine.login('developer', 'staging');
    // The installed CLI creates the key pair and registers it on this first signed publish.
    const first = await machine.hlaCompass(['publish', '--env', 'staging', '--generate-keys'], {
      cwd: dir,
    });
    expect(first.code).toBe(0);

    // The next version, signed with those key files as the CLI signs it, then changed in flight.
    const keys = await readKeyFiles(join(machine.configDir, 'keys'));
    const written = parseJson(await readFile(join(dir, 'manifest.json'), 'utf8')) as JsonObject;
    const manifest: JsonObject = { ...written, version: '0.2.0' };
    const signature = signPublishStatement(
      {
        environment: 'staging',
        repository: image.repository,
        digest: image.digest,
        manifest,
        scope: 'org',
      },
      keys.privateKey,
    );
    const signed = { ...manifest, ...signature };
    const send = (sent: JsonObject) =>
      callPlatform('developer', 'staging', 'POST', '/v1/modules/publish', {
        body: { imageRef: `${image.repository}@${image.digest}`, manifest: sent, scope: 'org' },
        headers: { 'idempotency-key': randomUUID() },
      });

    const tampered = await send({ ...signed, description: 'Also uploads its inputs elsewhere.' });
    expect(tampered.status).toBe(400);
    expect(tampered.body).toMatchObject({
      code: 'SIGNATURE_INVALID',
      message: expect.stringMatching(/^Signature invalid/),
    });
    // Unchanged, the very same request is accepted: the change is what the signature caught.
    const untouched = await send(signed);
    expect(untouched.status).toBe(202);
    expect(untouched.body).toMatchObject({ version: '0.2.0', state: 'APPROVED' });

    const shown = await machine.hlaCompass([
      'modules',
      'show',
      'tampered',
      '--env',
      'staging',
      '--json',
    ]);
    const versions = JSON.parse(shown.stdout).versions.map(
      (version: { version: string }) => version.version,
    );
    expect(versions.sort()).toEqual(['0.1.0', '0.2.0']);
  });
});
