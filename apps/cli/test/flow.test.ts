// The everyday flow with no image flags at all: log in, `build` tags with the environment's default
// registry (its publish config), `push` records the digest, `publish` takes the image from
// .hla-compass/build.json. Real Docker engine, real registry, the emulator; the built CLI.
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

it('init → build → push → publish needs no registry or image flag once logged in', {
  timeout: 180_000,
}, async () => {
  await login(sandbox, world.users.developer, 'dev');
  const dir = await initModule(sandbox, 'flow-module');
  const env = dockerEnv(sandbox, docker);
  const expectedTag = `${world.plain.host}/your-org/flow-module:0.1.0`;

  const build = await sandbox.run(['build', '--env', 'dev', ...BUILD_FLAGS, '--json'], {
    cwd: dir,
    env,
  });
  expect(build.code).toBe(0);
  expect(build.stderr).toContain(
    `Using ${world.plain.host}/your-org, the default registry of dev (publish config)`,
  );
  expect(JSON.parse(build.stdout).imageRef).toBe(expectedTag);

  const push = await sandbox.run(['push', '--json'], { cwd: dir, env });
  expect(push.code).toBe(0);
  const { digest } = JSON.parse(push.stdout);
  expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

  const publish = await sandbox.run(['publish', '--env', 'dev', '--json'], { cwd: dir, env });
  expect(publish.code).toBe(0);
  expect(publish.stderr).toContain(`from ${expectedTag} (.hla-compass/build.json)`);
  expect(JSON.parse(publish.stdout)).toMatchObject({
    state: 'APPROVED',
    imageRef: `${world.plain.host}/your-org/flow-module@${digest}`,
  });
});
