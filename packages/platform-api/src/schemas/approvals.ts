// The superusers' review queue (SPEC §7): publishes of every org in one state, public ones
// waiting for approval by default, with what a reviewer needs to decide.
import * as z from 'zod';
import { apiSchemas } from '../components.js';
import { paginationQuerySchema, publishStateSchema } from './common.js';
import { versionSignatureSchema } from './modules.js';
import { publishStatusSchema } from './publish.js';

export const reviewQueueQuerySchema = paginationQuerySchema.extend({
  /** Which publishes: `SUBMITTED` (the queue) unless asked otherwise. */
  state: publishStateSchema.default('SUBMITTED'),
});
export type ReviewQueueQuery = z.infer<typeof reviewQueueQuerySchema>;

/** A user as a reviewer sees them: enough to know who submitted, no roles or secrets. */
export const publishSubmitterSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string() })
  .register(apiSchemas, { id: 'PublishSubmitter' });
export type PublishSubmitter = z.infer<typeof publishSubmitterSchema>;

/** A publish job with its org, submitter and signature. */
export const reviewPublishSchema = publishStatusSchema
  .extend({
    orgId: z.string(),
    orgName: z.string(),
    submittedBy: publishSubmitterSchema,
    /** Fingerprint of the key that signed it, null for an unsigned publish. */
    keyFingerprint: z.string().nullable(),
    /** The signature it carries and what that covers; null for an unsigned publish. */
    signature: versionSignatureSchema.nullable(),
  })
  .register(apiSchemas, { id: 'ReviewPublish' });
export type ReviewPublish = z.infer<typeof reviewPublishSchema>;

/** Oldest first: the queue is worked in the order it was filled. */
export const reviewPublishListSchema = z
  .object({
    items: z.array(reviewPublishSchema),
    total: z.number().int().min(0),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .register(apiSchemas, { id: 'ReviewPublishList' });
export type ReviewPublishList = z.infer<typeof reviewPublishListSchema>;
