// Points a sandboxed CLI at the test's emulator (one config.json entry per environment, as the
// emulator's banner says) and logs it in the way a user would.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENVIRONMENTS } from '@hla-compass/platform-api/environments';
import { storedTokens as storedTokensIn } from '@hla-compass/testkit';
import { expect } from 'vitest';
import type { CliResult, Sandbox } from './cli-process.js';
import type { PublishingWorld } from './publishing-world.js';

export async function pointAtEmulator(sandbox: Sandbox, world: PublishingWorld): Promise<void> {
  await mkdir(sandbox.configDir, { recursive: true, mode: 0o700 });
  const environments = Object.fromEntries(
    ENVIRONMENTS.map((name) => [name, { apiUrl: world.apiUrl(name) }]),
  );
  await writeFile(join(sandbox.configDir, 'config.json'), JSON.stringify({ environments }));
}

export async function login(
  sandbox: Sandbox,
  user: { email: string; password: string },
  environment: string,
): Promise<CliResult> {
  const result = await sandbox.run(
    ['auth', 'login', '--env', environment, '--email', user.email, '--password-stdin'],
    { stdin: `${user.password}\n` },
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result;
}

/** The tokens a sandbox holds for an environment, to check no output ever contains them. */
export function storedTokens(sandbox: Sandbox, environment: string): Promise<string[]> {
  return storedTokensIn(sandbox.configDir, environment);
}
