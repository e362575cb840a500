// The Python SDK 2.0.13 replayed against the started emulator over HTTP (SPEC §6a): its requests
// as captured on the wire (fixtures/sdk-2.0.13-wire/) or as python-sdk.md §4 and §5 describe
// them, with its headers, and every answer read the way the SDK reads it.
import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { routes } from '@hla-compass/platform-api';
import {
  type RunningRegistry,
  seedForRegistry,
  signInOnConsole,
  startRegistry,
} from '@hla-compass/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SEED_FILE } from '../src/index.js';
import { keyRegistration } from './support/key-proof.js';
import { ACCOUNTS, startTestPlatform, type TestPlatform } from './support/platform.js';
import {
  type SdkAnswer,
  type SdkCredentials,
  sdkCredentialsFrom,
  sdkErrorText,
  sdkPublishOutput,
  sdkRequest,
  sdkSignedManifest,
  sdkUnwrap,
  sdkWatchStops,
  startSdkCallbackListener,
} from './support/python-sdk.js';
import { loopbackOnlyResolver, pushImage } from './support/registries.js';

type Env = 'dev' | 'staging' | 'prod';

interface CapturedPublish {
  imageRef: string;
  manifest: { name: string; version: string } & Record<string, unknown>;
  scope: 'org' | 'public';
}

interface CapturedAuth {
  login_request: { email: string; password: string };
  refresh_request_shape: Record<string, string>;
}

const fixture = <T>(file: string): T =>
  JSON.parse(
    readFileSync(new URL(`./fixtures/sdk-2.0.13-wire/${file}`, import.meta.url), 'utf8'),
  ) as T;

/** The signature fields the SDK adds to the manifest (python-sdk.md §5.2 step 10). */
const SDK_SIGNATURE_FIELDS = [
  'signature',
  'publicKey',
  'keyFingerprint',
  'signatureAlgorithm',
  'hashAlgorithm',
];

let registry: RunningRegistry;
let platform: TestPlatform;
/** The default seed, its registry (127.0.0.1:5000) moved to the test registry's port. */
let seed: unknown;
let imageDigest: string;

beforeAll(async () => {
  registry = await startRegistry();
  seed = await seedForRegistry(DEFAULT_SEED_FILE, registry.port);
  platform = await startTestPlatform({ seed: { document: seed }, images: loopbackOnlyResolver() });
  imageDigest = await pushImage(registry, 'your-org/sdk-interop', '1.0.0');
});

afterAll(async () => {
  await platform?.stop();
  await registry?.stop();
});

/** An env's API base, which is also its console URL on the emulator. */
const api = (env: Env) => `${platform.url}/${env}`;

/** `hla-compass auth login --email … --password …` (python-sdk.md §4.3). */
async function sdkLogin(env: Env, account: { email: string; password: string }) {
  const answer = await sdkRequest(api(env), 'POST', '/v1/auth/login', {
    body: { email: account.email, password: account.password },
  });
  return sdkCredentialsFrom(answer);
}

/** A captured publish body with `imageRef` on the test registry (the signature does not cover it). */
function captured(file: string, changes: Partial<CapturedPublish> = {}): CapturedPublish {
  const body = fixture<CapturedPublish>(file);
  return { ...body, imageRef: body.imageRef.replace(/^[^/]+/, registry.host), ...changes };
}

/** The body with its manifest signed again as the SDK signs it, by `key`. */
function resignedAsSdk(
  body: CapturedPublish,
  key: { privateKey: KeyObject; publicKey: KeyObject },
): CapturedPublish {
  const unsigned = {
    ...Object.fromEntries(
      Object.entries(body.manifest).filter(([field]) => !SDK_SIGNATURE_FIELDS.includes(field)),
    ),
    name: body.manifest.name,
    version: body.manifest.version,
  };
  return { ...body, manifest: sdkSignedManifest(unsigned, key) };
}

const sdkPublish = (
  env: Env,
  credentials: SdkCredentials,
  body: unknown,
  idempotencyKey?: string,
) =>
  sdkRequest(api(env), 'POST', '/v1/modules/publish', {
    body,
    credentials,
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  });

const publishIdOf = (answer: SdkAnswer) =>
  String((answer.body as { publishId: unknown }).publishId);

