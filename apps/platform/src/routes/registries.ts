// /v1/orgs/{orgId}/registries: an org's allowlist, managed by its admins.
import { routes } from '@hla-compass/platform-api';
import type { Hono } from 'hono';
import type { EnvContext } from '../env-context.js';
import type { AppEnv } from '../http/app-env.js';
import { implement } from '../http/implement.js';
import {
  createRegistryEntry,
  deleteRegistryEntry,
  listRegistryEntries,
} from '../services/allowlist.js';

export function registerRegistryRoutes(app: Hono<AppEnv>, context: EnvContext): void {
  implement(
    app,
    context,
    routes.listRegistries,
  )(({ params }) => ({
    status: 200,
    body: { items: listRegistryEntries(context, params.orgId) },
  }));

  implement(
    app,
    context,
    routes.createRegistry,
  )(async ({ params, body }) => {
    const { value } = await body();
    return { status: 201, body: createRegistryEntry(context, params.orgId, value) };
  });

  implement(
    app,
    context,
    routes.deleteRegistry,
  )(({ params }) => {
    deleteRegistryEntry(context, params.orgId, params.entryId);
    return { status: 204, body: undefined };
  });
}
