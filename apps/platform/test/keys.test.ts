import { createHash, generateKeyPairSync } from 'node:crypto';
import { routes, signingKeySchema } from '@hla-compass/platform-api';
import { encodePublicKeyBase64, generateKeyPair, keyFingerprint } from '@hla-compass/signing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const publicKey = encodePublicKeyBase64(keys.publicKey);
    const created = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: { publicKey, name: 'laptop' },
    });
    expect(created.status).toBe(201);
    expect(signingKeySchema.parse(created.body)).toMatchObject({
      fingerprint: keyFingerprint(keys.publicKey),
      name: 'laptop',
      revokedAt: null,
    });
    const again = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: { publicKey },
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
      body: { publicKey: encodePublicKeyBase64(keys.publicKey) },
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
    const publicKey = encodePublicKeyBase64(keys.publicKey);
    const created = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: { publicKey },
    });
    const admin = await platform.login('dev', 'admin');
    const taken = await platform.call('dev', routes.registerKey, {
      token: admin,
      body: { publicKey },
    });
    expect([taken.status, taken.body.code]).toEqual([403, 'FORBIDDEN']);
    const revoke = await platform.call('dev', routes.revokeKey, {
      token: admin,
      params: { fingerprint: created.body.fingerprint },
    });
    expect([revoke.status, revoke.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('registers the Python SDK’s RSA key as an RSA-PSS key, named by the same fingerprint form', async () => {
    const spki = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    const created = await platform.call('dev', routes.registerKey, {
      token: developer,
      body: { publicKey: spki.toString('base64'), name: 'python sdk' },
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
      body: { publicKey: encodePublicKeyBase64(generateKeyPair().publicKey) },
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
        body: { publicKey },
      });
      expect([result.status, result.body.code], publicKey).toEqual([400, 'INVALID_REQUEST']);
    }
  });

  it('keeps keys per environment', async () => {
    const keys = generateKeyPair();
    await platform.call('dev', routes.registerKey, {
      token: developer,
      body: { publicKey: encodePublicKeyBase64(keys.publicKey) },
    });
    const prod = await platform.login('prod', 'developer');
    const listed = await platform.call('prod', routes.listKeys, { token: prod });
    expect(listed.body.items).toEqual([]);
  });
});
