// Binds a route of @hla-compass/platform-api to a handler: the path and method come from the
// contract, the caller is authenticated and held to the route's role (`route.auth`), parameters
// are parsed by its schemas, and the body is read only when the handler asks. The order is the
// contract's: 401, then the path, then 403, and only then the query, headers and body.
import {
  type ParsedRequest,
  PlatformError,
  type ResponseBodies,
  type RouteDefinition,
} from '@hla-compass/platform-api';
import { JsonParseError, parseJson } from '@hla-compass/signing';
import type { Context, Hono } from 'hono';
import type * as z from 'zod';
import type { EnvContext } from '../env-context.js';
import { authenticate, authorize, type Caller } from '../services/authentication.js';
import type { AppEnv } from './app-env.js';
import { peerAddress } from './peer.js';

export interface HandlerInput<R extends RouteDefinition> {
  params: ParsedRequest<R>['params'];
  query: ParsedRequest<R>['query'];
  headers: ParsedRequest<R>['headers'];
  caller: R['auth'] extends 'none' ? undefined : Caller;
  peer: string;
  /** The body as received (read once). */
  text(): Promise<string>;
  /** The body parsed as strict JSON (duplicate keys refused), then by the route's schema. */
  body(): Promise<{ json: unknown; value: ParsedRequest<R>['body'] }>;
}

export type HandlerResult<R extends RouteDefinition> =
  | {
      [S in keyof R['responses'] & number]: { status: S; body: ResponseBodies<R>[S] };
    }[keyof R['responses'] & number]
  /** A response built by hand (an idempotent replay of stored bytes). */
  | { response: Response };

/** `read()` is called only when there is a schema: most routes declare no headers to read. */
function parsed<S extends z.ZodType | undefined>(
  schema: S,
  read: () => unknown,
  what: string,
): S extends z.ZodType ? z.output<S> : Record<string, never> {
  if (schema === undefined) return {} as S extends z.ZodType ? z.output<S> : Record<string, never>;
  const result = schema.safeParse(read());
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    throw new PlatformError(
      'INVALID_REQUEST',
      `Invalid ${what}: ${issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ')}`,
      { details: { issues } },
    );
  }
  return result.data as S extends z.ZodType ? z.output<S> : Record<string, never>;
}

export function honoPath(route: Pick<RouteDefinition, 'path'>): string {
  return route.path.replace(/\{(\w+)\}/g, ':$1');
}

export type Handler<R extends RouteDefinition> = (
  input: HandlerInput<R>,
  c: Context<AppEnv>,
) => HandlerResult<R> | Promise<HandlerResult<R>>;

/**
 * `implement(app, context, routes.x)(handler)`: the route is fixed first, so that the
 * handler's statuses and bodies are checked against that route's responses.
 */
export function implement<R extends RouteDefinition>(
  app: Hono<AppEnv>,
  context: EnvContext,
  route: R,
): (handler: Handler<R>) => void {
  return (handler) => bind(app, context, route, handler);
}

function bind<R extends RouteDefinition>(
  app: Hono<AppEnv>,
  context: EnvContext,
  route: R,
  handler: Handler<R>,
): void {
  app.on(route.method, honoPath(route), async (c) => {
    // Credentials first: whoever is not signed in learns nothing about the request's shape.
    const caller =
      route.auth === 'none'
        ? undefined
        : authenticate(context, {
            authorization: c.req.header('authorization'),
            apiKey: c.req.header('x-api-key'),
          });
    const params = parsed(route.request.params, () => c.req.param(), 'path parameters');
    // The role before the request's shape: a caller without it learns nothing more of it. The
    // org an `orgAdmin` route acts on is the one in its path.
    if (caller !== undefined) {
      authorize(context, caller, route, (params as { orgId?: string }).orgId);
    }
    const query = parsed(route.request.query, () => c.req.query(), 'query');
    const headers = parsed(route.request.headers, () => c.req.header(), 'headers');
    let text: Promise<string> | undefined;
    const readText = () => {
      text ??= c.req.text();
      return text;
    };
    const result = await handler(
      {
        params,
        query,
        headers,
        caller: caller as HandlerInput<R>['caller'],
        // Read from the socket only by the few handlers that ask (sign-in's rate limit).
        get peer() {
          return peerAddress(c);
        },
        text: readText,
        body: async () => {
          const raw = await readText();
          let json: unknown;
          try {
            json = raw.trim() === '' ? {} : parseJson(raw);
          } catch (error) {
            if (!(error instanceof JsonParseError)) throw error;
            throw new PlatformError(
              'INVALID_REQUEST',
              `Request body is not valid JSON: ${error.message}`,
            );
          }
          return {
            json,
            value: parsed(
              route.request.body,
              () => json,
              'request body',
            ) as ParsedRequest<R>['body'],
          };
        },
      } as HandlerInput<R>,
      c,
    );
    if ('response' in result) return result.response;
    const { status, body } = result as { status: number; body: unknown };
    if (body === undefined) return c.body(null, status as 204);
    return c.json(body as object, status as 200);
  });
}
