// Every publish outcome of SPEC §7 as the user sees it (exit code, the key line, --json shape),
// plus publish-status, modules and a dry run that changes nothing anywhere. The built CLI against
// a started emulator and real docker-registry processes.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capturedOutput, createSandbox, runCli, type Sandbox } from './cli-process.js';
import { type PublishingWorld, REGISTRY_USER, startPublishingWorld } from './publishing-world.js';
import { login, pointAtEmulator, storedTokens } from './sandbox-config.js';

let world: PublishingWorld;
let sandbox: Sandbox;
let moduleDir: string;
let moduleCount = 0;
const seenTokens: string[] = [];

beforeAll(async () => {
  world = await startPublishingWorld();
});
afterAll(async () => {
  if (world === undefined) return;
  await world.stop();
  const secrets = [...world.secrets(), ...seenTokens];
  for (const output of capturedOutput) {
    for (const secret of secrets) expect(output).not.toContain(secret);
  }
});
beforeEach(async () => {
  sandbox = await createSandbox();
  await pointAtEmulator(sandbox, world);
  moduleDir = await newModule(`scorer-${++moduleCount}`);
});
// afterEach also runs when beforeEach failed half-way, so no sandbox is left behind.
afterEach(async () => {
  if (sandbox === undefined) return;
  for (const environment of ['local', 'dev', 'staging', 'prod']) {
    seenTokens.push(...(await storedTokens(sandbox, environment)));
  }
  await sandbox.cleanup();
});

async function newModule(name: string, version = '1.0.0'): Promise<string> {
  const init = await sandbox.run(['init', name]);
  expect(init.code).toBe(0);
  const dir = join(sandbox.dir, name);
  await setVersion(dir, version);
  return dir;
}

async function setVersion(dir: string, version: string): Promise<void> {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8'));
  await writeFile(path, JSON.stringify({ ...manifest, version }, null, 2));
}

const moduleName = () => `scorer-${moduleCount}`;
const imageOf = (registry = world.plain.host, org = 'your-org', version = '1.0.0') =>
  `${registry}/${org}/${moduleName()}:${version}`;
const publish = (args: string[], env: Record<string, string> = {}) =>
  sandbox.run(['publish', ...args], { cwd: moduleDir, env });

