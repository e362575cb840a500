// /v1/keys: the caller's signing keys.
import { routes } from '@hla-compass/platform-api';
import type { Hono } from 'hono';
import type { EnvContext } from '../env-context.js';
import type { AppEnv } from '../http/app-env.js';
import { implement } from '../http/implement.js';
import { listKeys, registerKey, revokeKey } from '../services/signing-keys.js';

export function registerKeyRoutes(app: Hono<AppEnv>, context: EnvContext): void {
  implement(
    app,
    context,
    routes.registerKey,
  )(async ({ caller, body }) => {
    const { value } = await body();
    const { created, key } = registerKey(context, caller, value);
    return created ? { status: 201, body: key } : { status: 200, body: key };
  });

  implement(
    app,
    context,
    routes.listKeys,
  )(({ caller }) => ({
    status: 200,
    body: { items: listKeys(context, caller) },
  }));

  implement(
    app,
    context,
    routes.revokeKey,
  )(({ caller, params }) => ({
    status: 200,
    body: revokeKey(context, caller, params.fingerprint),
  }));
}
