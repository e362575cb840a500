// A publish the platform committed but whose answer never came back (a fault proxy in front of the
// emulator forwards it and then resets the connection, every attempt): the CLI exits 4, or 130 on
// Ctrl-C, saying the version may be recorded and to run publish again; running it again resumes
// it (the same Idempotency-Key, derived from what is published) instead of VERSION_EXISTS.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FaultProxy, startFaultProxy } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PATH, capturedOutput, createSandbox, type Sandbox } from './cli-process.js';
import { type PublishingWorld, startPublishingWorld } from './publishing-world.js';
import { login, storedTokens } from './sandbox-config.js';

let world: PublishingWorld;
let proxy: FaultProxy;
let sandbox: Sandbox;
const seenTokens: string[] = [];

beforeAll(async () => {
  world = await startPublishingWorld();
  proxy = await startFaultProxy({ upstream: world.emulator.url });
});
afterAll(async () => {
  await proxy?.close();
  if (world === undefined) return;
  await world.stop();
  const secrets = [...world.secrets(), ...seenTokens];
  for (const output of capturedOutput)
    for (const secret of secrets) expect(output).not.toContain(secret);
});
beforeEach(async () => {
  proxy.heal();
  sandbox = await createSandbox();
  await mkdir(sandbox.configDir, { recursive: true, mode: 0o700 });
  await writeFile(
    join(sandbox.configDir, 'config.json'),
    JSON.stringify({ environments: { dev: { apiUrl: `${proxy.url}/dev` } } }),
  );
  await login(sandbox, world.users.developer, 'dev');
});
afterEach(async () => {
  if (sandbox === undefined) return;
  seenTokens.push(...(await storedTokens(sandbox, 'dev')));
  await sandbox.cleanup();
});

async function newModule(name: string) {
  expect((await sandbox.run(['init', name])).code).toBe(0);
  const digest = await world.pushImage(`${world.plain.host}/your-org/${name}:0.1.0`);
  return { dir: join(sandbox.dir, name), digest };
}

const LOSE_PUBLISH_ANSWERS = {
  kind: 'lose-answer',
  method: 'POST',
  path: /^\/dev\/v1\/modules\/publish$/,
} as const;

const publishes = () =>
  proxy.requests.filter(
    (request) => request.method === 'POST' && request.path === '/dev/v1/modules/publish',
  );

/** The versions of `name` the developer's org holds in dev, read at the emulator itself. */
async function versionsOf(name: string): Promise<string[]> {
  const apiKey = world.users.developer.apiKey ?? '';
  const listed = await world.api('dev', apiKey, 'GET', '/v1/modules');
  const module = (listed.body as { items: { id: string; moduleName: string }[] }).items.find(
    (item) => item.moduleName === name,
  );
  if (module === undefined) return [];
  const versions = await world.api('dev', apiKey, 'GET', `/v1/modules/${module.id}/versions`);
  return (versions.body as { items: { version: string }[] }).items.map((item) => item.version);
}

describe('a publish whose answer was lost', () => {
  it('exits 4 saying it may be recorded and what to run; running publish again resumes it', async () => {
    const module = await newModule('lost-for-good');
    proxy.inject(LOSE_PUBLISH_ANSWERS);
    const lost = await sandbox.run(['publish', '--env', 'dev'], { cwd: module.dir });
    expect(lost.code).toBe(4);
    expect(lost.stderr).toContain('lost-for-good@0.1.0 may already be recorded in dev');
    expect(lost.stderr).toContain(
      'run `hla-compass publish --env dev` again to resume: the same publish is answered with what the platform recorded, never published twice',
    );
    expect(lost.stderr).toContain('`hla-compass modules show lost-for-good --env dev`');
    expect(await versionsOf('lost-for-good')).toEqual(['0.1.0']);

    proxy.heal();
    const resumed = await sandbox.run(['publish', '--env', 'dev', '--json'], { cwd: module.dir });
    expect(resumed.stderr).not.toContain('VERSION_EXISTS');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      moduleName: 'lost-for-good',
      version: '0.1.0',
      state: 'APPROVED',
      image: { digest: module.digest },
    });
    expect(await versionsOf('lost-for-good')).toEqual(['0.1.0']);
    // Both runs, every attempt: one key, derived from what is published.
    const keys = new Set(publishes().map((request) => request.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^hlc-publish-[A-Za-z0-9_-]{43}$/);
  });

  it('on Ctrl-C exits 130 saying it may be recorded and what to run; running publish again resumes it', async () => {
    const module = await newModule('interrupted');
    proxy.inject(LOSE_PUBLISH_ANSWERS);
    const child = spawn(process.execPath, [CLI_PATH, 'publish', '--env', 'dev'], {
      cwd: module.dir,
      env: sandbox.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    // The first attempt reached the platform, which committed; its answer was lost.
    const deadline = Date.now() + 30_000;
    while (!stderr.includes('retrying in') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(stderr).toContain('retrying in');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    capturedOutput.push(stderr);
    expect(stderr).toContain(
      'error: interrupted while publishing interrupted@0.1.0 to dev: the platform may already have recorded it',
    );
    expect(stderr).toContain('hint: run `hla-compass publish --env dev` again to resume');
    expect(await versionsOf('interrupted')).toEqual(['0.1.0']);

    proxy.heal();
    const resumed = await sandbox.run(['publish', '--env', 'dev'], { cwd: module.dir });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('Published interrupted@0.1.0 to dev');
  });

  it('a public publish sent again once it was decided says the decision', async () => {
    const module = await newModule('decided-since');
    const first = await sandbox.run(['publish', '--env', 'dev', '--scope', 'public', '--json'], {
      cwd: module.dir,
    });
    expect(first.code).toBe(0);
    const { publishId, state } = JSON.parse(first.stdout);
    expect(state).toBe('SUBMITTED');
    const rejected = await world.api(
      'dev',
      world.users.superuser.apiKey ?? '',
      'POST',
      `/v1/modules/publish/${publishId}/reject`,
      { reason: 'no README' },
    );
    expect(rejected.status).toBe(200);
    const again = await sandbox.run(['publish', '--env', 'dev', '--scope', 'public'], {
      cwd: module.dir,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('decided-since@0.1.0 was rejected in dev: no README');
  });

  it('a different image for a version that exists is still VERSION_EXISTS (exit 1)', async () => {
    const module = await newModule('immutable-resume');
    expect((await sandbox.run(['publish', '--env', 'dev'], { cwd: module.dir })).code).toBe(0);
    await world.pushImage(`${world.plain.host}/your-org/immutable-resume:0.1.0`, 'rebuilt');
    const again = await sandbox.run(['publish', '--env', 'dev'], { cwd: module.dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('immutable-resume@0.1.0 already exists in dev');
  });
});
