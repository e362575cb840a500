import { createHash, generateKeyPairSync } from 'node:crypto';
import { routes, signingKeySchema } from '@hla-compass/platform-api';
import { encodePublicKeyBase64, generateKeyPair, keyFingerprint } from '@hla-compass/signing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyRegistration } from './support/key-proof.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';

let platform: TestPlatform;
let developer: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  developer = await platform.login('dev', 'developer');
});

afterAll(() => platform?.stop());

describe('signing keys', () => {
  it('registers a key once (201), answers 200 for the same key again, and lists it', async () => {
    const keys = generateKeyPair();
    const registration = await keyRegistration(platform, 'dev', { token: developer }, keys);
    const created = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: { ...registration, name: 'laptop' },
    });
    expect(created.status).toBe(201);
    expect(signingKeySchema.parse(created.body)).toMatchObject({
      fingerprint: keyFingerprint(keys.publicKey),
      name: 'laptop',
      revokedAt: null,
    });
    const again = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: registration,
    });
    expect(again.status).toBe(200);
    const listed = await platform.call('dev', routes.listKeys, { token: developer });
    expect(listed.body.items.map((key: { fingerprint: string }) => key.fingerprint)).toContain(
      created.body.fingerprint,
    );
  });

  it('revokes by fingerprint through a percent-encoded path, and keeps the key listed', async () => {
    // A fingerprint with `/` and `+` in it must still be one path segment.
    let keys = generateKeyPair();
    while (!keyFingerprint(keys.publicKey).includes('/')) keys = generateKeyPair();
    const created = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: await keyRegistration(platform, 'dev', { token: developer }, keys),
    });
    const fingerprint = created.body.fingerprint as string;
    const revoked = await platform.call('dev', routes.revokeKey, {
      token: developer,
      params: { fingerprint },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const listed = await platform.call('dev', routes.listKeys, { token: developer });
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ fingerprint, revokedAt: revoked.body.revokedAt }),
    );
  });

  it('keeps a key to one user, and another user cannot see or revoke it', async () => {
    const keys = generateKeyPair();
    const created = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: await keyRegistration(platform, 'dev', { token: developer }, keys),
    });
    const admin = await platform.login('dev', 'admin');
    // Even holding the private key, a second user cannot take a key that is someone else's.
    const taken = await platform.call('dev', routes.registerKey, {
      token: admin,
      body: await keyRegistration(platform, 'dev', { token: admin }, keys),
    });
    expect([taken.status, taken.body.code]).toEqual([403, 'FORBIDDEN']);
    const revoke = await platform.call('dev', routes.revokeKey, {
      token: admin,
      params: { fingerprint: created.body.fingerprint },
    });
    expect([revoke.status, revoke.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('registers the Python SDK’s RSA key as an RSA-PSS key, named by the same fingerprint form', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const spki = rsa.publicKey.export({ format: 'der', type: 'spki' });
    const registration = await keyRegistration(
      platform,
      'dev',
      { token: developer },
      rsa.privateKey,
    );
    const created = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: { ...registration, name: 'python sdk' },
    });
    expect(created.status).toBe(201);
    expect(signingKeySchema.parse(created.body)).toMatchObject({
      algorithm: 'RSA-PSS',
      fingerprint: `SHA256:${createHash('sha256').update(spki).digest('base64').replace(/=+$/, '')}`,
      publicKey: spki.toString('base64'),
    });
    const listed = await platform.call('dev', routes.listKeys, { token: developer });
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ fingerprint: created.body.fingerprint, algorithm: 'RSA-PSS' }),
    );
    const ed25519 = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: await keyRegistration(platform, 'dev', { token: developer }, generateKeyPair()),
    });
    expect(ed25519.body.algorithm).toBe('Ed25519');
  });

  it('refuses what is neither an Ed25519 nor an RSA (2048 bits or more) SPKI public key', async () => {
    const der = (key: { export(options: { format: 'der'; type: 'spki' }): Buffer }) =>
      key.export({ format: 'der', type: 'spki' }).toString('base64');
    for (const publicKey of [
      'not base64!',
      Buffer.from('short').toString('base64'),
      Buffer.alloc(44).toString('base64'),
      der(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey),
      der(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey),
    ]) {
      const result = await platform.call('dev', routes.registerKey, {
        token: developer,
        body: { publicKey, proof: Buffer.alloc(64).toString('base64') },
      });
      expect([result.status, result.body.code], publicKey).toEqual([400, 'INVALID_REQUEST']);
    }
  });

  it('keeps keys per environment', async () => {
    const keys = generateKeyPair();
    const dev = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: await keyRegistration(platform, 'dev', { token: developer }, keys),
    });
    expect(dev.status).toBe(201);
    const prod = await platform.login('prod', 'developer');
    const listed = await platform.call('prod', routes.listKeys, { token: prod });
    expect(listed.body.items).toEqual([]);
  });

  it('keeps a dev proof from registering the key in prod', async () => {
    const keys = generateKeyPair();
    const prod = await platform.login('prod', 'developer');
    const result = await platform.call('prod', routes.registerKey, {
      token: prod,
      body: await keyRegistration(platform, 'dev', { token: developer }, keys),
    });
    expect([result.status, result.body.code]).toEqual([400, 'SIGNATURE_INVALID']);
  });
});

