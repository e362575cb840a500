import {
  invalidManifestDetailsSchema,
  publishAcceptedSchema,
  publishStatusSchema,
  routes,
} from '@hla-compass/platform-api';
import { generateKeyPair, type KeyPair, signPublishStatement } from '@hla-compass/signing';
import { freePort } from '@hla-compass/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyRegistration } from './support/key-proof.js';
import { manifest, startTestPlatform, type TestPlatform } from './support/platform.js';
import {
  loopbackOnlyResolver,
  pushImage,
  startTestRegistries,
  type TestRegistries,
  testSeed,
} from './support/registries.js';

let registries: TestRegistries;
let platform: TestPlatform;
let resolver: ReturnType<typeof loopbackOnlyResolver>;
let developer: string;
let viewer: string;
let downHost: string;

beforeAll(async () => {
  registries = await startTestRegistries();
  downHost = `127.0.0.1:${await freePort()}`;
  resolver = loopbackOnlyResolver();
  platform = await startTestPlatform({
    persistent: true,
    seed: { document: testSeed(registries, downHost) },
    images: resolver,
  });
  developer = await platform.login('dev', 'developer');
  viewer = await platform.login('dev', 'viewer');
});

afterAll(async () => {
  await platform?.stop();
  await registries?.stop();
});

let counter = 0;
/** A fresh module name per test, so tests never collide on (name, version). */
const uniqueName = (label: string) => `${label}-${++counter}`;

async function pushed(name: string, tag = '1.0.0') {
  const repository = `${registries.plain.host}/your-org/${name}`;
  const digest = await pushImage(registries.plain, `your-org/${name}`, tag);
  return { repository, digest, ref: `${repository}:${tag}` };
}

function publish(
  token: string,
  body: unknown,
  env: 'local' | 'dev' | 'staging' | 'prod' = 'dev',
  headers: Record<string, string> = {},
) {
  return platform.call(env, routes.publish, { token, body, headers });
}

function rowCounts(env = 'dev') {
  const db = new Database(platform.running.databaseFile(env as 'dev') as string, {
    readonly: true,
  });
  try {
    const count = (table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      modules: count('modules'),
      versions: count('versions'),
      idempotency: count('idempotency_keys'),
    };
  } finally {
    db.close();
  }
}

function sign(
  keys: KeyPair,
  statement: {
    env: string;
    repository: string;
    digest: string;
    manifest: Record<string, unknown>;
    scope: 'org' | 'public';
  },
) {
  const fields = signPublishStatement(
    {
      environment: statement.env,
      repository: statement.repository,
      digest: statement.digest,
      manifest: statement.manifest as never,
      scope: statement.scope,
    },
    keys.privateKey,
  );
  return { ...statement.manifest, ...fields };
}

async function registerKey(env: 'dev' | 'staging' | 'prod', token: string, keys: KeyPair) {
  const result = await platform.call(env, routes.registerKey, {
    token,
    body: await keyRegistration(platform, env, { token }, keys),
  });
  expect(result.status).toBe(201);
  return result.body.fingerprint as string;
}

describe('publish intake: success', () => {
  it('accepts an org-scope publish as APPROVED with the digest it resolved itself', async () => {
    const name = uniqueName('golden');
    const image = await pushed(name);
    const result = await publish(developer, {
      imageRef: image.ref,
      manifest: manifest(name, '1.0.0'),
      scope: 'org',
    });
    expect(result.status).toBe(202);
    const body = publishAcceptedSchema.parse(result.body);
    expect(body).toMatchObject({
      state: 'APPROVED',
      status: 'completed',
      moduleName: name,
      version: '1.0.0',
      environment: 'dev',
      image: { repository: image.repository, digest: image.digest },
      imageRef: `${image.repository}@${image.digest}`,
    });
    const status = await platform.call('dev', routes.publishStatus, {
      token: developer,
      params: { publishId: body.publishId },
    });
    expect(publishStatusSchema.parse(status.body)).toMatchObject({
      state: 'APPROVED',
      currentPhase: 'done',
    });
    const listing = await platform.call('dev', routes.listModules, { token: viewer });
    expect(listing.body.items).toContainEqual(
      expect.objectContaining({
        moduleName: name,
        currentVersion: '1.0.0',
        imageRef: body.imageRef,
      }),
    );
  });

  it('accepts an image behind htpasswd with the allowlist entry’s pull credentials', async () => {
    const name = uniqueName('private');
    const digest = await pushImage(registries.auth, `your-org/${name}`, '1.0.0');
    const result = await publish(developer, {
      imageRef: `${registries.auth.host}/your-org/${name}:1.0.0`,
      manifest: manifest(name, '1.0.0'),
    });
    expect(result.status).toBe(202);
    expect(result.body.image.digest).toBe(digest);
  });

  it('accepts a digest-pinned reference whose digest the registry has', async () => {
    const name = uniqueName('pinned');
    const image = await pushed(name);
    const result = await publish(developer, {
      imageRef: `${image.repository}@${image.digest}`,
      manifest: manifest(name, '1.0.0'),
    });
    expect(result.status).toBe(202);
    expect(result.body.imageRef).toBe(`${image.repository}@${image.digest}`);
  });
});