describe('publish, scope org', () => {
  it('registers the version at once (APPROVED), digest-pinned, and modules list shows it', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const digest = await world.pushImage(imageOf());
    const result = await publish(['--env', 'dev']);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Published ${moduleName()}@1.0.0 to dev (scope org): APPROVED`);
    expect(result.stdout).toContain(
      `image        ${world.plain.host}/your-org/${moduleName()}@${digest}`,
    );

    const listed = JSON.parse(
      (await sandbox.run(['modules', 'list', '--env', 'dev', '--json'])).stdout,
    );
    expect(listed.modules).toContainEqual(
      expect.objectContaining({
        moduleName: moduleName(),
        currentVersion: '1.0.0',
        imageRef: `${world.plain.host}/your-org/${moduleName()}@${digest}`,
      }),
    );
    const shown = await sandbox.run(['modules', 'show', moduleName(), '--env', 'dev']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^1\.0\.0 +APPROVED +org /m);
    expect(shown.stdout).toContain('signatures\n  1.0.0  unsigned\n');
  });

  it('answers --json with the platform’s publish record', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const digest = await world.pushImage(imageOf());
    const result = await publish(['--env', 'dev', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      publishId: expect.any(String),
      moduleId: expect.any(String),
      versionId: expect.any(String),
      moduleName: moduleName(),
      version: '1.0.0',
      environment: 'dev',
      scope: 'org',
      state: 'APPROVED',
      status: 'completed',
      image: { repository: `${world.plain.host}/your-org/${moduleName()}`, digest },
      imageRef: `${world.plain.host}/your-org/${moduleName()}@${digest}`,
      keyFingerprint: null,
    });
  });

  it('refuses to publish a version twice (VERSION_EXISTS, exit 1), also after a rebuild', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const first = await world.pushImage(imageOf(), 'first build');
    expect((await publish(['--env', 'dev'])).code).toBe(0);
    await world.pushImage(imageOf(), 'second build');
    const again = await publish(['--env', 'dev']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`error: ${moduleName()}@1.0.0 already exists in dev`);
    expect(again.stderr).toContain(
      'hint: published versions are immutable: bump `version` in manifest.json',
    );
    expect(again.stderr).toMatch(/request id: \S+/);
    const shown = JSON.parse(
      (await sandbox.run(['modules', 'show', moduleName(), '--env', 'dev', '--json'])).stdout,
    );
    expect(shown.versions.map((version: { digest: string }) => version.digest)).toEqual([first]);
  });
});

describe('publish, scope public', () => {
  async function submitPublic(): Promise<string> {
    await login(sandbox, world.users.developer, 'dev');
    await world.pushImage(imageOf());
    const result = await publish(['--env', 'dev', '--scope', 'public', '--json']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({ state: 'SUBMITTED', status: 'pending', scope: 'public' });
    return body.publishId;
  }

  it('says a superuser must approve; once approved, other orgs see it', async () => {
    await login(sandbox, world.users.developer, 'dev');
    await world.pushImage(imageOf());
    const human = await publish(['--env', 'dev', '--scope', 'public']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(
      'SUBMITTED; a platform superuser must approve before it is public',
    );
    const publishId = /publish id +(\S+)/.exec(human.stdout)?.[1] ?? '';

    const pending = await sandbox.run(['publish-status', publishId, '--env', 'dev', '--json']);
    expect(JSON.parse(pending.stdout)).toMatchObject({
      state: 'SUBMITTED',
      currentPhase: 'approval',
    });

    const approval = await world.api(
      'dev',
      world.users.superuser.apiKey ?? '',
      'POST',
      `/v1/modules/publish/${publishId}/approve`,
      {},
    );
    expect(approval.status).toBe(200);
    const approved = await sandbox.run(['publish-status', publishId, '--env', 'dev']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/state +APPROVED/);

    const other = await runCli(['modules', 'list', '--env', 'dev', '--json'], {
      cwd: sandbox.dir,
      env: { ...sandbox.env, HLA_API_KEY: world.users.other.apiKey },
    });
    expect(
      JSON.parse(other.stdout).modules.map((module: { moduleName: string }) => module.moduleName),
    ).toContain(moduleName());
  });

  it('reports a rejection with the reason and exit 1', async () => {
    const publishId = await submitPublic();
    const rejected = await world.api(
      'dev',
      world.users.superuser.apiKey ?? '',
      'POST',
      `/v1/modules/publish/${publishId}/reject`,
      {
        reason: 'needs a description',
      },
    );
    expect(rejected.status).toBe(200);
    const status = await sandbox.run(['publish-status', publishId, '--env', 'dev']);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`was rejected in dev: needs a description`);
  });

  it('waits with --wait until a superuser decides', async () => {
    await login(sandbox, world.users.developer, 'dev');
    await world.pushImage(imageOf());
    const waiting = publish(['--env', 'dev', '--scope', 'public', '--wait']);
    let publishId: string | undefined;
    for (let attempt = 0; attempt < 100 && publishId === undefined; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const pending = await world.api(
        'dev',
        world.users.developer.apiKey ?? '',
        'GET',
        '/v1/modules',
      );
      const mine = (pending.body as { items: { moduleName: string; id: string }[] }).items.find(
        (module) => module.moduleName === moduleName(),
      );
      if (mine) {
        const versions = await world.api(
          'dev',
          world.users.developer.apiKey ?? '',
          'GET',
          `/v1/modules/${mine.id}/versions`,
        );
        publishId = (versions.body as { items: { publishId: string }[] }).items[0]?.publishId;
      }
    }
    expect(publishId).toBeDefined();
    await world.api(
      'dev',
      world.users.superuser.apiKey ?? '',
      'POST',
      `/v1/modules/publish/${publishId}/approve`,
      {},
    );
    const result = await waiting;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`${moduleName()}@1.0.0 was approved`);
  });
});

describe('publish refusals', () => {
  it('REGISTRY_UNAUTHORIZED: warns early, then names the repository and the namespace to add (exit 1)', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const image = imageOf(world.plain.host, 'someone-else');
    await world.pushImage(image);
    const result = await publish(['--env', 'dev', '--image-ref', image]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `warning: ${world.plain.host}/someone-else/${moduleName()} is not on dev's registry allowlist`,
    );
    expect(result.stderr).toMatch(/^error: Registry not in allowlist/m);
    expect(result.stderr).toContain(
      `add ${world.plain.host}/someone-else/* to your org's registry allowlist`,
    );
  });

  it('IMAGE_NOT_FOUND: an image never pushed stops before anything is sent (exit 1)', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const result = await publish(['--env', 'dev', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'IMAGE_NOT_FOUND',
      message: `Image not found: ${imageOf()} is not in its registry`,
      hint: expect.stringContaining(`docker manifest inspect ${imageOf()}`),
    });
  });

  it('IMAGE_FORBIDDEN: the platform has no pull credentials for the guarded registry (exit 1)', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const image = imageOf(world.guarded.host);
    await world.pushImage(image);
    const dockerConfig = join(sandbox.dir, 'docker');
    await mkdir(dockerConfig);
    const auth = Buffer.from(`${REGISTRY_USER.username}:${REGISTRY_USER.password}`).toString(
      'base64',
    );
    await writeFile(
      join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [world.guarded.host]: { auth } } }),
    );
    const result = await publish(['--env', 'dev', '--image-ref', image], {
      DOCKER_CONFIG: dockerConfig,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Forbidden/m);
    expect(result.stderr).toContain(
      "the platform's pull credentials for this registry were refused",
    );
  });

  it('tells the user to docker login when their own credentials cannot read the image (exit 1)', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const image = imageOf(world.guarded.host);
    await world.pushImage(image);
    const result = await publish(['--env', 'dev', '--image-ref', image], {
      DOCKER_CONFIG: join(sandbox.dir, 'none'),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`hint: run \`docker login ${world.guarded.host}\``);
  });

  it('DEVELOPER_ROLE_REQUIRED: a viewer is told to ask for the developer role (exit 1)', async () => {
    await login(sandbox, world.users.viewer, 'dev');
    await world.pushImage(imageOf());
    const result = await publish(['--env', 'dev']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Module publish requires developer access/m);
    expect(result.stderr).toContain(
      'hint: ask your org admin to give your account the developer role in dev',
    );
  });

  it('signatures: staging needs keys (exit 2), registered ones (exit 1), and --generate-keys does both', async () => {
    await login(sandbox, world.users.developer, 'staging');
    await world.pushImage(imageOf());
    const noKeys = await publish(['--env', 'staging']);
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toContain('staging only accepts signed publishes');

    await sandbox.run(['keys', 'init']);
    const unregistered = await publish(['--env', 'staging']);
    expect(unregistered.code).toBe(1);
    expect(unregistered.stderr).toContain(
      'hint: register your public key: `hla-compass keys register --env staging`',
    );

    await sandbox.run(['keys', 'init', '--force']);
    const rotated = await sandbox.run(['keys', 'show', '--json']);
    const fingerprint = JSON.parse(rotated.stdout).keyFingerprint;
    await sandbox.run(['keys', 'register', '--env', 'staging']);
    const signed = await publish(['--env', 'staging', '--json']);
    expect(signed.code).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({
      state: 'APPROVED',
      keyFingerprint: fingerprint,
    });
    const shown = await sandbox.run(['modules', 'show', moduleName(), '--env', 'staging']);
    expect(shown.stdout).toContain(
      `  1.0.0  Ed25519, binds environment, image, manifest and scope, key ${fingerprint}\n`,
    );
  });

  it('--generate-keys creates, registers and signs on a first publish', async () => {
    await login(sandbox, world.users.developer, 'prod');
    await world.pushImage(imageOf());
    const result = await publish(['--env', 'prod', '--generate-keys', '--json']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.keyFingerprint).toMatch(/^SHA256:/);
    expect((await stat(join(sandbox.configDir, 'keys', 'private.pem'))).mode & 0o777).toBe(0o600);
    const keys = JSON.parse(
      (await sandbox.run(['keys', 'list', '--env', 'prod', '--json'])).stdout,
    );
    expect(keys.keys.map((key: { fingerprint: string }) => key.fingerprint)).toEqual([
      body.keyFingerprint,
    ]);
  });

  it('a revoked key is UNTRUSTED_KEY (exit 1)', async () => {
    await login(sandbox, world.users.developer, 'staging');
    await world.pushImage(imageOf());
    await sandbox.run(['keys', 'init']);
    await sandbox.run(['keys', 'register', '--env', 'staging']);
    const fingerprint = JSON.parse(
      (await sandbox.run(['keys', 'show', '--json'])).stdout,
    ).keyFingerprint;
    await sandbox.run(['keys', 'revoke', fingerprint, '--env', 'staging']);
    const result = await publish(['--env', 'staging', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.code).toBe('UNTRUSTED_KEY');
  });

  it('an invalid manifest stops with exit 2 and its issues, nothing sent', async () => {
    await login(sandbox, world.users.developer, 'dev');
    await setVersion(moduleDir, 'one');
    const result = await publish(['--env', 'dev', '--json']);
    expect(result.code).toBe(2);
    const body = JSON.parse(result.stdout);
    expect(body.error.code).toBe('INVALID_MANIFEST');
    expect(body.error.details.issues).toContainEqual(
      expect.objectContaining({ path: '/version', severity: 'error' }),
    );
    expect(result.stderr).toContain('/version:');
  });

  it('needs an explicit environment (exit 2) and a login (exit 3)', async () => {
    const implicit = await publish([]);
    expect(implicit.code).toBe(2);
    expect(implicit.stderr).toContain('hla-compass publish needs an explicit environment');
    const anonymous = await publish(['--env', 'dev']);
    expect(anonymous.code).toBe(3);
    expect(anonymous.stderr).toContain('hint: run `hla-compass auth login --env dev`');
  });

  it('says so (exit 4) when the registry or the platform cannot be reached', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const closed = await freePort();
    const deadRegistry = await publish([
      '--env',
      'dev',
      '--image-ref',
      `127.0.0.1:${closed}/your-org/x:1.0.0`,
    ]);
    expect(deadRegistry.code).toBe(4);
    expect(deadRegistry.stderr).toContain(`cannot reach the registry 127.0.0.1:${closed}`);
    // Stored credentials are bound to their URL, so a token must come from the environment here.
    const deadPlatform = await publish(['--env', 'dev'], {
      HLA_API_ENDPOINT: `http://127.0.0.1:${closed}/dev`,
      HLA_ACCESS_TOKEN: 'token-for-an-unreachable-platform',
    });
    expect(deadPlatform.code).toBe(4);
    expect(deadPlatform.stderr).toContain(
      `cannot reach http://127.0.0.1:${closed}: connection refused`,
    );
    expect(deadPlatform.stderr).toContain('is the local platform running?');
    // Every loopback address is this machine, 127.0.0.2 too.
    const otherLoopback = await publish(['--env', 'dev'], {
      HLA_API_ENDPOINT: `http://127.0.0.2:${closed}/dev`,
      HLA_ACCESS_TOKEN: 'token-for-an-unreachable-platform',
    });
    expect(otherLoopback.code).toBe(4);
    expect(otherLoopback.stderr).toContain('is the local platform running?');
  });
});