describe('signing in as the SDK does', () => {
  it('password login: the SDK finds access_token, refresh_token and expires_in, and the token works', async () => {
    const { login_request } = fixture<CapturedAuth>('auth-requests.json');
    const answer = await sdkRequest(api('dev'), 'POST', '/v1/auth/login', { body: login_request });
    expect(answer.status).toBe(200);
    // The SDK's X-Request-Id comes back, so its log lines up with the emulator's.
    expect(answer.headers.get('x-request-id')).toBe(answer.requestId);
    const stored = sdkCredentialsFrom(answer);
    expect(stored.refresh_token).toEqual(expect.any(String));
    expect(stored.expires_in).toBe(3600);

    const me = await sdkRequest(api('dev'), 'GET', '/v1/auth/me', {
      credentials: { bearer: stored.access_token },
    });
    expect(me.status).toBe(200);
    expect(sdkUnwrap(me.body)).toMatchObject({ user: { email: login_request.email } });
  });

  it('password login refused: the SDK prints the platform message', async () => {
    const answer = await sdkRequest(api('dev'), 'POST', '/v1/auth/login', {
      body: { email: ACCOUNTS.developer.email, password: 'not-the-password' },
    });
    expect(answer.status).toBe(401);
    expect(() => sdkCredentialsFrom(answer)).toThrow(
      `Wrong email or password (request_id=${answer.requestId})`,
    );
  });

  it('refresh with {refresh_token}: new tokens, and the spent one replayed ends the sign-in', async () => {
    const { refresh_request_shape } = fixture<CapturedAuth>('auth-requests.json');
    const first = await sdkLogin('dev', ACCOUNTS.developer);
    const body = { refresh_token: first.refresh_token };
    expect(Object.keys(body)).toEqual(Object.keys(refresh_request_shape));

    const refreshed = sdkCredentialsFrom(
      await sdkRequest(api('dev'), 'POST', '/v1/auth/refresh', { body }),
    );
    expect(refreshed.access_token).not.toBe(first.access_token);
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    const me = await sdkRequest(api('dev'), 'GET', '/v1/auth/me', {
      credentials: { bearer: refreshed.access_token },
    });
    expect(me.status).toBe(200);

    // Reuse detection is as strict under the SDK's name: once the sign-in has moved on past the
    // successor (no longer a benign re-send), the spent token ends the whole sign-in.
    const moved = sdkCredentialsFrom(
      await sdkRequest(api('dev'), 'POST', '/v1/auth/refresh', {
        body: { refresh_token: refreshed.refresh_token },
      }),
    );
    const replay = await sdkRequest(api('dev'), 'POST', '/v1/auth/refresh', { body });
    expect(replay.status).toBe(401);
    expect(sdkErrorText(replay)).toMatch(/^Refresh token was already used/);
    const after = await sdkRequest(api('dev'), 'GET', '/v1/auth/me', {
      credentials: { bearer: moved.access_token },
    });
    expect(after.status).toBe(401);
  });

  it('browser login without PKCE: the SDK listener gets state and payload, and the token works', async () => {
    const listener = await startSdkCallbackListener();
    try {
      const loginUrl = listener.loginUrl(api('dev'));
      expect(new URL(loginUrl).searchParams.has('code_challenge')).toBe(false);
      const signIn = await signInOnConsole(loginUrl, ACCOUNTS.developer);
      expect(signIn.callbackUrl.startsWith(`${listener.redirectUri}?`)).toBe(true);
      expect(signIn.landingPage).toContain('Login successful!');
      const result = await listener.result;
      if (!result.ok) throw new Error(`the SDK refused the callback: ${result.error}`);

      // The value arrived percent-encoded: a raw `+` would have reached the SDK as a space.
      expect(listener.callbacks).toHaveLength(1);
      const rawPayload = /(?:^|&)payload=([^&]*)/.exec(listener.callbacks[0] ?? '')?.[1];
      expect(rawPayload).toMatch(/^[A-Za-z0-9%]+$/);
      expect(result.credentials.expires_in).toBe(3600);

      const me = await sdkRequest(api('dev'), 'GET', '/v1/auth/me', {
        credentials: { bearer: result.credentials.access_token },
      });
      expect([me.status, (sdkUnwrap(me.body) as { user: { email: string } }).user.email]).toEqual([
        200,
        ACCOUNTS.developer.email,
      ]);
      const refreshed = await sdkRequest(api('dev'), 'POST', '/v1/auth/refresh', {
        body: { refresh_token: result.credentials.refresh_token },
      });
      expect(refreshed.status).toBe(200);
      // Signed in to dev, not to another env.
      const prod = await sdkRequest(api('prod'), 'GET', '/v1/auth/me', {
        credentials: { bearer: result.credentials.access_token },
      });
      expect(prod.status).toBe(401);
    } finally {
      await listener.close();
    }
  });

  it('browser login: a wrong password gets the form again and sends nothing to the SDK', async () => {
    const listener = await startSdkCallbackListener();
    try {
      await expect(
        signInOnConsole(listener.loginUrl(api('dev')), {
          email: ACCOUNTS.developer.email,
          password: 'not-the-password',
        }),
      ).rejects.toThrow(/HTTP 401 instead of a redirect/);
      expect(listener.callbacks).toEqual([]);
    } finally {
      await listener.close();
    }
  });
});

