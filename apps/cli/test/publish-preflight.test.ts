// publish --dry-run as a CI gate: for each refusal of the real publish, the dry run exits with
// the code the publish then exits with, names the check and says what to do; every check runs,
// so several problems show at once; when all pass it exits 0 and nothing is published. And
// --generate-keys registers keys that exist but are not registered yet. The built CLI against
// the emulator and a real docker-registry.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestDigest } from '@hla-compass/manifest';
import { type JsonObject, parseJson } from '@hla-compass/signing';
import { freePort } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_RECORD_PATH, type BuildRecord } from '../src/build-record.js';
import { capturedOutput, createSandbox, runCli, type Sandbox } from './cli-process.js';
import { type PublishingWorld, startPublishingWorld } from './publishing-world.js';
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
  const name = `gate-${++moduleCount}`;
  expect((await sandbox.run(['init', name])).code).toBe(0);
  moduleDir = join(sandbox.dir, name);
  const path = join(moduleDir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8'));
  await writeFile(path, JSON.stringify({ ...manifest, version: '1.0.0' }, null, 2));
});
afterEach(async () => {
  if (sandbox === undefined) return;
  for (const environment of ['dev', 'staging', 'prod']) {
    seenTokens.push(...(await storedTokens(sandbox, environment)));
  }
  await sandbox.cleanup();
});

const moduleName = () => `gate-${moduleCount}`;
const imageOf = (org = 'your-org') => `${world.plain.host}/${org}/${moduleName()}:1.0.0`;
const publish = (args: string[], env: Record<string, string> = {}) =>
  sandbox.run(['publish', ...args], { cwd: moduleDir, env });

interface Check {
  check: string;
  ok: boolean | null;
  message: string;
  hint: string | null;
  code: string | null;
  exitCode: number;
}

/** The dry run's --json document, with its exit code and each check by name. */
async function dryRun(args: string[], env: Record<string, string> = {}) {
  const result = await publish([...args, '--dry-run', '--json'], env);
  const body = JSON.parse(result.stdout) as { ok: boolean; exitCode: number; checks: Check[] };
  const check = (name: string): Check => {
    const found = body.checks.find((candidate) => candidate.check === name);
    if (found === undefined) throw new Error(`no ${name} check in ${result.stdout}`);
    return found;
  };
  return { code: result.code, body, check, stderr: result.stderr };
}

/** The failing checks' names, in the order they were reported. */
const failures = (body: { checks: Check[] }) =>
  body.checks.filter((check) => check.ok === false).map((check) => check.check);

async function versionsOf(environment: string): Promise<{ version: string; digest: string }[]> {
  const shown = await sandbox.run([
    'modules',
    'show',
    moduleName(),
    '--env',
    environment,
    '--json',
  ]);
  return shown.code === 0 ? JSON.parse(shown.stdout).versions : [];
}

describe('publish --dry-run passes', () => {
  it('exits 0 with every check passed, and nothing is published', async () => {
    await login(sandbox, world.users.developer, 'staging');
    await sandbox.run(['keys', 'init']);
    expect((await sandbox.run(['keys', 'register', '--env', 'staging'])).code).toBe(0);
    const digest = await world.pushImage(imageOf());

    const { code, body } = await dryRun(['--env', 'staging']);
    expect(code).toBe(0);
    expect(body).toMatchObject({
      dryRun: true,
      ok: true,
      exitCode: 0,
      module: moduleName(),
      version: '1.0.0',
      imageRef: `${imageOf()}@${digest}`,
      alreadyPublished: false,
    });
    expect(body.checks.map((check) => [check.check, check.ok])).toEqual([
      ['manifest', true],
      ['login', true],
      ['image', true],
      ['signing-key', true],
      ['role', true],
      ['allowlist', true],
      ['key-registration', true],
      ['version', true],
    ]);

    const text = await publish(['--env', 'staging', '--dry-run']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`^✓ allowlist +${world.plain.host}/your-org/${moduleName()} is allowed by`, 'm'),
    );
    expect(text.stdout).toContain(
      'Nothing was sent and nothing was written. publish would go through (exit 0).',
    );
    expect(await versionsOf('staging')).toEqual([]);
  });
});

