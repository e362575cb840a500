// /v1/auth/*: password login, PKCE code exchange, refresh, logout, and the caller's identity.
import { refreshTokenOf, routes } from '@hla-compass/platform-api';
import type { Hono } from 'hono';
import type { EnvContext } from '../env-context.js';
import type { AppEnv } from '../http/app-env.js';
import { implement } from '../http/implement.js';
import { bearerToken } from '../services/authentication.js';
import { endSession, exchangeCode, login, refresh } from '../services/sessions.js';

export function registerAuthRoutes(app: Hono<AppEnv>, context: EnvContext): void {
  implement(
    app,
    context,
    routes.login,
  )(async ({ body, peer }) => {
    const { value } = await body();
    return { status: 200, body: await login(context, peer, value.email, value.password) };
  });

  implement(
    app,
    context,
    routes.exchangeCode,
  )(async ({ body }) => {
    const { value } = await body();
    return { status: 200, body: exchangeCode(context, value) };
  });

  implement(
    app,
    context,
    routes.refresh,
  )(async ({ body }) => {
    const { value } = await body();
    return { status: 200, body: refresh(context, refreshTokenOf(value)) };
  });

  implement(
    app,
    context,
    routes.logout,
  )(async ({ body }, c) => {
    const { value } = await body();
    const authorization = c.req.header('authorization');
    endSession(context, {
      accessToken: authorization === undefined ? undefined : bearerToken(authorization),
      refreshToken: value.refreshToken,
    });
    return { status: 204, body: undefined };
  });

  implement(
    app,
    context,
    routes.me,
  )(({ caller }) => ({
    status: 200,
    body: {
      user: { id: caller.user.id, email: caller.user.email, name: caller.user.name },
      org: { id: caller.org.id, name: caller.org.name },
      roles: caller.user.roles,
      superuser: caller.user.superuser,
      environment: context.name,
    },
  }));
}
