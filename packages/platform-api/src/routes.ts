// Every route of SPEC §7 as data: what the emulator implements, what the CLI calls, and what
// the OpenAPI document describes. Paths are relative to an environment's API base URL.
import type * as z from 'zod';
import type { ErrorCode } from './errors.js';
import { reviewPublishListSchema, reviewQueueQuerySchema } from './schemas/approvals.js';
import {
  loginRequestSchema,
  logoutRequestSchema,
  meSchema,
  refreshRequestSchema,
  tokenRequestSchema,
  tokensSchema,
} from './schemas/auth.js';
import { paginationQuerySchema } from './schemas/common.js';
import {
  keyFingerprintParamsSchema,
  registerKeyRequestSchema,
  signingKeyListSchema,
  signingKeySchema,
} from './schemas/keys.js';
import {
  moduleDetailSchema,
  moduleIdParamsSchema,
  moduleListSchema,
  moduleVersionListSchema,
} from './schemas/modules.js';
import {
  approveRequestSchema,
  idempotencyHeadersSchema,
  publishAcceptedSchema,
  publishConfigSchema,
  publishIdParamsSchema,
  publishRequestSchema,
  publishStatusSchema,
  rejectRequestSchema,
} from './schemas/publish.js';
import {
  createRegistryEntryRequestSchema,
  orgIdParamsSchema,
  registryEntryListSchema,
  registryEntryParamsSchema,
  registryEntrySchema,
} from './schemas/registries.js';

/**
 * Who may call a route. `user`: any signed-in user (Bearer token or API key); the finer rules
 * of `user` routes (e.g. publish status: submitter, org admin or superuser) are in `summary`.
 * `orgAdmin`: an admin of the org in the path (`{orgId}`), or a superuser. The emulator refuses
 * a caller below the role (401, 403) before it reads the query, headers or body.
 */
