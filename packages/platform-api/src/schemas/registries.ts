// An org's registry allowlist (SPEC §7): patterns, providers and write-only pull credentials.
import * as z from 'zod';
import { apiSchemas } from '../components.js';
import { timestampSchema } from './common.js';

export const REGISTRY_PROVIDERS = ['ghcr', 'ecr', 'dockerhub', 'generic'] as const;
export const registryProviderSchema = z
  .enum(REGISTRY_PROVIDERS)
  .register(apiSchemas, { id: 'RegistryProvider' });
export type RegistryProvider = z.infer<typeof registryProviderSchema>;

export const registryEntrySchema = z
  .object({
    id: z.string(),
    /** A normalized repository, or one followed by `/*` for everything below it. */
    pattern: z.string(),
    provider: registryProviderSchema,
    /** Whether pull credentials are stored; they are never returned. */
    hasCredentials: z.boolean(),
    createdAt: timestampSchema,
  })
  .register(apiSchemas, { id: 'RegistryEntry' });
export type RegistryEntry = z.infer<typeof registryEntrySchema>;

export const registryEntryListSchema = z
  .object({ items: z.array(registryEntrySchema) })
  .register(apiSchemas, { id: 'RegistryEntryList' });
export type RegistryEntryList = z.infer<typeof registryEntryListSchema>;

export const registryCredentialsSchema = z
  .object({
    username: z.string().min(1).max(512),
    password: z.string().min(1).max(4096),
  })
  .register(apiSchemas, { id: 'RegistryCredentials' });
export type RegistryCredentials = z.infer<typeof registryCredentialsSchema>;

export const createRegistryEntryRequestSchema = z
  .object({
    pattern: z.string().min(1).max(512),
    /** Inferred from the pattern's host when left out. */
    provider: registryProviderSchema.optional(),
    credentials: registryCredentialsSchema.optional(),
  })
  .register(apiSchemas, { id: 'CreateRegistryEntryRequest' });
export type CreateRegistryEntryRequest = z.infer<typeof createRegistryEntryRequestSchema>;

export const orgIdParamsSchema = z.object({ orgId: z.string().min(1).max(128) });
export const registryEntryParamsSchema = orgIdParamsSchema.extend({
  entryId: z.string().min(1).max(128),
});
