// Emulator-only control routes: /_emulator/reset and /_emulator/seed (body: a seed document) for
// every env, or one with `?env=`. Only for clients that hold the per-start control token and send
// JSON: a web page can reach loopback, but can neither read the token nor send the header and
// content type without a CORS preflight, which the emulator never grants. A connection that
// arrived at a loopback address must come from loopback too; one that arrived at a non-loopback
// address (listening on 0.0.0.0 in a container, whose clients are never loopback) has the token
// as its only guard.
import { ENVIRONMENTS, isEnvironment, PlatformError } from '@hla-compass/platform-api';
import { isLoopbackHost } from '@hla-compass/platform-api/loopback';
import { JsonParseError, parseJson } from '@hla-compass/signing';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../http/app-env.js';
import { CONTROL_TOKEN_HEADER, isControlToken } from '../http/control-token.js';
import { localAddress, peerAddress } from '../http/peer.js';
import type { Platform } from '../platform.js';
import { SeedError } from '../services/seed.js';

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function targetEnvironments(c: Context<AppEnv>, controlToken: string) {
  const local = localAddress(c);
  const arrivedBeyondLoopback = local !== 'unknown' && !isLoopbackHost(local);
  if (!arrivedBeyondLoopback && !isLoopbackHost(peerAddress(c))) {
    throw new PlatformError(
      'FORBIDDEN',
      'Forbidden: /_emulator routes reached at a loopback address answer only to loopback clients',
    );
  }
  if (!isControlToken(c.req.header(CONTROL_TOKEN_HEADER), controlToken)) {
    throw new PlatformError(
      'FORBIDDEN',
      `Forbidden: /_emulator routes need the ${CONTROL_TOKEN_HEADER} header with the control token the emulator printed at start`,
    );
  }
  if (!isJson(c.req.header('content-type'))) {
    throw new PlatformError(
      'INVALID_REQUEST',
      '/_emulator routes take Content-Type: application/json only',
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

export function registerEmulatorRoutes(
  app: Hono<AppEnv>,
  platform: Platform,
  controlToken: string,
): void {
  app.post('/_emulator/reset', async (c) => {
    const environments = targetEnvironments(c, controlToken);
    await platform.reset(environments);
    return c.json({ reset: environments });
  });

  app.post('/_emulator/seed', async (c) => {
    const environments = targetEnvironments(c, controlToken);
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
