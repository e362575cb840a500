// Emulator-only control routes, for loopback peers only: /_emulator/reset and /_emulator/seed
// (body: a seed document) for every env, or one with `?env=`.
import { ENVIRONMENTS, isEnvironment, PlatformError } from '@hla-compass/platform-api';
import { JsonParseError, parseJson } from '@hla-compass/signing';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../http/app-env.js';
import { isLoopbackAddress, peerAddress } from '../http/peer.js';
import type { Platform } from '../platform.js';
import { SeedError } from '../services/seed.js';

function targetEnvironments(c: Context<AppEnv>) {
  if (!isLoopbackAddress(peerAddress(c))) {
    throw new PlatformError(
      'FORBIDDEN',
      'Forbidden: /_emulator routes answer only to loopback clients',
    );
  }
  const env = c.req.query('env');
  if (env === undefined) return [...ENVIRONMENTS];
  if (!isEnvironment(env)) {
    throw new PlatformError(
      'INVALID_REQUEST',
      `Unknown env "${env}": one of ${ENVIRONMENTS.join(', ')}`,
    );
  }
  return [env];
}

export function registerEmulatorRoutes(app: Hono<AppEnv>, platform: Platform): void {
  app.post('/_emulator/reset', async (c) => {
    const environments = targetEnvironments(c);
    await platform.reset(environments);
    return c.json({ reset: environments });
  });

  app.post('/_emulator/seed', async (c) => {
    const environments = targetEnvironments(c);
    let seed: unknown;
    try {
      seed = parseJson(await c.req.text());
    } catch (error) {
      if (!(error instanceof JsonParseError)) throw error;
      throw new PlatformError('INVALID_REQUEST', `Seed is not valid JSON: ${error.message}`);
    }
    try {
      await platform.reset(environments, seed);
    } catch (error) {
      if (error instanceof SeedError) throw new PlatformError('INVALID_REQUEST', error.message);
      throw error;
    }
    return c.json({ seeded: environments });
  });
}
