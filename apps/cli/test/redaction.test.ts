// Credentials typed into a reference never come back out of the built CLI: not in an error, a
// hint, a warning or --json, whichever command quotes the reference.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';
import { type PublishingWorld, startPublishingWorld } from './publishing-world.js';
import { login, pointAtEmulator } from './sandbox-config.js';

const PASSWORD = 'reg-pw-5d81e0';

let world: PublishingWorld;
let sandbox: Sandbox;

beforeAll(async () => {
  world = await startPublishingWorld();
});
afterAll(() => world?.stop());
beforeEach(async () => {
  sandbox = await createSandbox();
  await pointAtEmulator(sandbox, world);
  const init = await sandbox.run(['init', 'redacted-module']);
  expect(init.code, init.stderr).toBe(0);
});
afterEach(() => sandbox?.cleanup());

const inModule = (args: readonly string[]) =>
  sandbox.run(args, { cwd: join(sandbox.dir, 'redacted-module') });

describe('references with credentials', () => {
  it('build --base-image user:password@… refuses it without printing the password', async () => {
    for (const json of [[], ['--json']]) {
      const result = await inModule([
        'build',
        '--tag',
        'ghcr.io/your-org/redacted-module:1.0.0',
        '--base-image',
        `user:${PASSWORD}@ghcr.io/your-org/python:3.12`,
        ...json,
      ]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('base image "***@ghcr.io/your-org/python:3.12"');
      expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    }
  });

  it('build --tag user:password@… is refused without printing the password', async () => {
    const result = await inModule(['build', '--tag', `user:${PASSWORD}@ghcr.io/your-org/m:1`]);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it('publish --image-ref https://user:password@… is refused without printing the password', async () => {
    await login(sandbox, world.users.developer, 'dev');
    for (const imageRef of [
      `https://user:${PASSWORD}@${world.plain.host}/your-org/redacted-module:1.0.0`,
      `user:${PASSWORD}@${world.plain.host}/your-org/redacted-module:1.0.0`,
    ]) {
      const result = await inModule(['publish', '--env', 'dev', '--image-ref', imageRef, '--json']);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    }
  });
});