describe('publish --dry-run exits as the publish would', () => {
  it('an image off the allowlist: REGISTRY_UNAUTHORIZED, exit 1', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const image = imageOf('someone-else');
    await world.pushImage(image);
    const { code, body, check } = await dryRun(['--env', 'dev', '--image-ref', image]);
    expect(code).toBe(1);
    expect(failures(body)).toEqual(['allowlist']);
    expect(check('allowlist')).toMatchObject({
      code: 'REGISTRY_UNAUTHORIZED',
      exitCode: 1,
      message: expect.stringContaining(
        `${world.plain.host}/someone-else/${moduleName()} is not on`,
      ),
      hint: expect.stringContaining(`add ${world.plain.host}/someone-else/* to your org's`),
    });
    expect((await publish(['--env', 'dev', '--image-ref', image])).code).toBe(1);
  });

  it('a caller without the developer role: DEVELOPER_ROLE_REQUIRED, exit 1', async () => {
    await login(sandbox, world.users.viewer, 'dev');
    await world.pushImage(imageOf());
    const { code, body, check } = await dryRun(['--env', 'dev']);
    expect(code).toBe(1);
    expect(failures(body)).toEqual(['role']);
    expect(check('role')).toMatchObject({
      code: 'DEVELOPER_ROLE_REQUIRED',
      message: expect.stringMatching(/^Module publish requires developer access: .+ has viewer/),
      hint: 'ask your org admin to give your account the developer role in dev',
    });
    const real = await publish(['--env', 'dev']);
    expect(real.code).toBe(1);
    expect(real.stderr).toMatch(/^error: Module publish requires developer access/m);
  });

  it('a key not registered where signatures are required: UNTRUSTED_KEY, exit 1', async () => {
    await login(sandbox, world.users.developer, 'staging');
    await sandbox.run(['keys', 'init']);
    await world.pushImage(imageOf());
    const { code, body, check } = await dryRun(['--env', 'staging']);
    expect(code).toBe(1);
    expect(failures(body)).toEqual(['key-registration']);
    expect(check('key-registration')).toMatchObject({
      code: 'UNTRUSTED_KEY',
      message: expect.stringContaining('is not registered to you in staging'),
      hint: expect.stringContaining('`hla-compass keys register --env staging`'),
    });
    const real = await publish(['--env', 'staging', '--json']);
    expect(real.code).toBe(1);
    expect(JSON.parse(real.stdout).error.code).toBe('UNTRUSTED_KEY');
  });

  it('no key where signatures are required: SIGNATURE_REQUIRED, exit 2', async () => {
    await login(sandbox, world.users.developer, 'prod');
    await world.pushImage(imageOf());
    const { code, body, check } = await dryRun(['--env', 'prod']);
    expect(code).toBe(2);
    expect(failures(body)).toEqual(['signing-key']);
    expect(check('signing-key').code).toBe('SIGNATURE_REQUIRED');
    expect((await publish(['--env', 'prod'])).code).toBe(2);
  });

  it('a revoked key: UNTRUSTED_KEY, exit 1, also with --generate-keys', async () => {
    await login(sandbox, world.users.developer, 'staging');
    await sandbox.run(['keys', 'init']);
    await sandbox.run(['keys', 'register', '--env', 'staging']);
    const fingerprint = JSON.parse(
      (await sandbox.run(['keys', 'show', '--json'])).stdout,
    ).keyFingerprint;
    await sandbox.run(['keys', 'revoke', fingerprint, '--env', 'staging']);
    await world.pushImage(imageOf());
    for (const args of [
      ['--env', 'staging'],
      ['--env', 'staging', '--generate-keys'],
    ]) {
      const { code, check } = await dryRun(args);
      expect(code).toBe(1);
      expect(check('key-registration')).toMatchObject({
        code: 'UNTRUSTED_KEY',
        message: expect.stringContaining('was revoked in staging'),
        hint: expect.stringContaining('hla-compass keys init --force'),
      });
      expect((await publish(args)).code).toBe(1);
    }
  });

  it('the version exists with another digest: VERSION_EXISTS, exit 1; the same publish again passes', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const first = await world.pushImage(imageOf(), 'first build');
    expect((await publish(['--env', 'dev'])).code).toBe(0);

    const same = await dryRun(['--env', 'dev']);
    expect(same.code).toBe(0);
    expect(same.body).toMatchObject({ ok: true, alreadyPublished: true });
    expect(same.check('version').message).toContain(
      `${moduleName()}@1.0.0 is already published in dev with this image, scope and key (APPROVED)`,
    );
    expect((await publish(['--env', 'dev'])).code).toBe(0);

    const other = await world.pushImage(imageOf(), 'second build');
    const changed = await dryRun(['--env', 'dev']);
    expect(changed.code).toBe(1);
    expect(failures(changed.body)).toEqual(['version']);
    expect(changed.check('version')).toMatchObject({
      code: 'VERSION_EXISTS',
      message: expect.stringContaining(`its digest is ${first}, this image's ${other}`),
      hint: expect.stringContaining('bump `version` in manifest.json'),
    });
    const scope = await dryRun([
      '--env',
      'dev',
      '--scope',
      'public',
      '--image-ref',
      `${imageOf()}@${first}`,
    ]);
    expect(scope.code).toBe(1);
    expect(scope.check('version').message).toContain("its scope is org, this publish's public");
    expect((await publish(['--env', 'dev'])).code).toBe(1);
    expect((await versionsOf('dev')).map((version) => version.digest)).toEqual([first]);
  });

  it('the same image published by another user of the org: VERSION_EXISTS, exit 1', async () => {
    await login(sandbox, world.users.admin, 'dev');
    await world.pushImage(imageOf());
    expect((await publish(['--env', 'dev'])).code).toBe(0);
    await login(sandbox, world.users.developer, 'dev');
    const { code, check } = await dryRun(['--env', 'dev']);
    expect(code).toBe(1);
    expect(check('version')).toMatchObject({
      code: 'VERSION_EXISTS',
      message: expect.stringContaining('published by another user of your org'),
    });
    expect((await publish(['--env', 'dev'])).code).toBe(1);
  });

  it('an image missing at the registry: IMAGE_NOT_FOUND, exit 1', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const { code, body, check } = await dryRun(['--env', 'dev']);
    expect(code).toBe(1);
    expect(failures(body)).toEqual(['image']);
    expect(check('image')).toMatchObject({
      code: 'IMAGE_NOT_FOUND',
      message: `Image not found: ${imageOf()} is not in its registry`,
      hint: expect.stringContaining(`docker manifest inspect ${imageOf()}`),
    });
    // The allowlist is checked without the image; the version needs its digest only if it exists.
    expect(check('allowlist').ok).toBe(true);
    expect(check('version').ok).toBe(true);
    expect((await publish(['--env', 'dev'])).code).toBe(1);
  });

  it('an invalid manifest: INVALID_MANIFEST, exit 2, its issues on stderr; the rest still runs', async () => {
    await login(sandbox, world.users.developer, 'dev');
    await world.pushImage(imageOf());
    const path = join(moduleDir, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...manifest, version: 'one' }));
    const { code, body, check, stderr } = await dryRun(['--env', 'dev']);
    expect(code).toBe(2);
    expect(failures(body)).toEqual(['manifest']);
    expect(check('manifest').code).toBe('INVALID_MANIFEST');
    expect(stderr).toContain('/version:');
    expect(check('login').ok).toBe(true);
    expect(check('role').ok).toBe(true);
    expect(check('version').ok).toBeNull();
    expect((await publish(['--env', 'dev'])).code).toBe(2);
  });

  it('a registry image that is not the build recorded here: IMAGE_NOT_BUILT_HERE, exit 2', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const { configDigest } = await world.pushLabelledImage(imageOf(), {});
    const text = await readFile(join(moduleDir, 'manifest.json'), 'utf8');
    const record: BuildRecord = {
      version: 1,
      imageRef: imageOf(),
      // Another image than the one at the registry, built from this manifest.json.
      imageId: `sha256:${'e'.repeat(64)}`,
      digest: null,
      pushed: false,
      platform: 'linux/amd64',
      manifestDigest: manifestDigest(parseJson(text) as JsonObject),
      moduleLayer: null,
      inputsDigest: null,
      reuse: null,
      builtAt: new Date().toISOString(),
      pushedAt: null,
    };
    await mkdir(join(moduleDir, '.hla-compass'));
    await writeFile(join(moduleDir, BUILD_RECORD_PATH), JSON.stringify(record));
    const { code, body, check } = await dryRun(['--env', 'dev']);
    expect(code).toBe(2);
    expect(failures(body)).toEqual(['image']);
    expect(check('image')).toMatchObject({
      code: 'IMAGE_NOT_BUILT_HERE',
      message: expect.stringContaining(`its config is ${configDigest}`),
    });
    expect((await publish(['--env', 'dev'])).code).toBe(2);
  });

  it('not logged in: exit 3, and the platform’s checks are not checked', async () => {
    await world.pushImage(imageOf());
    const { code, body, check } = await dryRun(['--env', 'dev']);
    expect(code).toBe(3);
    expect(failures(body)).toEqual(['login']);
    expect(check('login').hint).toContain('hla-compass auth login --env dev');
    expect(check('manifest').ok).toBe(true);
    for (const name of ['image', 'role', 'allowlist', 'version']) {
      expect(check(name)).toMatchObject({
        ok: null,
        message: expect.stringMatching(/^not checked: needs/),
      });
    }
    expect((await publish(['--env', 'dev'])).code).toBe(3);
  });

  it('the platform down: exit 4', async () => {
    const closed = await freePort();
    const env = {
      HLA_API_ENDPOINT: `http://127.0.0.1:${closed}/dev`,
      HLA_ACCESS_TOKEN: 'token-for-an-unreachable-platform',
    };
    const { code, body, check } = await dryRun(['--env', 'dev'], env);
    expect(code).toBe(4);
    expect(failures(body)).toEqual(['login']);
    expect(check('login').message).toContain(`cannot reach http://127.0.0.1:${closed}`);
    expect((await publish(['--env', 'dev'], env)).code).toBe(4);
  });

  it('reports every problem at once; the exit code is the first in the publish’s order', async () => {
    // A viewer, in an env that wants signatures, with no key and an image off the allowlist: the
    // publish stops at the missing key before it asks the platform anything (exit 2).
    await login(sandbox, world.users.viewer, 'staging');
    const image = imageOf('someone-else');
    await world.pushImage(image);
    const { code, body } = await dryRun(['--env', 'staging', '--image-ref', image]);
    expect(code).toBe(2);
    expect(body.exitCode).toBe(2);
    expect(failures(body)).toEqual(['signing-key', 'role', 'allowlist']);
    expect((await publish(['--env', 'staging', '--image-ref', image])).code).toBe(2);

    const text = await publish(['--env', 'staging', '--image-ref', image, '--dry-run']);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^✗ role +Module publish requires developer access/m);
    expect(text.stdout).toMatch(
      /^ +hint: ask your org admin to give your account the developer role/m,
    );
    expect(text.stdout).toContain('publish would stop at signing-key: SIGNATURE_REQUIRED (exit 2)');
  });
});