export type RouteAuth = 'none' | 'user' | 'developer' | 'orgAdmin' | 'superuser';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** OpenAPI-style template, e.g. `/v1/modules/publish/{publishId}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly auth: RouteAuth;
  /**
   * For an `orgAdmin` or `superuser` route: what the role is needed for, as the refusal of a
   * caller without it says it ("only a platform superuser can approve public modules").
   */
  readonly task?: string;
  readonly request: {
    readonly params?: z.ZodObject;
    readonly query?: z.ZodObject;
    readonly body?: z.ZodType;
    readonly headers?: z.ZodObject;
  };
  /** Success responses by status; `null` for a response without a body. */
  readonly responses: Readonly<Record<number, z.ZodType | null>>;
  /** The error codes this route can answer with (see `ERROR_STATUS`). */
  readonly errors: readonly ErrorCode[];
}

/**
 * The platform's own failures, which any route may meet: a bug (`INTERNAL`), or a full disk
 * (`STORAGE_FULL`; in practice only a route that writes meets it).
 */
const SERVER_ERRORS = ['INTERNAL', 'STORAGE_FULL'] as const satisfies readonly ErrorCode[];
const USER_ERRORS = ['UNAUTHENTICATED', ...SERVER_ERRORS] as const satisfies readonly ErrorCode[];
const BODY_ERRORS = [
  'INVALID_REQUEST',
  'PAYLOAD_TOO_LARGE',
] as const satisfies readonly ErrorCode[];

export const routes = {
  login: {
    method: 'POST',
    path: '/v1/auth/login',
    operationId: 'login',
    summary: 'Sign in with email and password (rate-limited per client and email).',
    auth: 'none',
    request: { body: loginRequestSchema },
    responses: { 200: tokensSchema },
    errors: [...BODY_ERRORS, 'UNAUTHENTICATED', 'RATE_LIMITED', ...SERVER_ERRORS],
  },
  exchangeCode: {
    method: 'POST',
    path: '/v1/auth/token',
    operationId: 'exchangeCode',
    summary:
      'Exchange a code from the console sign-in page for tokens (PKCE S256; codes are single use, live 60 s, and are bound to their redirect URI).',
    auth: 'none',
    request: { body: tokenRequestSchema },
    responses: { 200: tokensSchema },
    errors: [...BODY_ERRORS, 'UNAUTHENTICATED', ...SERVER_ERRORS],
  },
  refresh: {
    method: 'POST',
    path: '/v1/auth/refresh',
    operationId: 'refresh',
    summary:
      'Trade a refresh token (`refreshToken`, or `refresh_token` as the Python SDK sends it; both at once must agree) for new tokens. Refresh tokens are single use; reusing one revokes every token of its sign-in, except a re-send within 30 s of its rotation while its successor is unused (a lost answer, two commands racing), which is answered with that same successor.',
    auth: 'none',
    request: { body: refreshRequestSchema },
    responses: { 200: tokensSchema },
    errors: [...BODY_ERRORS, 'UNAUTHENTICATED', ...SERVER_ERRORS],
  },
  logout: {
    method: 'POST',
    path: '/v1/auth/logout',
    operationId: 'logout',
    summary:
      'End a sign-in: every access and refresh token it issued stops working (204). The credential is the token being revoked (as in RFC 7009): the Bearer access token, the `refreshToken` in the body, or both; each names its own sign-in. API keys are not sign-ins and are refused here. 401 when none of the tokens is live.',
    auth: 'none',
    request: { body: logoutRequestSchema },
    responses: { 204: null },
    errors: [...BODY_ERRORS, 'UNAUTHENTICATED', ...SERVER_ERRORS],
  },
  me: {
    method: 'GET',
    path: '/v1/auth/me',
    operationId: 'me',
    summary: 'The signed-in user, their org and roles in this environment.',
    auth: 'user',
    request: {},
    responses: { 200: meSchema },
    errors: USER_ERRORS,
  },
  publishConfig: {
    method: 'GET',
    path: '/v1/modules/publish/config',
    operationId: 'publishConfig',
    summary: "This environment's publish settings for the caller's org.",
    auth: 'user',
    request: {},
    responses: { 200: publishConfigSchema },
    errors: USER_ERRORS,
  },
  publish: {
    method: 'POST',
    path: '/v1/modules/publish',
    operationId: 'publish',
    summary:
      'Register a module version from a pushed image. Checked in order: credentials, developer role, body and manifest, allowlist, image at the registry, signature, immutability. 202: recorded now. 200: the caller published exactly this before (same image digest, manifest, scope and key): the existing publish, as it stands now, so a publish whose answer was lost can be sent again.',
    auth: 'developer',
    request: { body: publishRequestSchema, headers: idempotencyHeadersSchema },
    responses: { 202: publishAcceptedSchema, 200: publishAcceptedSchema },
    errors: [
      ...BODY_ERRORS,
      'UNAUTHENTICATED',
      'DEVELOPER_ROLE_REQUIRED',
      'INVALID_MANIFEST',
      'INVALID_IMAGE_REF',
      'REGISTRY_UNAUTHORIZED',
      'IMAGE_NOT_FOUND',
      'IMAGE_FORBIDDEN',
      'REGISTRY_UNAVAILABLE',
      'SIGNATURE_REQUIRED',
      'SIGNATURE_INVALID',
      'UNTRUSTED_KEY',
      'VERSION_EXISTS',
      'IDEMPOTENCY_KEY_REUSED',
      ...SERVER_ERRORS,
    ],
  },
  publishStatus: {
    method: 'GET',
    path: '/v1/modules/publish/{publishId}',
    operationId: 'publishStatus',
    summary: 'A publish job: visible to its submitter, the admins of its org and superusers.',
    auth: 'user',
    request: { params: publishIdParamsSchema },
    responses: { 200: publishStatusSchema },
    errors: [...USER_ERRORS, 'NOT_FOUND'],
  },
  approvePublish: {
    method: 'POST',
    path: '/v1/modules/publish/{publishId}/approve',
    operationId: 'approvePublish',
    summary: 'Approve a SUBMITTED public version (a superuser other than its submitter).',
    auth: 'superuser',
    task: 'approve public modules',
    request: { params: publishIdParamsSchema, body: approveRequestSchema },
    responses: { 200: publishStatusSchema },
    errors: [...BODY_ERRORS, ...USER_ERRORS, 'FORBIDDEN', 'NOT_FOUND'],
  },
  rejectPublish: {
    method: 'POST',
    path: '/v1/modules/publish/{publishId}/reject',
    operationId: 'rejectPublish',
    summary:
      'Reject a SUBMITTED public version with a reason (a superuser other than its submitter).',
    auth: 'superuser',
    task: 'reject public modules',
    request: { params: publishIdParamsSchema, body: rejectRequestSchema },
    responses: { 200: publishStatusSchema },
    errors: [...BODY_ERRORS, ...USER_ERRORS, 'FORBIDDEN', 'NOT_FOUND'],
  },
  listReviewPublishes: {
    method: 'GET',
    path: '/v1/admin/publishes',
    operationId: 'listReviewPublishes',
    summary:
      'Publishes of every org in one `state` (default `SUBMITTED`: the public versions waiting for approval), oldest first, each with its org, submitter and signature (superusers only).',
    auth: 'superuser',
    task: 'list the publishes of every org',
    request: { query: reviewQueueQuerySchema },
    responses: { 200: reviewPublishListSchema },
    errors: ['INVALID_REQUEST', ...USER_ERRORS, 'FORBIDDEN'],
  },
  listModules: {
    method: 'GET',
    path: '/v1/modules',
    operationId: 'listModules',
    summary:
      "Modules the caller may see: all of their own org's, and other orgs' modules that have an approved public version.",
    auth: 'user',
    request: { query: paginationQuerySchema },
    responses: { 200: moduleListSchema },
    errors: ['INVALID_REQUEST', ...USER_ERRORS],
  },
  getModule: {
    method: 'GET',
    path: '/v1/modules/{moduleId}',
    operationId: 'getModule',
    summary: 'One module with the versions the caller may see.',
    auth: 'user',
    request: { params: moduleIdParamsSchema },
    responses: { 200: moduleDetailSchema },
    errors: [...USER_ERRORS, 'NOT_FOUND'],
  },
  listModuleVersions: {
    method: 'GET',
    path: '/v1/modules/{moduleId}/versions',
    operationId: 'listModuleVersions',
    summary: 'The versions of a module the caller may see, newest first.',
    auth: 'user',
    request: { params: moduleIdParamsSchema },
    responses: { 200: moduleVersionListSchema },
    errors: [...USER_ERRORS, 'NOT_FOUND'],
  },
  listRegistries: {
    method: 'GET',
    path: '/v1/orgs/{orgId}/registries',
    operationId: 'listRegistries',
    summary: "An org's registry allowlist (its admins and superusers).",
    auth: 'orgAdmin',
    task: 'manage its registries',
    request: { params: orgIdParamsSchema },
    responses: { 200: registryEntryListSchema },
    errors: [...USER_ERRORS, 'FORBIDDEN', 'NOT_FOUND'],
  },
  createRegistry: {
    method: 'POST',
    path: '/v1/orgs/{orgId}/registries',
    operationId: 'createRegistry',
    summary: 'Add an allowlist entry; pull credentials are stored and never returned.',
    auth: 'orgAdmin',
    task: 'manage its registries',
    request: { params: orgIdParamsSchema, body: createRegistryEntryRequestSchema },
    responses: { 201: registryEntrySchema },
    errors: [...BODY_ERRORS, ...USER_ERRORS, 'FORBIDDEN', 'NOT_FOUND'],
  },
  deleteRegistry: {
    method: 'DELETE',
    path: '/v1/orgs/{orgId}/registries/{entryId}',
    operationId: 'deleteRegistry',
    summary: 'Remove an allowlist entry and its credentials.',
    auth: 'orgAdmin',
    task: 'manage its registries',
    request: { params: registryEntryParamsSchema },
    responses: { 204: null },
    errors: [...USER_ERRORS, 'FORBIDDEN', 'NOT_FOUND'],
  },
  registerKey: {
    method: 'POST',
    path: '/v1/keys',
    operationId: 'registerKey',
    summary:
      "Register a public key (Ed25519, or the Python SDK's RSA key) to the caller, with proof of possession: a signature by the key over the caller's user, org and env (201; 200 when it is already theirs; SIGNATURE_INVALID when the proof does not verify). A revoked key can never be registered again.",
    auth: 'user',
    request: { body: registerKeyRequestSchema },
    responses: { 200: signingKeySchema, 201: signingKeySchema },
    errors: [...BODY_ERRORS, ...USER_ERRORS, 'FORBIDDEN', 'SIGNATURE_INVALID'],
  },
  listKeys: {
    method: 'GET',
    path: '/v1/keys',
    operationId: 'listKeys',
    summary: "The caller's signing keys, revoked ones included.",
    auth: 'user',
    request: {},
    responses: { 200: signingKeyListSchema },
    errors: USER_ERRORS,
  },
  revokeKey: {
    method: 'DELETE',
    path: '/v1/keys/{fingerprint}',
    operationId: 'revokeKey',
    summary: "Revoke one of the caller's keys; it stays listed with `revokedAt`.",
    auth: 'user',
    request: { params: keyFingerprintParamsSchema },
    responses: { 200: signingKeySchema },
    errors: [...USER_ERRORS, 'NOT_FOUND'],
  },
} as const satisfies Record<string, RouteDefinition>;

export type Routes = typeof routes;
export type OperationId = keyof Routes;

export const routeList: readonly RouteDefinition[] = Object.values(routes);

/** Every error body of every route has this shape; its status comes from `ERROR_STATUS`. */
export type RouteErrors<R extends RouteDefinition> = R['errors'][number];

type InferOr<S, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;
type InputOr<S, Fallback> = S extends z.ZodType ? z.input<S> : Fallback;

/** What a handler receives after parsing (defaults applied). */
export interface ParsedRequest<R extends RouteDefinition> {
  params: InferOr<R['request']['params'], Record<string, never>>;
  query: InferOr<R['request']['query'], Record<string, never>>;
  body: InferOr<R['request']['body'], undefined>;
  headers: InferOr<R['request']['headers'], Record<string, never>>;
}

/** What a client sends. */
export type RequestBody<R extends RouteDefinition> = InputOr<R['request']['body'], undefined>;

/** Success status → body type (`undefined` for a bodyless response). */
export type ResponseBodies<R extends RouteDefinition> = {
  [S in keyof R['responses']]: InferOr<R['responses'][S], undefined>;
};

/** The body of any success answer of `route`: what a client of it reads. */
export type ResponseBody<R extends RouteDefinition> = ResponseBodies<R>[keyof R['responses']];

/**
 * The path of `route` with its parameters filled in and percent-encoded (key fingerprints
 * contain `/`, `+` and `:`). Throws when a parameter is missing.
 */
export function routePath(
  route: Pick<RouteDefinition, 'path'>,
  params: Readonly<Record<string, string>> = {},
): string {
  return route.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') {
      throw new Error(`routePath: missing parameter "${name}" for ${route.path}`);
    }
    return encodeURIComponent(value);
  });
}
