// The Python SDK 2.0.13's legacy RSA-PSS signatures over HTTP (SPEC §6a): the captured publish
// bodies against a real registry, in each env's policy, and what the catalog records.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Environment, moduleVersionListSchema, routes } from '@hla-compass/platform-api';
import {
  generateKeyPair,
  type JsonObject,
  RESERVED_SIGNATURE_FIELDS,
  signPublishStatement,
} from '@hla-compass/signing';
import { type RunningRegistry, seedForRegistry, startRegistry } from '@hla-compass/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED_FILE } from '../src/index.js';
import { keyRegistration } from './support/key-proof.js';
import { manifest, startTestPlatform, type TestPlatform } from './support/platform.js';
import { sdkSignedManifest } from './support/python-sdk.js';
import { loopbackOnlyResolver, pushImage } from './support/registries.js';

// The bodies byte for byte as the SDK sent them, kept with their sources by @hla-compass/signing.
const captured = (file: string) =>
  readFileSync(
    new URL(`../../../packages/signing/test/vectors/sdk-2.0.13/${file}`, import.meta.url),
    'utf8',
  );
const DEV_BODY = captured('publish-request-dev-org.json');
const STAGING_BODY = captured('publish-request-staging.json');
const CAPTURED_REF = '127.0.0.1:46517/your-org/sdk-interop:1.0.0';
const CAPTURED_FINGERPRINT = 'SHA256:PaEzoooHhoTAOPMOAFZKbqaPaFx0O0YPMSU/pB4/1v0';
const CAPTURED_PUBLIC_KEY = (JSON.parse(DEV_BODY) as { manifest: { publicKey: string } }).manifest
  .publicKey;
/** The five fields the SDK adds to the manifest it signs. */
const SDK_FIELDS = [
  'signature',
  'publicKey',
  'keyFingerprint',
  'signatureAlgorithm',
  'hashAlgorithm',
];

let registry: RunningRegistry;
let platform: TestPlatform;
const tokens = new Map<string, string>();

beforeAll(async () => {
  registry = await startRegistry();
  // The default seed on the test registry's port: its allowlists, exact repositories included.
  const seed = await seedForRegistry(DEFAULT_SEED_FILE, registry.port);
  platform = await startTestPlatform({
    persistent: true,
    seed: { document: seed },
    images: loopbackOnlyResolver(),
  });
  await Promise.all([
    pushImage(registry, 'your-org', 'sdk-interop-1.0.0'),
    pushImage(registry, 'your-org/sdk-interop', '1.0.0'),
  ]);
});

afterAll(async () => {
  await platform?.stop();
  await registry?.stop();
});

async function token(env: Environment, account: 'developer' | 'admin' = 'developer') {
  const key = `${env}/${account}`;
  let value = tokens.get(key);
  if (value === undefined) {
    value = await platform.login(env, account);
    tokens.set(key, value);
  }
  return value;
}

/** The SDK's default tag for the captured module: `{registry}:{name}-{version}`. */
const sdkTag = () => `${registry.host}/your-org:sdk-interop-1.0.0`;
/** Ours: `{registry}/{name}:{version}`. */
const ourTag = () => `${registry.host}/your-org/sdk-interop:1.0.0`;

/** A captured body with its imageRef moved to the test registry, every other byte as sent. */
const onTestRegistry = (body: string, imageRef: string) => {
  expect(body).toContain(CAPTURED_REF);
  return body.replace(CAPTURED_REF, imageRef);
};

async function publishRaw(env: Environment, rawBody: string) {
  return platform.call(env, routes.publish, { token: await token(env), rawBody });
}

async function versionsOf(env: Environment, moduleId: string) {
  const listed = await platform.call(env, routes.listModuleVersions, {
    token: await token(env),
    params: { moduleId },
  });
  expect(listed.status).toBe(200);
  return moduleVersionListSchema.parse(listed.body).items;
}

function storedManifest(env: Environment, versionId: string): Record<string, unknown> {
  const db = new Database(platform.running.databaseFile(env) as string, { readonly: true });
  try {
    const row = db.prepare('SELECT manifest FROM versions WHERE id = ?').get(versionId) as
      | { manifest: string }
      | undefined;
    if (row === undefined) throw new Error(`no version ${versionId} in ${env}`);
    return JSON.parse(row.manifest) as Record<string, unknown>;
  } finally {
    db.close();
  }
}

