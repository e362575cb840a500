// /v1/modules and /v1/modules/{id}[/versions]: the catalog as the caller may see it.
import { routes } from '@hla-compass/platform-api';
import type { Hono } from 'hono';
import type { EnvContext } from '../env-context.js';
import type { AppEnv } from '../http/app-env.js';
import { implement } from '../http/implement.js';
import { getModule, listModules, listVersions } from '../services/catalog.js';

export function registerModuleRoutes(app: Hono<AppEnv>, context: EnvContext): void {
  implement(
    app,
    context,
    routes.listModules,
  )(({ caller, query }) => ({
    status: 200,
    body: listModules(context, caller, query),
  }));

  implement(
    app,
    context,
    routes.getModule,
  )(({ caller, params }) => ({
    status: 200,
    body: getModule(context, caller, params.moduleId),
  }));

  implement(
    app,
    context,
    routes.listModuleVersions,
  )(({ caller, params }) => ({
    status: 200,
    body: { items: listVersions(context, caller, params.moduleId) },
  }));
}
