// Calls the emulator's API directly as a seeded account (by API key): what a platform superuser
// does in the console (approve, reject), and requests the CLI would never send (a tampered one).

import type { AccountRole } from '../setup/world.js';
import { world } from './user-machine.js';

export interface PlatformAnswer {
  readonly status: number;
  readonly body: unknown;
}

export async function callPlatform(
  role: AccountRole,
  environment: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Readonly<Record<string, string>> } = {},
): Promise<PlatformAnswer> {
  const response = await fetch(`${world.emulatorUrl}/${environment}${path}`, {
    method,
    headers: {
      'x-api-key': world.accounts[role].apiKey,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}
