// Issue 11, item 2: a developer of another org, whose allowlist also names the victim's
// namespace, tries to take the victim's signing key and to publish the victim's signed body as
// its own. Keys take proof of possession and the v2 statement names the org, so neither works.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { routes } from '@hla-compass/platform-api';
import {
  encodePublicKeyBase64,
  generateKeyPair,
  type KeyPair,
  signPublishStatement,
} from '@hla-compass/signing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyRegistration } from './support/key-proof.js';
import { manifest, startTestPlatform, type TestPlatform } from './support/platform.js';
import { sdkSignedManifest } from './support/python-sdk.js';
import {
  loopbackOnlyResolver,
  pushImage,
  startTestRegistries,
  type TestRegistries,
  testSeed,
} from './support/registries.js';

const ENV = 'staging';

let registries: TestRegistries;
let platform: TestPlatform;
let victim: string;
let squatter: string;

beforeAll(async () => {
  registries = await startTestRegistries();
  const seed = testSeed(registries);
  // The squatter's org may pull from the victim's namespace: the allowlist is not what stops it.
  const orgs = seed.orgs.map((org) =>
    org.id === 'other-org'
      ? { ...org, allowlist: [...org.allowlist, `${registries.plain.host}/your-org/*`] }
      : org,
  );
  platform = await startTestPlatform({
    seed: { document: { ...seed, orgs } },
    images: loopbackOnlyResolver(),
  });
  victim = await platform.login(ENV, 'developer');
  squatter = await platform.login(ENV, 'other');
});

afterAll(async () => {
  await platform?.stop();
  await registries?.stop();
});

async function signedBody(keys: KeyPair, name: string, org?: string) {
  const repository = `${registries.plain.host}/your-org/${name}`;
  const digest = await pushImage(registries.plain, `your-org/${name}`, '1.0.0');
  const unsigned = manifest(name, '1.0.0');
  const fields = signPublishStatement(
    { environment: ENV, repository, digest, manifest: unsigned as never, scope: 'org', org },
    keys.privateKey,
  );
  return { imageRef: `${repository}:1.0.0`, manifest: { ...unsigned, ...fields }, scope: 'org' };
}

/** A publish signed as the Python SDK signs it (RSA-PSS over the manifest only) by `key`. */
async function sdkSignedBody(key: { privateKey: KeyObject; publicKey: KeyObject }, name: string) {
  const repository = `${registries.plain.host}/your-org/${name}`;
  await pushImage(registries.plain, `your-org/${name}`, '1.0.0');
  return {
    imageRef: `${repository}:1.0.0`,
    manifest: sdkSignedManifest(manifest(name, '1.0.0'), key),
    scope: 'org',
  };
}

describe('cross-org key squatting and signed-body replay', () => {
  it("refuses the squat (400 SIGNATURE_INVALID), registers the key to its holder, and refuses the victim's body in the squatter's org (403 UNTRUSTED_KEY)", async () => {
    const keys = generateKeyPair();
    const publicKey = encodePublicKeyBase64(keys.publicKey);
    const squat = await platform.call(ENV, routes.registerKey, {
      token: squatter,
      body: { publicKey, proof: Buffer.alloc(64).toString('base64') },
    });
    expect([squat.status, squat.body.code]).toEqual([400, 'SIGNATURE_INVALID']);

    const owned = await platform.call(ENV, routes.registerKey, {
      token: victim,
      body: await keyRegistration(platform, ENV, { token: victim }, keys),
    });
    expect(owned.status).toBe(201);

    const body = await signedBody(keys, 'victim-module');
    const replay = await platform.call(ENV, routes.publish, { token: squatter, body });
    expect([replay.status, replay.body.code]).toEqual([403, 'UNTRUSTED_KEY']);

    // The squatter's refusal changed nothing for the victim: the same body is theirs to publish.
    const published = await platform.call(ENV, routes.publish, { token: victim, body });
    expect(published.status).toBe(202);
  });

  it("refuses the victim's v2 body, which names the victim's org, in the squatter's org (400 SIGNATURE_INVALID)", async () => {
    const keys = generateKeyPair();
    const owned = await platform.call(ENV, routes.registerKey, {
      token: victim,
      body: await keyRegistration(platform, ENV, { token: victim }, keys),
    });
    expect(owned.status).toBe(201);
    const body = await signedBody(keys, 'victim-v2', 'your-org');
    const replay = await platform.call(ENV, routes.publish, { token: squatter, body });
    expect([replay.status, replay.body.code]).toEqual([400, 'SIGNATURE_INVALID']);
    expect(replay.body.message).toContain('does not match this org, environment');
    const published = await platform.call(ENV, routes.publish, { token: victim, body });
    expect(published.status).toBe(202);
  });

  it('leaves the owner the only one who can revoke the key, and nobody can register it after', async () => {
    const keys = generateKeyPair();
    const registration = await keyRegistration(platform, ENV, { token: victim }, keys);
    const owned = await platform.call(ENV, routes.registerKey, {
      token: victim,
      body: registration,
    });
    const fingerprint = owned.body.fingerprint as string;
    const revokedBySquatter = await platform.call(ENV, routes.revokeKey, {
      token: squatter,
      params: { fingerprint },
    });
    expect([revokedBySquatter.status, revokedBySquatter.body.code]).toEqual([404, 'NOT_FOUND']);
    const listed = await platform.call(ENV, routes.listKeys, { token: victim });
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ fingerprint, revokedAt: null }),
    );
  });

  it("refuses another org's replay of an SDK body under policy any: the key is its first publisher's (403 UNTRUSTED_KEY)", async () => {
    const sdkKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const body = await sdkSignedBody(sdkKey, 'victim-sdk');
    const published = await platform.call(ENV, routes.publish, { token: victim, body });
    expect(published.status, JSON.stringify(published.body)).toBe(202);
    const replay = await platform.call(ENV, routes.publish, { token: squatter, body });
    expect([replay.status, replay.body.code]).toEqual([403, 'UNTRUSTED_KEY']);
    expect(replay.body.message).toContain('another user published with it first');
  });

  it('lets the holder of an SDK key take it back with proof of possession when someone else published with it first', async () => {
    const sdkKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // A legacy signature binds only the manifest: a body the victim signed, replayed before the
    // victim published it here, is taken (documented); the key's holder can still claim the key.
    const stolen = await platform.call(ENV, routes.publish, {
      token: squatter,
      body: await sdkSignedBody(sdkKey, 'first-used-by-squatter'),
    });
    expect(stolen.status).toBe(202);
    const claimed = await platform.call(ENV, routes.registerKey, {
      token: victim,
      body: await keyRegistration(platform, ENV, { token: victim }, sdkKey.privateKey),
    });
    expect(claimed.status).toBe(201);
    const body = await sdkSignedBody(sdkKey, 'after-the-claim');
    const owner = await platform.call(ENV, routes.publish, { token: victim, body });
    expect(owner.status).toBe(202);
    const again = await platform.call(ENV, routes.publish, { token: squatter, body });
    expect([again.status, again.body.code]).toEqual([403, 'UNTRUSTED_KEY']);
  });
});
