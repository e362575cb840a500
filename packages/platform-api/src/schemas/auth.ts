// Sign-in, PKCE code exchange, token refresh and the caller's identity (SPEC §4, §7).
import { z } from 'zod';
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

export const refreshRequestSchema = z
  .object({ refreshToken: z.string().min(1).max(512) })
  .register(apiSchemas, { id: 'RefreshRequest' });
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const tokensSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    /** Seconds until `accessToken` expires. */
    expiresIn: z.number().int().positive(),
    tokenType: z.literal('Bearer'),
  })
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
