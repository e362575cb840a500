// /v1/admin/*: what superusers work across orgs; today the review queue of publishes.
import { routes } from '@hla-compass/platform-api';
import type { Hono } from 'hono';
import type { EnvContext } from '../env-context.js';
import type { AppEnv } from '../http/app-env.js';
import { implement } from '../http/implement.js';
import { listPublishes } from '../services/approval.js';

export function registerAdminRoutes(app: Hono<AppEnv>, context: EnvContext): void {
  implement(
    app,
    context,
    routes.listReviewPublishes,
  )(({ query }) => ({ status: 200, body: listPublishes(context, query) }));
}