describe('proof of possession (issue 11, item 2)', () => {
  it("refuses to register a victim's public key without the victim's private key", async () => {
    const victim = generateKeyPair();
    const squatter = await platform.login('dev', 'other');
    const publicKey = encodePublicKeyBase64(victim.publicKey);
    const attempts = [
      // No proof at all: what every squat was before.
      { publicKey },
      // A proof by the squatter's own key, over the squatter's own user, org and env.
      {
        publicKey,
        proof: (await keyRegistration(platform, 'dev', { token: squatter }, generateKeyPair()))
          .proof,
      },
      // The victim's own proof, replayed: it names the victim's user and org, not the squatter's.
      await keyRegistration(platform, 'dev', { token: developer }, victim),
    ];
    const answers = [];
    for (const body of attempts) {
      const result = await platform.call('dev', routes.registerKey, { token: squatter, body });
      answers.push([result.status, result.body.code]);
    }
    expect(answers).toEqual([
      [400, 'INVALID_REQUEST'],
      [400, 'SIGNATURE_INVALID'],
      [400, 'SIGNATURE_INVALID'],
    ]);
    const listed = await platform.call('dev', routes.listKeys, { token: squatter });
    expect(listed.body.items).not.toContainEqual(
      expect.objectContaining({ fingerprint: keyFingerprint(victim.publicKey) }),
    );

    const registered = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: attempts[2],
    });
    expect(registered.status).toBe(201);
  });

  it("refuses an RSA key's registration without a proof by its private key", async () => {
    const victim = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const squatter = await platform.login('dev', 'other');
    const stolen = await keyRegistration(platform, 'dev', { token: developer }, victim.privateKey);
    const squat = await platform.call('dev', routes.registerKey, { token: squatter, body: stolen });
    expect([squat.status, squat.body.code]).toEqual([400, 'SIGNATURE_INVALID']);
    const owner = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: stolen,
    });
    expect([owner.status, owner.body.algorithm]).toEqual([201, 'RSA-PSS']);
  });

  it('keeps a revoked key revoked, also for its owner, and says so only to a key holder', async () => {
    const keys = generateKeyPair();
    const registration = await keyRegistration(platform, 'dev', { token: developer }, keys);
    const created = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: registration,
    });
    await platform.call('dev', routes.revokeKey, {
      token: developer,
      params: { fingerprint: created.body.fingerprint },
    });
    const again = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: registration,
    });
    expect([again.status, again.body.code]).toEqual([403, 'FORBIDDEN']);
    const squatter = await platform.login('dev', 'other');
    const probe = await platform.call('dev', routes.registerKey, {
      token: squatter,
      body: { publicKey: registration.publicKey, proof: registration.proof },
    });
    expect([probe.status, probe.body.code]).toEqual([400, 'SIGNATURE_INVALID']);
  });
});
