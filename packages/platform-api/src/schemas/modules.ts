// The catalog as a caller sees it: modules and their versions (SPEC §7 visibility rules).
import { z } from 'zod';
import { apiSchemas } from '../components.js';
import { publishStateSchema, scopeSchema, timestampSchema } from './common.js';

export const moduleVersionSchema = z
  .object({
    id: z.string(),
    moduleId: z.string(),
    moduleName: z.string(),
    version: z.string(),
    repository: z.string(),
    digest: z.string(),
    /** Digest-pinned reference: `<repository>@<digest>`. */
    imageRef: z.string(),
    scope: scopeSchema,
    state: publishStateSchema,
    publishId: z.string(),
    /** Fingerprint of the key that signed it, null for an unsigned publish. */
    keyFingerprint: z.string().nullable(),
    publishedAt: timestampSchema,
  })
  .register(apiSchemas, { id: 'ModuleVersion' });
export type ModuleVersion = z.infer<typeof moduleVersionSchema>;

export const moduleSummarySchema = z
  .object({
    id: z.string(),
    moduleName: z.string(),
    orgId: z.string(),
    orgName: z.string(),
    /** Highest approved version the caller may see, null when none is approved yet. */
    currentVersion: z.string().nullable(),
    /** Digest-pinned reference of `currentVersion`. */
    imageRef: z.string().nullable(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .register(apiSchemas, { id: 'ModuleSummary' });
export type ModuleSummary = z.infer<typeof moduleSummarySchema>;

export const moduleListSchema = z
  .object({
    items: z.array(moduleSummarySchema),
    total: z.number().int().min(0),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .register(apiSchemas, { id: 'ModuleList' });
export type ModuleList = z.infer<typeof moduleListSchema>;

export const moduleDetailSchema = moduleSummarySchema
  .extend({ versions: z.array(moduleVersionSchema) })
  .register(apiSchemas, { id: 'ModuleDetail' });
export type ModuleDetail = z.infer<typeof moduleDetailSchema>;

export const moduleVersionListSchema = z
  .object({ items: z.array(moduleVersionSchema) })
  .register(apiSchemas, { id: 'ModuleVersionList' });
export type ModuleVersionList = z.infer<typeof moduleVersionListSchema>;

export const moduleIdParamsSchema = z.object({ moduleId: z.string().min(1).max(128) });
