// Publishing a module version (SPEC §6, §7): the request, the intake answer, the job status,
// the approval decisions and the env's publish settings.
import { MANIFEST_ISSUE_CODES } from '@hla-compass/manifest';
import * as z from 'zod';
import { apiSchemas } from '../components.js';
import { environmentSchema, publishStateSchema, scopeSchema, timestampSchema } from './common.js';

export const publishConfigSchema = z
  .object({
    environment: environmentSchema,
    /** Default registry namespace for the caller's org here, e.g. `127.0.0.1:5000/your-org`. */
    registry: z.string(),
    /** The org's allowlist patterns, e.g. `ghcr.io/your-org/*`. */
    allowlist: z.array(z.string()),
    requireSignature: z.boolean(),
    publicScopeRequiresApproval: z.boolean(),
  })
  .register(apiSchemas, { id: 'PublishConfig' });
export type PublishConfig = z.infer<typeof publishConfigSchema>;

export const publishRequestSchema = z
  .object({
    /** Any reference the distribution grammar accepts; the platform re-parses it. */
    imageRef: z.string().min(1).max(1024),
    /**
     * `manifest.json` as the author wrote it, with the signature fields of SPEC §6
     * (`signature`, `publicKey`, `keyFingerprint`, `signatureAlgorithm`) when signed, or those
     * of the Python SDK's legacy signature (the same with `signatureAlgorithm: "RSA-PSS"`, plus
     * `hashAlgorithm`). Validated by `@hla-compass/manifest`; its issues come back in
     * `details.issues`. The platform stores it without any signature field.
     */
    manifest: z.record(z.string(), z.unknown()),
    scope: scopeSchema.default('org'),
  })
  .register(apiSchemas, { id: 'PublishRequest' });
export type PublishRequest = z.input<typeof publishRequestSchema>;

/** One finding of `@hla-compass/manifest`'s validation, as `INVALID_MANIFEST` carries it. */
export const manifestIssueSchema = z
  .object({
    code: z.enum(MANIFEST_ISSUE_CODES),
    severity: z.enum(['error', 'warning']),
    /** RFC 6901 JSON pointer into the manifest. */
    path: z.string(),
    message: z.string(),
  })
  .register(apiSchemas, { id: 'ManifestIssue' });
export type ManifestIssueBody = z.infer<typeof manifestIssueSchema>;

/** `details` of an `INVALID_MANIFEST` error. */
export const invalidManifestDetailsSchema = z
  .object({ issues: z.array(manifestIssueSchema) })
  .register(apiSchemas, { id: 'InvalidManifestDetails' });
export type InvalidManifestDetails = z.infer<typeof invalidManifestDetailsSchema>;

export const idempotencyHeadersSchema = z.object({
  /** Same key and same body: the first response again. Same key, other body: 409. */
  'idempotency-key': z.string().min(1).max(255).optional(),
});

export const imageSchema = z
  .object({
    /** Normalized, fully qualified repository, e.g. `127.0.0.1:5000/your-org/my-module`. */
    repository: z.string(),
    /** The digest the platform resolved at the registry. */
    digest: z.string(),
  })
  .register(apiSchemas, { id: 'Image' });
export type Image = z.infer<typeof imageSchema>;

/**
 * `status` is the intake job's progress in the words the Python CLI polls for:
 * `pending` while waiting for approval, then `completed` (approved) or `failed` (rejected).
 */
export const PUBLISH_STATUSES = ['pending', 'completed', 'failed'] as const;
export const publishStatusValueSchema = z.enum(PUBLISH_STATUSES);
export type PublishStatusValue = z.infer<typeof publishStatusValueSchema>;

export const publishAcceptedSchema = z
  .object({
    publishId: z.string(),
    moduleId: z.string(),
    versionId: z.string(),
    moduleName: z.string(),
    version: z.string(),
    environment: environmentSchema,
    scope: scopeSchema,
    state: publishStateSchema,
    status: publishStatusValueSchema,
    image: imageSchema,
    /** Digest-pinned reference: `<repository>@<digest>`. */
    imageRef: z.string(),
  })
  .register(apiSchemas, { id: 'PublishAccepted' });
export type PublishAccepted = z.infer<typeof publishAcceptedSchema>;

/** The intake answer plus the job's progress. */
export const publishStatusSchema = publishAcceptedSchema
  .extend({
    currentPhase: z.enum(['approval', 'done']),
    /** The superuser's reason when `REJECTED`, else null. */
    failureReason: z.string().nullable(),
    startTime: timestampSchema,
    /** When the version reached `APPROVED` or `REJECTED`. */
    endTime: timestampSchema.nullable(),
  })
  .register(apiSchemas, { id: 'PublishStatus' });
export type PublishStatus = z.infer<typeof publishStatusSchema>;

export const publishIdParamsSchema = z.object({ publishId: z.string().min(1).max(128) });

export const approveRequestSchema = z
  .object({
    /** The reviewer's note, recorded with the decision. */
    comment: z.string().max(2000).optional(),
  })
  .register(apiSchemas, { id: 'ApproveRequest' });
export type ApproveRequest = z.infer<typeof approveRequestSchema>;

export const rejectRequestSchema = z
  .object({ reason: z.string().trim().min(1).max(2000) })
  .register(apiSchemas, { id: 'RejectRequest' });
export type RejectRequest = z.infer<typeof rejectRequestSchema>;