describe('publish --generate-keys', () => {
  it('registers an existing unregistered key (the dry run only says it would), and the publish succeeds', async () => {
    await login(sandbox, world.users.developer, 'staging');
    await sandbox.run(['keys', 'init']);
    const fingerprint = JSON.parse(
      (await sandbox.run(['keys', 'show', '--json'])).stdout,
    ).keyFingerprint;
    await world.pushImage(imageOf());
    const registered = async () =>
      JSON.parse(
        (await sandbox.run(['keys', 'list', '--env', 'staging', '--json'])).stdout,
      ).keys.map((key: { fingerprint: string }) => key.fingerprint);

    const planned = await dryRun(['--env', 'staging', '--generate-keys']);
    expect(planned.code).toBe(0);
    expect(planned.check('key-registration').message).toBe(
      `${fingerprint} is not registered in staging yet: --generate-keys would register it (not now: dry run)`,
    );
    // Other tests' keys are this seeded user's too: only this key's registration is asked about.
    expect(await registered()).not.toContain(fingerprint);

    const published = await publish(['--env', 'staging', '--generate-keys', '--json']);
    expect(published.code).toBe(0);
    expect(published.stderr).toContain(`Registered your signing key (${fingerprint}) with staging`);
    expect(JSON.parse(published.stdout)).toMatchObject({
      state: 'APPROVED',
      keyFingerprint: fingerprint,
    });
    expect(await registered()).toContain(fingerprint);
    expect((await versionsOf('staging')).map((version) => version.version)).toEqual(['1.0.0']);
  });

  it('with no keys, the dry run says it would create and register them and writes nothing', async () => {
    await login(sandbox, world.users.developer, 'prod');
    await world.pushImage(imageOf());
    const { code, check } = await dryRun(['--env', 'prod', '--generate-keys']);
    expect(code).toBe(0);
    expect(check('signing-key').message).toContain('--generate-keys would create a pair');
    expect(check('key-registration').message).toBe(
      '--generate-keys would register the new key with prod (not now: dry run)',
    );
    const shown = await runCli(['keys', 'show', '--json'], { cwd: sandbox.dir, env: sandbox.env });
    expect(shown.code).toBe(2);
  });
});
