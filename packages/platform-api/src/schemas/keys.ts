// Signing keys registered to a user (SPEC §6): the public half only, revocable, never reusable.
import { z } from 'zod';
import { apiSchemas } from '../components.js';
import { timestampSchema } from './common.js';

export const signingKeySchema = z
  .object({
    /** `SHA256:` + unpadded base64 of sha256(DER SPKI). */
    fingerprint: z.string(),
    name: z.string().nullable(),
    algorithm: z.literal('Ed25519'),
    /** Base64 DER SPKI. */
    publicKey: z.string(),
    createdAt: timestampSchema,
    revokedAt: timestampSchema.nullable(),
  })
  .register(apiSchemas, { id: 'SigningKey' });
export type SigningKey = z.infer<typeof signingKeySchema>;

export const signingKeyListSchema = z
  .object({ items: z.array(signingKeySchema) })
  .register(apiSchemas, { id: 'SigningKeyList' });
export type SigningKeyList = z.infer<typeof signingKeyListSchema>;

export const registerKeyRequestSchema = z
  .object({
    /** Base64 DER SPKI of an Ed25519 public key. */
    publicKey: z.string().min(1).max(1024),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .register(apiSchemas, { id: 'RegisterKeyRequest' });
export type RegisterKeyRequest = z.infer<typeof registerKeyRequestSchema>;

export const keyFingerprintParamsSchema = z.object({ fingerprint: z.string().min(1).max(200) });
