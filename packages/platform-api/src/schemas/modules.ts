// The catalog as a caller sees it: modules and their versions (SPEC §7 visibility rules).
import * as z from 'zod';
import { apiSchemas } from '../components.js';
import { publishStateSchema, scopeSchema, timestampSchema } from './common.js';
import { signingKeyAlgorithmSchema } from './keys.js';

/**
 * `ed25519-statement`: an Ed25519 signature over the publish statement (SPEC §6).
 * `rsa-pss-manifest`: the Python SDK's legacy RSA-PSS signature over the manifest alone (§6a).
 */
export const SIGNATURE_KINDS = ['ed25519-statement', 'rsa-pss-manifest'] as const;
export const signatureKindSchema = z
  .enum(SIGNATURE_KINDS)
  .register(apiSchemas, { id: 'SignatureKind' });
export type SignatureKind = z.infer<typeof signatureKindSchema>;

/** What a signature can cover; `image` is the repository and the digest together. */
export const SIGNATURE_BINDINGS = ['environment', 'image', 'manifest', 'scope'] as const;

/** The signature a version was published with, as the platform verified it. */
export const versionSignatureSchema = z
  .object({
    kind: signatureKindSchema,
    algorithm: signingKeyAlgorithmSchema,
    /**
     * What the signature covers: all four for an Ed25519 statement, `["manifest"]` for a legacy
     * one, which could have been sent with another image, environment or scope.
     */
    binds: z.array(z.enum(SIGNATURE_BINDINGS)),
    /** `SHA256:` + unpadded base64 of sha256(DER SPKI), whatever the algorithm. */
    keyFingerprint: z.string(),
  })
  .register(apiSchemas, { id: 'VersionSignature' });
export type VersionSignature = z.infer<typeof versionSignatureSchema>;

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
    /** The signature it carries and what that covers; null for an unsigned publish. */
    signature: versionSignatureSchema.nullable(),
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
