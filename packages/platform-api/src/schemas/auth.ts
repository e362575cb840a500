// Sign-in, PKCE code exchange, token refresh and the caller's identity (SPEC §4, §7).
import * as z from 'zod';
import { apiSchemas } from '../components.js';
import { environmentSchema, roleSchema } from './common.js';

export const loginRequestSchema = z
  .object({
    email: z.string().min(1).max(320),
    password: z.string().min(1).max(1024),
  })
  .register(apiSchemas, { id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
export const codeVerifierSchema = z
  .string()
  .regex(/^[A-Za-z0-9._~-]{43,128}$/, 'must be 43 to 128 characters of [A-Za-z0-9._~-]');

export const tokenRequestSchema = z
  .object({
    code: z.string().min(1).max(512),
    codeVerifier: codeVerifierSchema,
    redirectUri: z.string().min(1).max(2048),
  })
  .register(apiSchemas, { id: 'TokenRequest' });
export type TokenRequest = z.infer<typeof tokenRequestSchema>;

const refreshTokenField = z.string().min(1).max(512);

/**
 * `{refreshToken}`, or `{refresh_token}` as the Python SDK 2.0.13 sends it (SPEC §6a). Both at
 * once must be the same token: two different ones is a client bug that picking either would
 * hide, and a refresh token is single use, so the request is refused before either is spent.
 */
export const refreshRequestSchema = z
  .union(
    [
      z.object({ refreshToken: refreshTokenField, refresh_token: refreshTokenField.optional() }),
      z.object({ refresh_token: refreshTokenField, refreshToken: z.never().optional() }),
    ],
    { error: 'needs refreshToken or refresh_token: a string of 1 to 512 characters' },
  )
  .refine(
    (request) =>
      request.refreshToken === undefined ||
      request.refresh_token === undefined ||
      request.refreshToken === request.refresh_token,
    { message: 'refreshToken and refresh_token differ: send one of them', path: ['refresh_token'] },
  )
  .register(apiSchemas, { id: 'RefreshRequest' });
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

/** The refresh token of a request, under whichever name it came. */
export function refreshTokenOf(request: RefreshRequest): string {
  return request.refreshToken === undefined ? request.refresh_token : request.refreshToken;
}

/**
 * What `POST /v1/auth/logout` ends: the sign-in of the Bearer access token, and that of this
 * refresh token. The refresh token lets a client whose access token has expired still log out.
 */
export const logoutRequestSchema = z
  .object({ refreshToken: refreshTokenField.optional() })
  .register(apiSchemas, { id: 'LogoutRequest' });
export type LogoutRequest = z.infer<typeof logoutRequestSchema>;

const sameAs = (field: string) =>
  `The same value as \`${field}\`, for clients that read snake_case (the Python SDK 2.0.13).`;

/** Every token field twice, camelCase (this contract) and snake_case (the hosted platform's). */
export const tokensSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    /** Seconds until `accessToken` expires. */
    expiresIn: z.number().int().positive(),
    tokenType: z.literal('Bearer'),
    access_token: z.string().meta({ description: sameAs('accessToken') }),
    refresh_token: z.string().meta({ description: sameAs('refreshToken') }),
    expires_in: z
      .number()
      .int()
      .positive()
      .meta({ description: sameAs('expiresIn') }),
    token_type: z.literal('Bearer').meta({ description: sameAs('tokenType') }),
  })
  .refine(
    (tokens) =>
      tokens.access_token === tokens.accessToken &&
      tokens.refresh_token === tokens.refreshToken &&
      tokens.expires_in === tokens.expiresIn,
    { message: 'the snake_case token fields must equal the camelCase ones' },
  )
  .register(apiSchemas, { id: 'Tokens' });
export type Tokens = z.infer<typeof tokensSchema>;

export const meSchema = z
  .object({
    user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
    org: z.object({ id: z.string(), name: z.string() }),
    roles: z.array(roleSchema),
    superuser: z.boolean(),
    environment: environmentSchema,
  })
  .register(apiSchemas, { id: 'Me' });
export type Me = z.infer<typeof meSchema>;
