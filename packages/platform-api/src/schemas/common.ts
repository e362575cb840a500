// Vocabulary shared by several resources: environment names, timestamps, roles, list pages.
import * as z from 'zod';
import { apiSchemas } from '../components.js';
import { ENVIRONMENTS } from '../environments.js';

export const environmentSchema = z.enum(ENVIRONMENTS).register(apiSchemas, { id: 'Environment' });

/** Timestamps travel as ISO 8601 UTC strings (`Date.prototype.toISOString`). */
export const timestampSchema = z.iso.datetime();

export const ROLES = ['viewer', 'developer', 'admin'] as const;
export const roleSchema = z.enum(ROLES).register(apiSchemas, { id: 'Role' });
export type Role = z.infer<typeof roleSchema>;

export const SCOPES = ['org', 'public'] as const;
export const scopeSchema = z.enum(SCOPES).register(apiSchemas, { id: 'Scope' });
export type Scope = z.infer<typeof scopeSchema>;

/** `SUBMITTED` waits for a superuser; `org` scope goes straight to `APPROVED`. */
export const PUBLISH_STATES = ['SUBMITTED', 'APPROVED', 'REJECTED'] as const;
export const publishStateSchema = z
  .enum(PUBLISH_STATES)
  .register(apiSchemas, { id: 'PublishState' });
export type PublishState = z.infer<typeof publishStateSchema>;

/** Query strings carry numbers as text; these coerce and bound them. */
export const paginationQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