describe('publish --dry-run', () => {
  it('prints the checks and leaves the registry, the platform databases and the config untouched', async () => {
    await login(sandbox, world.users.developer, 'staging');
    await sandbox.run(['keys', 'init']);
    const digest = await world.pushImage(imageOf());
    const before = await snapshot();

    // The key is not registered in staging: the publish would be UNTRUSTED_KEY, so is the dry run.
    const result = await publish(['--env', 'staging', '--dry-run', '--json']);
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({
      dryRun: true,
      ok: false,
      exitCode: 1,
      environment: 'staging',
      module: moduleName(),
      imageRef: `${imageOf()}@${digest}`,
    });
    expect(body.checks).toContainEqual(
      expect.objectContaining({
        check: 'allowlist',
        ok: true,
        message: expect.stringContaining(`allowed by ${world.plain.host}/your-org/*`),
      }),
    );
    expect(body.checks).toContainEqual(
      expect.objectContaining({ check: 'key-registration', ok: false, code: 'UNTRUSTED_KEY' }),
    );
    const human = await publish(['--env', 'staging', '--dry-run']);
    expect(human.stdout).toContain('Nothing was sent and nothing was written.');
    expect(await snapshot()).toEqual(before);
  });
});

/** Hashes of every file a publish could touch. SQLite's -shm index is left out: readers update it. */
async function snapshot(): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const root of [world.plain.storageDir, world.emulator.dataDir, sandbox.dir]) {
    for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || entry.name.endsWith('-shm')) continue;
      const path = join(entry.parentPath, entry.name);
      hashes[path] = createHash('sha256')
        .update(await readFile(path))
        .digest('hex');
    }
  }
  return hashes;
}
