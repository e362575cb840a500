// X-Request-Id on every response: the client's own id when it sent a sane one (so CLI and
// emulator logs line up), otherwise a new one.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const sent = c.req.header('x-request-id');
  const id = sent !== undefined && CLIENT_ID.test(sent) ? sent : `req_${randomUUID()}`;
  c.set('requestId', id);
  await next();
  c.res.headers.set('X-Request-Id', id);
};