describe('publish intake: each refusal has its code, its message and writes nothing', () => {
  it('UNAUTHENTICATED without or with bad credentials', async () => {
    const before = rowCounts();
    const none = await platform.call('dev', routes.publish, { body: {} });
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('UNAUTHENTICATED');
    expect(none.body.message).toMatch(/^Missing credentials/);
    const bad = await publish('hlc_at_not-a-token', {});
    expect([bad.status, bad.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const badKey = await platform.call('dev', routes.publish, {
      apiKey: 'hlc_ak_nope-nope-nope-nope',
      body: {},
    });
    expect([badKey.status, badKey.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(rowCounts()).toEqual(before);
  });

  it('DEVELOPER_ROLE_REQUIRED for a viewer, before the body is even looked at', async () => {
    const before = rowCounts();
    const result = await publish(viewer, { imageRef: 'x' });
    expect(result.status).toBe(403);
    expect(result.body.code).toBe('DEVELOPER_ROLE_REQUIRED');
    expect(result.body.message).toMatch(/^Module publish requires developer access/);
    expect(rowCounts()).toEqual(before);
  });

  it('INVALID_REQUEST for malformed JSON, duplicate keys and missing fields', async () => {
    const before = rowCounts();
    for (const rawBody of [
      '{"imageRef":',
      '{"imageRef":"a","imageRef":"b","manifest":{}}',
      '[]',
      '{"manifest":{}}',
    ]) {
      const result = await platform.call('dev', routes.publish, { token: developer, rawBody });
      expect([result.status, result.body.code], rawBody).toEqual([400, 'INVALID_REQUEST']);
    }
    expect(rowCounts()).toEqual(before);
  });

  it('INVALID_MANIFEST with the issues in details', async () => {
    const name = uniqueName('badmanifest');
    const image = await pushed(name);
    const before = rowCounts();
    const result = await publish(developer, {
      imageRef: image.ref,
      manifest: manifest(name, '1.0', { type: 'gui' }),
    });
    expect(result.status).toBe(400);
    expect(result.body.code).toBe('INVALID_MANIFEST');
    expect(result.body.message).toMatch(/^Invalid manifest/);
    const { issues } = invalidManifestDetailsSchema.parse(result.body.details);
    const paths = issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['/version', '/type']));
    expect(resolver.calls).not.toContain(image.ref);
    expect(rowCounts()).toEqual(before);
  });

  it('INVALID_IMAGE_REF or REGISTRY_UNAUTHORIZED for every allowlist bypass attempt, before any registry call', async () => {
    const host = registries.plain.host;
    const [, port] = host.split(':');
    const cases: [string, 'INVALID_IMAGE_REF' | 'REGISTRY_UNAUTHORIZED'][] = [
      [`${host}/your-org-evil/m:1.0.0`, 'REGISTRY_UNAUTHORIZED'],
      [`${host}/other-org/m:1.0.0`, 'REGISTRY_UNAUTHORIZED'],
      [`${host}/your-org:1.0.0`, 'REGISTRY_UNAUTHORIZED'],
      [`localhost:${port}/your-org/m:1.0.0`, 'REGISTRY_UNAUTHORIZED'],
      [`127.0.0.1:${Number(port) + 1}/your-org/m:1.0.0`, 'REGISTRY_UNAUTHORIZED'],
      ['127.0.0.2:5000/your-org/m:1.0.0', 'REGISTRY_UNAUTHORIZED'],
      ['ghcr.io.evil.com/your-org/m:1.0.0', 'REGISTRY_UNAUTHORIZED'],
      ['ghcr.io/your-org-evil/m:1.0.0', 'REGISTRY_UNAUTHORIZED'],
      ['ghcr.io:443/your-org/m:1.0.0', 'REGISTRY_UNAUTHORIZED'],
      ['your-org/m:1.0.0', 'REGISTRY_UNAUTHORIZED'],
      ['docker.io/your-org/m:1.0.0', 'REGISTRY_UNAUTHORIZED'],
      ['169.254.169.254/your-org/m:1.0.0', 'REGISTRY_UNAUTHORIZED'],
      [`${host}/your-org/../other-org/m:1.0.0`, 'INVALID_IMAGE_REF'],
      [`http://${host}/your-org/m:1.0.0`, 'INVALID_IMAGE_REF'],
      [`user:secret@${host}/your-org/m:1.0.0`, 'INVALID_IMAGE_REF'],
      [`${host}/Your-Org/m:1.0.0`, 'INVALID_IMAGE_REF'],
      [`${host}/your-org/m :1.0.0`, 'INVALID_IMAGE_REF'],
      [`${host}/your-org//m:1.0.0`, 'INVALID_IMAGE_REF'],
      [`${host}/your-org/m@sha256:abc`, 'INVALID_IMAGE_REF'],
      ['', 'INVALID_IMAGE_REF'],
    ];
    const before = rowCounts();
    const callsBefore = resolver.calls.length;
    for (const [imageRef, code] of cases) {
      const result = await publish(developer, {
        imageRef: imageRef || ' ',
        manifest: manifest('bypass', '1.0.0'),
      });
      expect([result.status, result.body.code], imageRef).toEqual([
        code === 'INVALID_IMAGE_REF' ? 400 : 403,
        code,
      ]);
      if (code === 'REGISTRY_UNAUTHORIZED') {
        expect(result.body.message).toMatch(/^Registry not in allowlist: \S+ is not covered by /);
        expect(result.body.message).toContain(`${host}/your-org/*`);
        expect(result.body.details.allowlist).toContain('ghcr.io/your-org/*');
      } else {
        expect(result.body.message).toMatch(/^Invalid image reference/);
      }
    }
    expect(resolver.calls.length).toBe(callsBefore);
    expect(rowCounts()).toEqual(before);
  });

  it('IMAGE_NOT_FOUND for a tag or a digest the registry does not have', async () => {
    const name = uniqueName('missing');
    const image = await pushed(name);
    const before = rowCounts();
    const tag = await publish(developer, {
      imageRef: `${image.repository}:9.9.9`,
      manifest: manifest(name, '9.9.9'),
    });
    expect([tag.status, tag.body.code]).toEqual([422, 'IMAGE_NOT_FOUND']);
    expect(tag.body.message).toMatch(/^Image not found/);
    // The registry is on loopback (plain HTTP): the command it names needs --insecure there.
    expect(tag.body.message).toContain(
      `\`docker manifest inspect ${image.repository}:9.9.9 --insecure\``,
    );
    const digest = await publish(developer, {
      imageRef: `${image.ref}@sha256:${'0'.repeat(64)}`,
      manifest: manifest(name, '1.0.0'),
    });
    expect([digest.status, digest.body.code]).toEqual([422, 'IMAGE_NOT_FOUND']);
    expect(rowCounts()).toEqual(before);
  });

  it('IMAGE_FORBIDDEN when the registry refuses missing or wrong pull credentials', async () => {
    const before = rowCounts();
    for (const namespace of ['no-credentials', 'wrong-credentials']) {
      const name = uniqueName(namespace);
      await pushImage(registries.auth, `${namespace}/${name}`, '1.0.0');
      const result = await publish(developer, {
        imageRef: `${registries.auth.host}/${namespace}/${name}:1.0.0`,
        manifest: manifest(name, '1.0.0'),
      });
      expect([result.status, result.body.code], namespace).toEqual([422, 'IMAGE_FORBIDDEN']);
      expect(result.body.message).toMatch(/^Forbidden/);
      expect(JSON.stringify(result.body)).not.toContain('pull-secret-for-tests');
    }
    expect(rowCounts()).toEqual(before);
  });

  it('REGISTRY_UNAVAILABLE when nothing answers at the registry', async () => {
    const before = rowCounts();
    const result = await publish(developer, {
      imageRef: `${downHost}/your-org/m:1.0.0`,
      manifest: manifest('unreachable', '1.0.0'),
    });
    expect([result.status, result.body.code]).toEqual([502, 'REGISTRY_UNAVAILABLE']);
    expect(result.body.message).toMatch(/^Registry unavailable/);
    expect(rowCounts()).toEqual(before);
  });

  it('SIGNATURE_REQUIRED for an unsigned publish where the env requires signatures', async () => {
    const name = uniqueName('unsigned');
    const image = await pushed(name);
    const token = await platform.login('staging', 'developer');
    const before = rowCounts('staging');
    const result = await publish(
      token,
      { imageRef: image.ref, manifest: manifest(name, '1.0.0') },
      'staging',
    );
    expect([result.status, result.body.code]).toEqual([400, 'SIGNATURE_REQUIRED']);
    expect(result.body.message).toMatch(/^Signature required/);
    expect(rowCounts('staging')).toEqual(before);
  });

  it('VERSION_EXISTS for a second publish of a version, also with another image; the first stays', async () => {
    const name = uniqueName('immutable');
    const image = await pushed(name);
    const first = await publish(developer, {
      imageRef: image.ref,
      manifest: manifest(name, '1.0.0'),
    });
    expect(first.status).toBe(202);
    const rebuilt = await pushImage(
      registries.plain,
      `your-org/${name}`,
      '1.0.0-rebuilt',
      'rebuilt',
    );
    const before = rowCounts();
    const again = await publish(developer, {
      imageRef: `${image.repository}:1.0.0-rebuilt`,
      manifest: manifest(name, '1.0.0'),
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('VERSION_EXISTS');
    expect(again.body.message).toMatch(
      new RegExp(
        `^${name}@1\\.0\\.0 already exists in dev: published versions are immutable; bump \`version\` in manifest.json`,
      ),
    );
    expect(rowCounts()).toEqual(before);
    const versions = await platform.call('dev', routes.listModuleVersions, {
      token: developer,
      params: { moduleId: first.body.moduleId },
    });
    expect(versions.body.items.map((v: { digest: string }) => v.digest)).toEqual([image.digest]);
    expect(rebuilt).not.toBe(image.digest);
  });

  it('PAYLOAD_TOO_LARGE for a body over 1 MiB', async () => {
    const result = await platform.call('dev', routes.publish, {
      token: developer,
      rawBody: JSON.stringify({ imageRef: 'x', manifest: { pad: 'x'.repeat(1024 * 1024) } }),
    });
    expect([result.status, result.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});

describe('signatures', () => {
  let keys: KeyPair;
  let stagingToken: string;
  let fingerprint: string;

  beforeAll(async () => {
    keys = generateKeyPair();
    stagingToken = await platform.login('staging', 'developer');
    fingerprint = await registerKey('staging', stagingToken, keys);
  });

  it('accepts a publish signed over this env, repository, resolved digest, manifest and scope', async () => {
    const name = uniqueName('signed');
    const image = await pushed(name);
    const signed = sign(keys, {
      env: 'staging',
      repository: image.repository,
      digest: image.digest,
      manifest: manifest(name, '1.0.0'),
      scope: 'org',
    });
    const result = await publish(
      stagingToken,
      { imageRef: image.ref, manifest: signed, scope: 'org' },
      'staging',
    );
    expect(result.status).toBe(202);
    const versions = await platform.call('staging', routes.listModuleVersions, {
      token: stagingToken,
      params: { moduleId: result.body.moduleId },
    });
    expect(versions.body.items[0].keyFingerprint).toBe(fingerprint);
  });

  it('refuses a signature replayed onto another env, version, digest or scope', async () => {
    const name = uniqueName('replay');
    const image = await pushed(name);
    const other = await pushed(`${name}-other`);
    const base = {
      env: 'staging',
      repository: image.repository,
      digest: image.digest,
      manifest: manifest(name, '1.0.0'),
      scope: 'org' as const,
    };
    const prodToken = await platform.login('prod', 'developer');
    await registerKey('prod', prodToken, keys);
    const attempts = [
      {
        label: 'another env',
        env: 'prod' as const,
        token: prodToken,
        body: { imageRef: image.ref, manifest: sign(keys, base), scope: 'org' },
      },
      {
        label: 'another version',
        env: 'staging' as const,
        token: stagingToken,
        body: {
          imageRef: image.ref,
          manifest: { ...sign(keys, base), version: '1.0.1' },
          scope: 'org',
        },
      },
      {
        label: 'another digest',
        env: 'staging' as const,
        token: stagingToken,
        body: { imageRef: other.ref, manifest: sign(keys, base), scope: 'org' },
      },
      {
        label: 'another scope',
        env: 'staging' as const,
        token: stagingToken,
        body: { imageRef: image.ref, manifest: sign(keys, base), scope: 'public' },
      },
      {
        label: 'another repository',
        env: 'staging' as const,
        token: stagingToken,
        body: {
          imageRef: `${registries.plain.host}/your-org/${name}-other:1.0.0`,
          manifest: sign(keys, base),
          scope: 'org',
        },
      },
    ];
    for (const attempt of attempts) {
      const before = rowCounts(attempt.env);
      const result = await publish(attempt.token, attempt.body, attempt.env);
      expect([result.status, result.body.code], attempt.label).toEqual([400, 'SIGNATURE_INVALID']);
      expect(result.body.message, attempt.label).toMatch(/^Signature invalid/);
      expect(rowCounts(attempt.env)).toEqual(before);
    }
  });

  it('verifies a signature also where signatures are optional: a tampered one is refused in dev', async () => {
    const name = uniqueName('tampered');
    const image = await pushed(name);
    const signed = sign(keys, {
      env: 'dev',
      repository: image.repository,
      digest: image.digest,
      manifest: manifest(name, '1.0.0'),
      scope: 'org',
    });
    const bytes = Buffer.from(signed.signature, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    const result = await publish(developer, {
      imageRef: image.ref,
      manifest: { ...signed, signature: bytes.toString('base64') },
    });
    expect([result.status, result.body.code]).toEqual([400, 'SIGNATURE_INVALID']);
    const partial = await publish(developer, {
      imageRef: image.ref,
      manifest: { ...manifest(name, '1.0.0'), signature: signed.signature },
    });
    expect([partial.status, partial.body.code]).toEqual([400, 'SIGNATURE_INVALID']);
  });

  it('UNTRUSTED_KEY for a valid signature by a key not registered to the caller', async () => {
    const name = uniqueName('stranger');
    const image = await pushed(name);
    const stranger = generateKeyPair();
    const statement = {
      env: 'staging',
      repository: image.repository,
      digest: image.digest,
      manifest: manifest(name, '1.0.0'),
      scope: 'org' as const,
    };
    const unregistered = await publish(
      stagingToken,
      { imageRef: image.ref, manifest: sign(stranger, statement) },
      'staging',
    );
    expect([unregistered.status, unregistered.body.code]).toEqual([403, 'UNTRUSTED_KEY']);
    expect(unregistered.body.message).toMatch(/^Untrusted key/);
    // The key is someone else's: registered to the admin, used by the developer.
    const adminToken = await platform.login('staging', 'admin');
    await registerKey('staging', adminToken, stranger);
    const foreign = await publish(
      stagingToken,
      { imageRef: image.ref, manifest: sign(stranger, statement) },
      'staging',
    );
    expect([foreign.status, foreign.body.code]).toEqual([403, 'UNTRUSTED_KEY']);
  });

  it('UNTRUSTED_KEY after the key is revoked, and a revoked key can never be registered again', async () => {
    const name = uniqueName('revoked');
    const image = await pushed(name);
    const doomed = generateKeyPair();
    const doomedFingerprint = await registerKey('staging', stagingToken, doomed);
    const statement = {
      env: 'staging',
      repository: image.repository,
      digest: image.digest,
      manifest: manifest(name, '1.0.0'),
      scope: 'org' as const,
    };
    const revoked = await platform.call('staging', routes.revokeKey, {
      token: stagingToken,
      params: { fingerprint: doomedFingerprint },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const result = await publish(
      stagingToken,
      { imageRef: image.ref, manifest: sign(doomed, statement) },
      'staging',
    );
    expect([result.status, result.body.code]).toEqual([403, 'UNTRUSTED_KEY']);
    expect(result.body.message).toContain('revoked');
    const again = await platform.call('staging', routes.registerKey, {
      token: stagingToken,
      body: await keyRegistration(platform, 'staging', { token: stagingToken }, doomed),
    });
    expect([again.status, again.body.code]).toEqual([403, 'FORBIDDEN']);
    const listed = await platform.call('staging', routes.listKeys, { token: stagingToken });
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({
        fingerprint: doomedFingerprint,
        revokedAt: revoked.body.revokedAt,
      }),
    );
  });
});

describe('idempotency and concurrency', () => {
  it('answers a retry with the same Idempotency-Key and body with the first response', async () => {
    const name = uniqueName('retry');
    const image = await pushed(name);
    const body = { imageRef: image.ref, manifest: manifest(name, '1.0.0'), scope: 'org' };
    const headers = { 'idempotency-key': `key-${name}` };
    const first = await publish(developer, body, 'dev', headers);
    const before = rowCounts();
    const second = await publish(developer, body, 'dev', headers);
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(rowCounts()).toEqual(before);
    const reused = await publish(developer, { ...body, scope: 'public' }, 'dev', headers);
    expect([reused.status, reused.body.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
    expect(rowCounts()).toEqual(before);
  });

  it('records no idempotency key for a refused publish, so a retry is judged afresh', async () => {
    const name = uniqueName('late');
    const headers = { 'idempotency-key': `key-${name}` };
    const body = {
      imageRef: `${registries.plain.host}/your-org/${name}:1.0.0`,
      manifest: manifest(name, '1.0.0'),
    };
    const before = rowCounts();
    const missing = await publish(developer, body, 'dev', headers);
    expect(missing.body.code).toBe('IMAGE_NOT_FOUND');
    expect(rowCounts()).toEqual(before);
    await pushImage(registries.plain, `your-org/${name}`, '1.0.0');
    const retried = await publish(developer, body, 'dev', headers);
    expect(retried.status).toBe(202);
  });

  it('lets exactly one of 20 concurrent publishes of a version win; the rest get VERSION_EXISTS', async () => {
    const name = uniqueName('race');
    const image = await pushed(name);
    const before = rowCounts();
    // Each its own manifest: 20 different publishes of one version.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        publish(developer, {
          imageRef: image.ref,
          manifest: manifest(name, '1.0.0', { description: `attempt ${index}` }),
        }),
      ),
    );
    const statuses = results.map((result) => result.status).sort();
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(results.filter((result) => result.body.code === 'VERSION_EXISTS')).toHaveLength(19);
    expect(rowCounts()).toEqual({
      ...before,
      modules: before.modules + 1,
      versions: before.versions + 1,
    });
  });
});

describe('environment isolation', () => {
  it('keeps what is published in dev out of prod', async () => {
    const name = uniqueName('isolated');
    const image = await pushed(name);
    const result = await publish(developer, {
      imageRef: image.ref,
      manifest: manifest(name, '1.0.0'),
    });
    expect(result.status).toBe(202);
    const prodToken = await platform.login('prod', 'developer');
    const direct = await platform.call('prod', routes.getModule, {
      token: prodToken,
      params: { moduleId: result.body.moduleId },
    });
    expect([direct.status, direct.body.code]).toEqual([404, 'NOT_FOUND']);
    const status = await platform.call('prod', routes.publishStatus, {
      token: prodToken,
      params: { publishId: result.body.publishId },
    });
    expect(status.status).toBe(404);
    const listing = await platform.call('prod', routes.listModules, { token: prodToken });
    expect(listing.body.items.map((m: { moduleName: string }) => m.moduleName)).not.toContain(name);
    // A dev token means nothing in prod.
    const crossed = await platform.call('prod', routes.me, { token: developer });
    expect([crossed.status, crossed.body.code]).toEqual([401, 'UNAUTHENTICATED']);
  });
});