describe('publishing as the SDK does', () => {
  let developer: SdkCredentials;
  const developerKey: SdkCredentials = { apiKey: ACCOUNTS.developer.apiKey };
  const superuser = ACCOUNTS.superuser.apiKey;

  beforeEach(async () => {
    // Every test publishes sdk-interop@1.0.0 anew: versions are immutable.
    const reseeded = await platform.control('seed', seed);
    expect(reseeded.status).toBe(200);
    developer = { bearer: (await sdkLogin('dev', ACCOUNTS.developer)).access_token };
  });

  async function status(env: Env, publishId: string) {
    const answer = await sdkRequest(api(env), 'GET', `/v1/modules/publish/${publishId}`, {
      credentials: developer,
    });
    expect(answer.status).toBe(200);
    return sdkUnwrap(answer.body) as Record<string, unknown>;
  }

  it('dev, scope org: the captured request is APPROVED; a retry with its Idempotency-Key gets the same answer', async () => {
    const body = captured('publish-request-dev-org.json');
    expect(body.scope).toBe('org');
    const key = randomUUID();
    const answer = await sdkPublish('dev', developer, body, key);
    expect(answer.status, sdkErrorText(answer)).toBe(202);
    expect(sdkPublishOutput(answer, 'dev', 'org')).toEqual([
      `Publish job: ${publishIdOf(answer)}`,
      '✓ Module published and approved (scope: org)',
    ]);
    expect(answer.body).toMatchObject({
      moduleName: 'sdk-interop',
      version: '1.0.0',
      image: { repository: `${registry.host}/your-org/sdk-interop`, digest: imageDigest },
    });

    const retry = await sdkPublish('dev', developer, body, key);
    expect([retry.status, retry.body]).toEqual([202, answer.body]);
  });

  it('publish-status: an org publish is completed, which ends --watch', async () => {
    const answer = await sdkPublish('dev', developer, captured('publish-request-dev-org.json'));
    expect(answer.status, sdkErrorText(answer)).toBe(202);
    const job = await status('dev', publishIdOf(answer));
    expect(job).toMatchObject({ publishId: publishIdOf(answer), status: 'completed' });
    expect(sdkWatchStops(job.status)).toBe(true);
    // The other fields of the SDK's status table.
    expect(job).toHaveProperty('currentPhase');
    expect(job).toHaveProperty('failureReason', null);
    expect(job).toHaveProperty('startTime');
  });

  it('modules list: the published module is under items, with limit as the SDK sends it', async () => {
    const answer = await sdkPublish('dev', developer, captured('publish-request-dev-org.json'));
    expect(answer.status, sdkErrorText(answer)).toBe(202);
    const listed = await sdkRequest(api('dev'), 'GET', '/v1/modules?limit=20', {
      credentials: developer,
    });
    expect(listed.status).toBe(200);
    const { items } = sdkUnwrap(listed.body) as { items: Record<string, unknown>[] };
    expect(items).toContainEqual(
      expect.objectContaining({ moduleName: 'sdk-interop', currentVersion: '1.0.0' }),
    );
    const one = await sdkRequest(api('dev'), 'GET', '/v1/modules?limit=1', {
      credentials: developer,
    });
    expect((sdkUnwrap(one.body) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('dev, scope public: SUBMITTED and pending under --watch until a superuser approves it', async () => {
    const answer = await sdkPublish(
      'dev',
      developer,
      captured('publish-request-dev-org.json', { scope: 'public' }),
    );
    expect(answer.status, sdkErrorText(answer)).toBe(202);
    const publishId = publishIdOf(answer);
    expect(sdkPublishOutput(answer, 'dev', 'public')).toEqual([
      `Publish job: ${publishId}`,
      '✓ Module submitted for approval (scope: public)',
      "A superuser must approve before it's publicly available",
    ]);
    const waiting = await status('dev', publishId);
    expect(waiting.status).toBe('pending');
    expect(sdkWatchStops(waiting.status)).toBe(false);

    const approved = await platform.call('dev', routes.approvePublish, {
      params: { publishId },
      apiKey: superuser,
      body: {},
    });
    expect(approved.status).toBe(200);
    const done = await status('dev', publishId);
    expect(done.status).toBe('completed');
    expect(sdkWatchStops(done.status)).toBe(true);
    // Public once approved: another org's developer lists it.
    const listed = await sdkRequest(api('dev'), 'GET', '/v1/modules?limit=50', {
      credentials: { apiKey: ACCOUNTS.other.apiKey },
    });
    expect((sdkUnwrap(listed.body) as { items: unknown[] }).items).toContainEqual(
      expect.objectContaining({ moduleName: 'sdk-interop' }),
    );
  });

  it('a rejected public publish ends --watch as failed, with the reason the SDK prints', async () => {
    const answer = await sdkPublish(
      'dev',
      developer,
      captured('publish-request-dev-org.json', { scope: 'public' }),
    );
    expect(answer.status, sdkErrorText(answer)).toBe(202);
    const publishId = publishIdOf(answer);
    const reason = 'Network access to 0.0.0.0/0 is not allowed for public modules';
    const rejected = await platform.call('dev', routes.rejectPublish, {
      params: { publishId },
      apiKey: superuser,
      body: { reason },
    });
    expect(rejected.status).toBe(200);
    const job = await status('dev', publishId);
    expect(sdkWatchStops(job.status)).toBe(true);
    expect(String(job.status).toLowerCase()).toBe('failed');
    // "Publish job failed: {id} ({failureReason or message})"
    expect(job.failureReason ?? job.message).toBe(reason);
  });

  it('staging requires a signature, and the SDK legacy RSA-PSS signature is one (X-API-Key, as in CI)', async () => {
    const answer = await sdkPublish(
      'staging',
      developerKey,
      captured('publish-request-staging.json'),
    );
    expect(answer.status, sdkErrorText(answer)).toBe(202);
    expect(sdkPublishOutput(answer, 'staging', 'org')).toEqual([
      `Publish job: ${publishIdOf(answer)}`,
      '✓ Module published and approved (scope: org)',
    ]);
  });

  it('staging refuses the captured request unsigned or altered, as the SDK prints it', async () => {
    const body = captured('publish-request-staging.json');
    const unsigned = Object.fromEntries(
      Object.entries(body.manifest).filter(([field]) => !SDK_SIGNATURE_FIELDS.includes(field)),
    );
    const refusedUnsigned = await sdkPublish('staging', developerKey, {
      ...body,
      manifest: unsigned,
    });
    expect([refusedUnsigned.status, (refusedUnsigned.body as { code: string }).code]).toEqual([
      400,
      'SIGNATURE_REQUIRED',
    ]);
    expect(sdkPublishOutput(refusedUnsigned, 'staging', 'org')[0]).toMatch(
      /^Publish failed \(400\): Signature required: .* \(request_id=[0-9a-f-]{36}\)$/,
    );

    for (const change of [{ description: 'Not what was signed' }, { version: '1.0.1' }]) {
      const altered = await sdkPublish('staging', developerKey, {
        ...body,
        manifest: { ...body.manifest, ...change },
      });
      expect(
        [altered.status, (altered.body as { code: string }).code],
        JSON.stringify(change),
      ).toEqual([400, 'SIGNATURE_INVALID']);
      expect(sdkPublishOutput(altered, 'staging', 'org')[0]).toMatch(
        /^Publish failed \(400\): Signature invalid: /,
      );
    }
  });

  it('prod takes a legacy signature only from an RSA key registered to the publisher', async () => {
    const body = captured('publish-request-staging.json');
    const refused = await sdkPublish('prod', developerKey, body);
    expect([refused.status, (refused.body as { code: string }).code]).toEqual([
      403,
      'UNTRUSTED_KEY',
    ]);
    expect(sdkPublishOutput(refused, 'prod', 'org')).toEqual([
      `Publish failed (403): ${sdkErrorText(refused)}`,
      'Hint: Ensure your account/org has permission to publish modules in this environment.',
    ]);

    // The public key is in every body the SDK sends; registering it takes the private key too.
    const publicKey = String(body.manifest.publicKey);
    const squat = await platform.call('prod', routes.registerKey, {
      apiKey: ACCOUNTS.developer.apiKey,
      body: { publicKey, proof: Buffer.alloc(512).toString('base64') },
    });
    expect([squat.status, squat.body.code]).toEqual([400, 'SIGNATURE_INVALID']);

    // The SDK's user registers their key (`keys register --sdk-key` signs the proof): here a key
    // of ours, with the captured manifest signed by it as the SDK signs.
    const sdkKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const registered = await platform.call('prod', routes.registerKey, {
      apiKey: ACCOUNTS.developer.apiKey,
      body: await keyRegistration(
        platform,
        'prod',
        { apiKey: ACCOUNTS.developer.apiKey },
        sdkKey.privateKey,
      ),
    });
    expect(registered.status).toBe(201);
    const accepted = await sdkPublish('prod', developerKey, resignedAsSdk(body, sdkKey));
    expect(accepted.status, sdkErrorText(accepted)).toBe(202);
    expect((accepted.body as { state: string }).state).toBe('APPROVED');
  });

  it("the SDK's own default tag {registry}:{name}-{version} is on the allowlist", async () => {
    const config = await sdkRequest(api('dev'), 'GET', '/v1/modules/publish/config', {
      credentials: developer,
    });
    expect(config.status).toBe(200);
    const { registry: defaultRegistry } = sdkUnwrap(config.body) as { registry: string };
    const body = captured('publish-request-dev-org.json');
    const tag = `${defaultRegistry}:${body.manifest.name}-${body.manifest.version}`;
    expect(tag).toBe(`${registry.host}/your-org:sdk-interop-1.0.0`);
    const digest = await pushImage(registry, 'your-org', 'sdk-interop-1.0.0');

    const answer = await sdkPublish('dev', developer, { ...body, imageRef: tag });
    expect(answer.status, sdkErrorText(answer)).toBe(202);
    expect(answer.body).toMatchObject({
      state: 'APPROVED',
      image: { repository: `${registry.host}/your-org`, digest },
    });
  });

  describe('the refusals, as the SDK prints them', () => {
    /** The SDK's first output line for a refused publish, and the answer's code. */
    async function refusal(credentials: SdkCredentials, body: unknown) {
      const answer = await sdkPublish('dev', credentials, body);
      const output = sdkPublishOutput(answer, 'dev', 'org');
      return { status: answer.status, code: (answer.body as { code?: string }).code, output };
    }

    it('a version that exists: 409, immutable, bump the version', async () => {
      const body = captured('publish-request-dev-org.json');
      expect((await sdkPublish('dev', developer, body)).status).toBe(202);
      // The version from another image: the very same body again is the same publish (200).
      await pushImage(registry, 'your-org', 'sdk-interop-1.0.0');
      const again = await refusal(developer, {
        ...body,
        imageRef: `${registry.host}/your-org:sdk-interop-1.0.0`,
      });
      expect([again.status, again.code]).toEqual([409, 'VERSION_EXISTS']);
      expect(again.output[0]).toMatch(
        /^Publish failed \(409\): sdk-interop@1\.0\.0 already exists in dev: .*bump `version`/,
      );
    });

    it('an image outside the allowlist: 403 "Registry not in allowlist", with the 403 hint', async () => {
      const body = captured('publish-request-dev-org.json');
      const outside = await refusal(developer, {
        ...body,
        imageRef: `${registry.host}/other-org/sdk-interop:1.0.0`,
      });
      expect([outside.status, outside.code]).toEqual([403, 'REGISTRY_UNAUTHORIZED']);
      expect(outside.output[0]).toMatch(/^Publish failed \(403\): Registry not in allowlist: /);
      expect(outside.output[1]).toBe(
        'Hint: Ensure your account/org has permission to publish modules in this environment.',
      );
    });

    it('an image the registry does not have: 422 "Image not found"', async () => {
      const body = captured('publish-request-dev-org.json');
      const missing = await refusal(developer, {
        ...body,
        imageRef: `${registry.host}/your-org/sdk-interop:9.9.9`,
      });
      expect([missing.status, missing.code]).toEqual([422, 'IMAGE_NOT_FOUND']);
      expect(missing.output[0]).toMatch(/^Publish failed \(422\): Image not found: /);
    });

    it('a viewer: 403 "Module publish requires developer access"', async () => {
      const viewer = await refusal(
        { apiKey: ACCOUNTS.viewer.apiKey },
        captured('publish-request-dev-org.json'),
      );
      expect([viewer.status, viewer.code]).toEqual([403, 'DEVELOPER_ROLE_REQUIRED']);
      expect(viewer.output[0]).toMatch(
        /^Publish failed \(403\): Module publish requires developer access/,
      );
    });

    it('credentials the platform does not know: 401, with the hint to sign in again', async () => {
      const stranger = await refusal(
        { apiKey: 'hlc_ak_not-a-key-of-this-platform' },
        captured('publish-request-dev-org.json'),
      );
      expect([stranger.status, stranger.code]).toEqual([401, 'UNAUTHENTICATED']);
      expect(stranger.output[1]).toBe('Hint: Run `hla-compass auth login --env dev` and retry.');
    });
  });
});
