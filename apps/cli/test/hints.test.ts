// Hints that must be commands that work in the situation they are printed in, each followed here:
// the built CLI against a started emulator and real registries, the real docker CLI where the
// hint is a docker command. Also that a failing credential helper is the user's configuration.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capturedOutput, createSandbox, type Sandbox } from './cli-process.js';
import { type PublishingWorld, startPublishingWorld } from './publishing-world.js';
import { login, pointAtEmulator, storedTokens } from './sandbox-config.js';

let world: PublishingWorld;
let sandbox: Sandbox;
let moduleDir: string;
let count = 0;
const seenTokens: string[] = [];

beforeAll(async () => {
  world = await startPublishingWorld({ accessTokenTtlSeconds: 2 });
}, 120_000);
afterAll(async () => {
  if (world === undefined) return;
  await world.stop();
  const secrets = [...world.secrets(), ...seenTokens.filter((token) => token.length >= 16)];
  for (const output of capturedOutput) {
    for (const secret of secrets) expect(output).not.toContain(secret);
  }
});
beforeEach(async () => {
  sandbox = await createSandbox();
  await pointAtEmulator(sandbox, world);
  const name = `hinted-${++count}`;
  expect((await sandbox.run(['init', name])).code).toBe(0);
  moduleDir = join(sandbox.dir, name);
});
afterEach(async () => {
  if (sandbox === undefined) return;
  for (const environment of ['local', 'dev', 'staging', 'prod']) {
    seenTokens.push(...(await storedTokens(sandbox, environment)));
  }
  await sandbox.cleanup();
});

const imageOf = (registry = world.plain.host) => `${registry}/your-org/hinted-${count}:0.1.0`;
const publish = (args: string[], env: Record<string, string> = {}) =>
  sandbox.run(['publish', ...args], { cwd: moduleDir, env });
const hintOf = (stderr: string) => /^hint: (.*)$/m.exec(stderr)?.[1] ?? '';
/** The commands a hint names in backquotes. */
const commandsIn = (hint: string) =>
  [...hint.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');

describe('image hints', { timeout: 60_000 }, () => {
  it('a digest-pinned image not at the registry: push by tag, inspect with --insecure on loopback', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const repository = `${world.plain.host}/your-org/hinted-${count}`;
    const missing = `${repository}@sha256:${'0'.repeat(64)}`;
    const result = await publish(['--env', 'dev', '--image-ref', missing]);
    expect(result.code).toBe(1);
    const hint = hintOf(result.stderr);
    expect(hint).toContain(`\`docker push ${repository}:TAG\``);
    expect(hint).not.toMatch(/docker push [^`]*@sha256/);
    const inspect = commandsIn(hint).find((command) => command.startsWith('docker manifest'));
    expect(inspect).toBe(`docker manifest inspect ${missing} --insecure`);

    // Followed: the push by tag puts an image there, and the inspect command reads it over
    // plain HTTP (without --insecure, docker tries HTTPS and fails).
    const digest = await world.pushImage(imageOf());
    const env = { PATH: sandbox.env.PATH, HOME: sandbox.env.HOME };
    const pinned = `${repository}@${digest}`;
    const inspected = await runProcess('docker', ['manifest', 'inspect', pinned, '--insecure'], {
      env,
    });
    expect(inspected.code, inspected.stderr).toBe(0);
    expect((await runProcess('docker', ['manifest', 'inspect', pinned], { env })).code).not.toBe(0);
    expect((await runProcess('docker', ['push', pinned], { env })).stderr).toMatch(
      /cannot push a digest reference|invalid|digest/i,
    );
  });

  it('an --image-ref off the allowlist on docker.io is the allowlist refusal at once, not docker.io being down', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const started = Date.now();
    const result = await publish(['--env', 'dev', '--image-ref', 'your-org/x:1', '--json']);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'REGISTRY_UNAUTHORIZED',
      hint: expect.stringContaining("add docker.io/your-org/* to your org's registry allowlist"),
    });
  });
});

describe('key hints', { timeout: 60_000 }, () => {
  it('a revoked key: message and hint agree, and the hint, run, publishes', async () => {
    await login(sandbox, world.users.developer, 'staging');
    await world.pushImage(imageOf());
    await sandbox.run(['keys', 'init']);
    await sandbox.run(['keys', 'register', '--env', 'staging']);
    const fingerprint = JSON.parse(
      (await sandbox.run(['keys', 'show', '--json'])).stdout,
    ).keyFingerprint;
    await sandbox.run(['keys', 'revoke', fingerprint, '--env', 'staging']);
    const refused = await publish(['--env', 'staging', '--image-ref', imageOf()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${fingerprint} was revoked in staging`);
    const hint = hintOf(refused.stderr);
    expect(hint).not.toContain('keys register');
    const [init = '', again = ''] = commandsIn(hint);
    expect(init).toBe('hla-compass keys init --force');
    expect(again).toBe('hla-compass publish --env staging --generate-keys');
    expect((await sandbox.run(init.split(' ').slice(1))).code).toBe(0);
    const published = await publish([...again.split(' ').slice(2), '--image-ref', imageOf()]);
    expect(published.code, published.stderr).toBe(0);
  });
});

describe('auth status', { timeout: 60_000 }, () => {
  it('shows the expiry of the session it renewed, the one stored now', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const file = join(sandbox.configDir, 'credentials', 'dev.json');
    const before = JSON.parse(await readFile(file, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const status = await sandbox.run(['auth', 'status', '--env', 'dev', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const after = JSON.parse(await readFile(file, 'utf8'));
    expect(after.expiresAt).not.toBe(before.expiresAt);
    expect(JSON.parse(status.stdout).expiresAt).toBe(after.expiresAt);
  });
});

describe('a credential helper that fails, in publish', { timeout: 60_000 }, () => {
  it('is the user’s configuration (exit 1 with the fix), never an internal error', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const image = imageOf(world.guarded.host);
    await world.pushImage(image);
    const bin = join(sandbox.dir, 'bin');
    await mkdir(bin);
    await writeFile(
      join(bin, 'docker-credential-broken'),
      '#!/bin/sh\necho "keychain is locked" >&2\nexit 1\n',
    );
    await chmod(join(bin, 'docker-credential-broken'), 0o755);
    const dockerConfig = join(sandbox.dir, 'docker');
    await mkdir(dockerConfig);
    await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ credsStore: 'broken' }));
    const result = await publish(['--env', 'dev', '--image-ref', image], {
      DOCKER_CONFIG: dockerConfig,
      PATH: `${bin}:${sandbox.env.PATH}`,
    });
    expect(result.stderr).not.toContain('this is a bug');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'docker-credential-broken failed: exit code 1: keychain is locked',
    );
    expect(hintOf(result.stderr)).toContain(
      `fix docker-credential-broken (\`echo ${world.guarded.host} | docker-credential-broken get\` shows its error), or remove "credsStore"`,
    );
  });
});
