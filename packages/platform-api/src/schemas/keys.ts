// Signing keys registered to a user (SPEC §6): the public half only, revocable, never reusable.
import * as z from 'zod';
import { apiSchemas } from '../components.js';
import { timestampSchema } from './common.js';

/**
 * `Ed25519`: keys for publish statements (SPEC §6). `RSA-PSS`: the Python SDK's RSA keys, for its
 * legacy manifest signatures (SPEC §6a), which some environments accept only from registered keys.
 */
export const SIGNING_KEY_ALGORITHMS = ['Ed25519', 'RSA-PSS'] as const;
export const signingKeyAlgorithmSchema = z
  .enum(SIGNING_KEY_ALGORITHMS)
  .register(apiSchemas, { id: 'SigningKeyAlgorithm' });
export type SigningKeyAlgorithm = z.infer<typeof signingKeyAlgorithmSchema>;

export const signingKeySchema = z
  .object({
    /** `SHA256:` + unpadded base64 of sha256(DER SPKI). */
    fingerprint: z.string(),
    name: z.string().nullable(),
    algorithm: signingKeyAlgorithmSchema,
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
    /**
     * Base64 DER SPKI of an Ed25519 public key, or of an RSA key of 2048 to 16384 bits (a 4096-bit
     * SDK key is 736 characters; 16384 bits fit in 4096). The algorithm is read from the key.
     */
    publicKey: z.string().min(1).max(4096),
    /**
     * Proof of possession: base64 of the key's signature over the RFC 8785 bytes of
     * `{"_type":"hla-compass/key-registration/v1","environment","org","user","publicKey"}` (the
     * caller's env name, org id and user id, and this publicKey). Ed25519 for Ed25519 keys;
     * RSA-PSS, SHA-256, MGF1 SHA-256, 32-byte salt for RSA keys. 16384-bit RSA fits in 2752.
     */
    proof: z.string().min(1).max(4096),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .register(apiSchemas, { id: 'RegisterKeyRequest' });
export type RegisterKeyRequest = z.infer<typeof registerKeyRequestSchema>;

export const keyFingerprintParamsSchema = z.object({ fingerprint: z.string().min(1).max(200) });
