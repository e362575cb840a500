// The HTTP application: request ids, the Host/Origin rules, the 1 MiB body limit and error
// mapping around the root routes (/healthz, /openapi.json, /_emulator) and one sub-application
// per environment.
import { openApiDocument } from '@hla-compass/platform-api';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createConsoleApp } from './console/app.js';
import type { EnvContext } from './env-context.js';
import type { AppEnv } from './http/app-env.js';
import { type ErrorLogger, notFound, onError } from './http/errors.js';
import { requestId } from './http/request-id.js';
import { sameOrigin } from './http/same-origin.js';
import type { Platform } from './platform.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerConsoleRoutes } from './routes/console.js';
import { registerEmulatorRoutes } from './routes/emulator.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerModuleRoutes } from './routes/modules.js';
import { registerPublishRoutes } from './routes/publish.js';
import { registerRegistryRoutes } from './routes/registries.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/** The API of one environment; mounted under `/<env>`. */
export function createEnvApp(context: EnvContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Publish routes first: `/v1/modules/publish/config` must not be read as a module id.
  registerPublishRoutes(app, context);
  registerAuthRoutes(app, context);
  registerModuleRoutes(app, context);
  registerRegistryRoutes(app, context);
  registerKeyRoutes(app, context);
  registerAdminRoutes(app, context);
  registerConsoleRoutes(app, context);
  return app;
}

export function createApp(
  platform: Platform,
  options: {
    log: ErrorLogger;
    /** The emulator's own origin, `http://host:port`: the Host and Origin it accepts. */
    baseUrl: () => string;
    startedAt: number;
    /** The secret of the /_emulator routes. */
    controlToken: string;
  },
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId);
  app.onError(onError(options.log));
  // Every route, reads included: a rebinding page must not read the console page or the API.
  app.use(sameOrigin(options.baseUrl));
  const limitBody = bodyLimit({ maxSize: MAX_BODY_BYTES });
  // A GET or HEAD request has no body to limit, and asking it for one makes @hono/node-server
  // build the full web Request it otherwise never builds: ~6% of a listing's time (issue 18).
  app.use((c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next),
  );
  app.notFound(notFound);

  app.get('/healthz', (c) =>
    c.json({
      status: 'ok',
      environments: [...platform.envs.keys()],
      persistent: platform.dataDir !== undefined,
      uptimeSeconds: Math.round((Date.now() - options.startedAt) / 1000),
    }),
  );
  let openApi: object | undefined;
  app.get('/openapi.json', (c) => {
    openApi ??= openApiDocument({ baseUrl: options.baseUrl() });
    return c.json(openApi);
  });
  registerEmulatorRoutes(app, platform, options.controlToken);
  for (const [name, context] of platform.envs) {
    app.route(`/${name}`, createEnvApp(context));
    // The web console: pages, not API routes, so it stays out of the contract's route table.
    app.route(`/${name}/console`, createConsoleApp(context));
  }
  return app;
}
