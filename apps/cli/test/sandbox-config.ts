// Points a sandboxed CLI at the test's emulator (one config.json entry per environment, as the
// emulator's banner says) and logs it in the way a user would.
import { storedTokens as storedTokensIn } from '@hla-compass/testkit';
import { expect } from 'vitest';
import type { CliResult, Sandbox } from './cli-process.js';
import type { PublishingWorld } from './publishing-world.js';

export function pointAtEmulator(sandbox: Sandbox, world: PublishingWorld): Promise<void> {
  return sandbox.pointAt((name) => ({ apiUrl: world.apiUrl(name) }));
}

export async function login(
  sandbox: Sandbox,
  user: { email: string; password: string },
  environment: string,
): Promise<CliResult> {
  const result = await sandbox.login(user, environment);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result;
}

/** The tokens a sandbox holds for an environment, to check no output ever contains them. */
export function storedTokens(sandbox: Sandbox, environment: string): Promise<string[]> {
  return storedTokensIn(sandbox.configDir, environment);
}
