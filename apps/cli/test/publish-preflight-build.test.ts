// publish --dry-run on what `hla-compass build` and `push` made with a real Docker engine: the
// image the build recorded passes as "built here"; once manifest.json changes, the image is stale
// and the dry run exits 2 as the publish does (MANIFEST_CHANGED), nothing published either way.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { capturedOutput, createSandbox, type Sandbox } from './cli-process.js';
import {
  BUILD_FLAGS,
  type DockerWorld,
  dockerEnv,
  initModule,
  startDockerWorld,
} from './docker-world.js';
import { type PublishingWorld, startPublishingWorld } from './publishing-world.js';
import { login, pointAtEmulator, storedTokens } from './sandbox-config.js';

let docker: DockerWorld;
let world: PublishingWorld;
let sandbox: Sandbox;

beforeAll(async () => {
  [docker, world] = await Promise.all([startDockerWorld(), startPublishingWorld()]);
  docker.removeOnStop(`${world.plain.host}/`);
  sandbox = await createSandbox();
  await pointAtEmulator(sandbox, world);
}, 180_000);
afterAll(async () => {
  const secrets = [
    ...(world?.secrets() ?? []),
    ...(sandbox ? await storedTokens(sandbox, 'dev') : []),
  ];
  await Promise.all([docker?.stop(), world?.stop(), sandbox?.cleanup()]);
  for (const output of capturedOutput)
    for (const secret of secrets) expect(output).not.toContain(secret);
});

it('passes on the pushed build, and exits 2 (MANIFEST_CHANGED) once manifest.json changed', {
  timeout: 180_000,
}, async () => {
  await login(sandbox, world.users.developer, 'dev');
  const dir = await initModule(sandbox, 'preflight-built');
  const env = dockerEnv(sandbox, docker);
  const run = (args: string[]) => sandbox.run(args, { cwd: dir, env });
  expect((await run(['build', '--env', 'dev', ...BUILD_FLAGS])).code).toBe(0);
  const push = await run(['push', '--json']);
  expect(push.code).toBe(0);
  const { digest } = JSON.parse(push.stdout);

  const fresh = await run(['publish', '--env', 'dev', '--dry-run', '--json']);
  expect(fresh.code).toBe(0);
  const passed = JSON.parse(fresh.stdout);
  expect(passed).toMatchObject({
    ok: true,
    imageRef: `${world.plain.host}/your-org/preflight-built:0.1.0@${digest}`,
    imageSource: '.hla-compass/build.json',
    builtHere: 'pushed digest',
  });

  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8'));
  await writeFile(path, JSON.stringify({ ...manifest, description: 'changed after the build' }));
  const stale = await run(['publish', '--env', 'dev', '--dry-run', '--json']);
  expect(stale.code).toBe(2);
  const body = JSON.parse(stale.stdout);
  expect(body.checks.filter((check: { ok: boolean }) => check.ok === false)).toEqual([
    expect.objectContaining({
      check: 'image',
      code: 'MANIFEST_CHANGED',
      exitCode: 2,
      message: expect.stringContaining(
        'rebuild and push: manifest.json changed since the image was built',
      ),
      hint: expect.stringContaining('run `hla-compass build`'),
    }),
  ]);
  expect((await run(['publish', '--env', 'dev'])).code).toBe(2);

  const shown = await run(['modules', 'show', 'preflight-built', '--env', 'dev']);
  expect(shown.code).toBe(1);
  expect(shown.stderr).toContain('no module "preflight-built" visible in dev');
});