function versionCount(env: Environment): number {
  const db = new Database(platform.running.databaseFile(env) as string, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM versions').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Every reserved signature name found at any depth of `value`, with its path. */
function reservedNamesIn(value: unknown, path = ''): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, i) => reservedNamesIn(item, `${path}/${i}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, member]) => [
    ...((RESERVED_SIGNATURE_FIELDS as readonly string[]).includes(key) ? [`${path}/${key}`] : []),
    ...reservedNamesIn(member, `${path}/${key}`),
  ]);
}

const withoutSdkFields = (body: string) =>
  Object.fromEntries(
    Object.entries((JSON.parse(body) as { manifest: Record<string, unknown> }).manifest).filter(
      ([key]) => !SDK_FIELDS.includes(key),
    ),
  );

/** A manifest signed as the SDK signs it, with an RSA key of ours, as the body text to send. */
function sdkSignedBody(
  imageRef: string,
  unsigned: Record<string, unknown>,
  key: { privateKey: KeyObject; publicKey: KeyObject },
): string {
  return JSON.stringify({
    imageRef,
    manifest: sdkSignedManifest(unsigned, key),
    scope: 'org',
  });
}

describe('the captured SDK publish', () => {
  it('is accepted on dev under the SDK’s own default tag, recorded as an RSA-PSS signature over the manifest only', async () => {
    const result = await publishRaw('dev', onTestRegistry(DEV_BODY, sdkTag()));
    expect(result.status, JSON.stringify(result.body)).toBe(202);
    expect(result.body).toMatchObject({
      state: 'APPROVED',
      moduleName: 'sdk-interop',
      image: { repository: `${registry.host}/your-org` },
    });

    const [version] = await versionsOf('dev', result.body.moduleId);
    expect(version).toMatchObject({
      version: '1.0.0',
      keyFingerprint: CAPTURED_FINGERPRINT,
      signature: {
        kind: 'rsa-pss-manifest',
        algorithm: 'RSA-PSS',
        binds: ['manifest'],
        keyFingerprint: CAPTURED_FINGERPRINT,
      },
    });

    const stored = storedManifest('dev', result.body.versionId);
    expect(reservedNamesIn(stored)).toEqual([]);
    expect(stored).toEqual(withoutSdkFields(DEV_BODY));
  });

  it('is accepted on staging, where signatures are required, under our default tag', async () => {
    const result = await publishRaw('staging', onTestRegistry(STAGING_BODY, ourTag()));
    expect(result.status, JSON.stringify(result.body)).toBe(202);
    expect(result.body.image.repository).toBe(`${registry.host}/your-org/sdk-interop`);
    const [version] = await versionsOf('staging', result.body.moduleId);
    expect(version?.signature).toEqual({
      kind: 'rsa-pss-manifest',
      algorithm: 'RSA-PSS',
      binds: ['manifest'],
      keyFingerprint: CAPTURED_FINGERPRINT,
    });
    expect(reservedNamesIn(storedManifest('staging', result.body.versionId))).toEqual([]);
  });

  it('is UNTRUSTED_KEY on prod until the RSA key is registered to the publisher, then accepted', async () => {
    const body = onTestRegistry(STAGING_BODY, ourTag());
    const refused = await publishRaw('prod', body);
    expect([refused.status, refused.body.code]).toEqual([403, 'UNTRUSTED_KEY']);
    expect(refused.body.message).toBe(
      `Untrusted key: ${CAPTURED_FINGERPRINT} is not registered to developer@your-org.test in prod; ` +
        "prod takes legacy (Python SDK, RSA-PSS) signatures only from registered keys: run `hla-compass keys register --env prod --sdk-key` on the machine with the SDK's keys (or POST /v1/keys with the manifest's publicKey), then publish again",
    );
    expect(refused.body.details).toEqual({
      keyFingerprint: CAPTURED_FINGERPRINT,
      signatureKind: 'rsa-pss-manifest',
    });
    expect(versionCount('prod')).toBe(0);

    // Registering takes the private key (proof of possession), which only the SDK's user has:
    // a publisher who merely saw the public key in a body cannot make it theirs.
    const squat = await platform.call('prod', routes.registerKey, {
      token: await token('prod'),
      body: { publicKey: CAPTURED_PUBLIC_KEY, proof: Buffer.alloc(512).toString('base64') },
    });
    expect([squat.status, squat.body.code]).toEqual([400, 'SIGNATURE_INVALID']);
    expect((await publishRaw('prod', body)).status).toBe(403);

    const sdkKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const registered = await platform.call('prod', routes.registerKey, {
      token: await token('prod'),
      body: {
        ...(await keyRegistration(
          platform,
          'prod',
          { token: await token('prod') },
          sdkKey.privateKey,
        )),
        name: 'python sdk',
      },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.algorithm).toBe('RSA-PSS');
    await pushImage(registry, 'your-org/sdk-registered', '1.0.0');
    const accepted = await publishRaw(
      'prod',
      sdkSignedBody(
        `${registry.host}/your-org/sdk-registered:1.0.0`,
        manifest('sdk-registered', '1.0.0'),
        sdkKey,
      ),
    );
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const [version] = await versionsOf('prod', accepted.body.moduleId);
    expect(version?.signature?.kind).toBe('rsa-pss-manifest');
  });

  // Each change keeps the manifest valid, so the signature is what refuses it.
  const CHANGES: [string, (body: string) => string][] = [
    ['a value', changeAfter('"description": "Interop test modul')],
    ['a member name', changeAfter('"prop')],
    ['the signature', changeAfter('"signature": "')],
    ['the public key', changeAfter('"publicKey": "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA')],
    ['the key fingerprint', changeAfter('"keyFingerprint": "')],
    // Equal as JSON.parse reads it; Python's json.dumps writes 512.0, so the signed bytes differ.
    ['an int written as a float', (body) => body.replace('"memory": 512', '"memory": 512.0')],
  ];

  it.each(['dev', 'staging', 'prod'] as const)(
    'is SIGNATURE_INVALID on %s when one byte of its manifest changes (or 512 becomes 512.0), and nothing is written',
    async (env) => {
      const before = versionCount(env);
      for (const [what, change] of CHANGES) {
        const source = env === 'dev' ? DEV_BODY : STAGING_BODY;
        const body = change(onTestRegistry(source, ourTag()));
        expect(body, what).not.toBe(onTestRegistry(source, ourTag()));
        const result = await publishRaw(env, body);
        expect([result.status, result.body.code], what).toEqual([400, 'SIGNATURE_INVALID']);
        expect(result.body.message, what).toMatch(/^Signature invalid: /);
      }
      expect(versionCount(env)).toBe(before);
    },
  );
});

describe('the legacy key policy', () => {
  it('comes from the seed: /_emulator/seed with legacySignatureKeys "registered" makes an env refuse the SDK’s unregistered key', async () => {
    const body = onTestRegistry(DEV_BODY, ourTag());
    expect((await publishRaw('local', body)).status).toBe(202);

    const seed = (await seedForRegistry(DEFAULT_SEED_FILE, registry.port)) as {
      environments: { local: { legacySignatureKeys: string } };
    };
    expect(seed.environments.local.legacySignatureKeys).toBe('any');
    seed.environments.local.legacySignatureKeys = 'registered';
    const reseeded = await platform.control('seed?env=local', seed);
    expect(reseeded.status).toBe(200);
    tokens.delete('local/developer');

    const refused = await publishRaw('local', body);
    expect([refused.status, refused.body.code]).toEqual([403, 'UNTRUSTED_KEY']);
  });
});

/** Changes the character right after `before` into another of its kind (base64 stays base64). */
function changeAfter(before: string): (body: string) => string {
  return (body) => {
    const at = body.indexOf(before) + before.length;
    expect(at, before).toBeGreaterThanOrEqual(before.length);
    const c = body.charAt(at);
    const next =
      c === 'z'
        ? 'a'
        : c === 'Z'
          ? 'A'
          : c === '9'
            ? '0'
            : String.fromCharCode(c.charCodeAt(0) + 1);
    return `${body.slice(0, at)}${next}${body.slice(at + 1)}`;
  };
}

describe('legacy keys and what is stored', () => {
  let ownKey: { privateKey: KeyObject; publicKey: KeyObject };

  beforeAll(() => {
    ownKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  });

  it('covers nothing under a reserved name at any depth, and stores none of them', async () => {
    await pushImage(registry, 'your-org/nested-names', '1.0.0');
    const unsigned = manifest('nested-names', '1.0.0', {
      inputs: {
        type: 'object',
        properties: { signature: { type: 'string' }, query: { type: 'string' } },
      },
      pricing: { tiers: [{ tier: 'developer', amountAct: 1.0, publicKey: 'x' }] },
    });
    const result = await publishRaw(
      'dev',
      sdkSignedBody(`${registry.host}/your-org/nested-names:1.0.0`, unsigned, ownKey),
    );
    expect(result.status, JSON.stringify(result.body)).toBe(202);
    const stored = storedManifest('dev', result.body.versionId);
    expect(reservedNamesIn(stored)).toEqual([]);
    expect(stored.inputs).toEqual({ type: 'object', properties: { query: { type: 'string' } } });
  });

  it('refuses a legacy key registered to someone else, or revoked, also where any key is taken', async () => {
    const someoneElses = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const admin = await token('dev', 'admin');
    const taken = await platform.call('dev', routes.registerKey, {
      token: admin,
      body: await keyRegistration(platform, 'dev', { token: admin }, someoneElses.privateKey),
    });
    expect(taken.status).toBe(201);
    await pushImage(registry, 'your-org/key-trust', '1.0.0');
    const ref = `${registry.host}/your-org/key-trust:1.0.0`;
    const unsigned = manifest('key-trust', '1.0.0');

    const other = await publishRaw('dev', sdkSignedBody(ref, unsigned, someoneElses));
    expect([other.status, other.body.code]).toEqual([403, 'UNTRUSTED_KEY']);
    expect(other.body.message).toContain('is not registered to developer@your-org.test in dev');

    const doomed = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const registered = await platform.call('dev', routes.registerKey, {
      token: await token('dev'),
      body: await keyRegistration(
        platform,
        'dev',
        { token: await token('dev') },
        doomed.privateKey,
      ),
    });
    const revoked = await platform.call('dev', routes.revokeKey, {
      token: await token('dev'),
      params: { fingerprint: registered.body.fingerprint },
    });
    expect(revoked.status).toBe(200);
    const dead = await publishRaw('dev', sdkSignedBody(ref, unsigned, doomed));
    expect([dead.status, dead.body.code]).toEqual([403, 'UNTRUSTED_KEY']);
    expect(dead.body.message).toMatch(/was revoked at/);
    expect(versionCount('dev')).toBeGreaterThan(0);
  });

  it('records an Ed25519 statement as binding env, image, manifest and scope, and an unsigned version as unsigned', async () => {
    const digest = await pushImage(registry, 'your-org/ed25519-kind', '1.0.0');
    const keys = generateKeyPair();
    const registered = await platform.call('dev', routes.registerKey, {
      token: await token('dev'),
      body: await keyRegistration(platform, 'dev', { token: await token('dev') }, keys),
    });
    expect(registered.status).toBe(201);
    // A stray SDK field at the top level is neither signed nor stored.
    const base: JsonObject = { ...manifest('ed25519-kind', '1.0.0'), hashAlgorithm: 'SHA-256' };
    const fields = signPublishStatement(
      {
        environment: 'dev',
        repository: `${registry.host}/your-org/ed25519-kind`,
        digest,
        manifest: base,
        scope: 'org',
      },
      keys.privateKey,
    );
    const signed = await platform.call('dev', routes.publish, {
      token: await token('dev'),
      body: {
        imageRef: `${registry.host}/your-org/ed25519-kind:1.0.0`,
        manifest: { ...base, ...fields },
      },
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(202);
    const [statement] = await versionsOf('dev', signed.body.moduleId);
    expect(statement?.signature).toEqual({
      kind: 'ed25519-statement',
      algorithm: 'Ed25519',
      binds: ['environment', 'image', 'manifest', 'scope'],
      keyFingerprint: fields.keyFingerprint,
    });
    expect(reservedNamesIn(storedManifest('dev', signed.body.versionId))).toEqual([]);

    await pushImage(registry, 'your-org/ed25519-kind', '1.0.1');
    const unsigned = await platform.call('dev', routes.publish, {
      token: await token('dev'),
      body: {
        imageRef: `${registry.host}/your-org/ed25519-kind:1.0.1`,
        manifest: manifest('ed25519-kind', '1.0.1'),
      },
    });
    expect(unsigned.status).toBe(202);
    const versions = await versionsOf('dev', unsigned.body.moduleId);
    expect(versions.find((version) => version.version === '1.0.1')).toMatchObject({
      keyFingerprint: null,
      signature: null,
    });
  });

  it('refuses reserved signature names without a signature, also where signatures are optional', async () => {
    await pushImage(registry, 'your-org/half-signed', '1.0.0');
    const result = await platform.call('dev', routes.publish, {
      token: await token('dev'),
      body: {
        imageRef: `${registry.host}/your-org/half-signed:1.0.0`,
        manifest: { ...manifest('half-signed', '1.0.0'), hashAlgorithm: 'SHA-256' },
      },
    });
    expect([result.status, result.body.code]).toEqual([400, 'SIGNATURE_INVALID']);
    expect(result.body.message).toBe(
      'Signature invalid: the manifest carries hashAlgorithm but no signature; those names are reserved for signatures',
    );
  });
});
