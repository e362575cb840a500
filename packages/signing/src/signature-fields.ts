// The names a signature travels under inside a manifest: ours (SPEC §6) and the Python SDK's
// (python-sdk.md §3, camelCase and snake_case). They are never signed, and never stored.

import { CanonicalizationError } from './errors.js';
import { type JsonObject, type LosslessJsonObject, MAX_JSON_DEPTH } from './json-value.js';

/**
 * Every manifest member name reserved for signatures. The SDK strips all nine before it signs;
 * our Ed25519 statement leaves them out too, so that whichever signer made a signature, what the
 * platform stores is exactly what the signature covers.
 */
export const RESERVED_SIGNATURE_FIELDS = [
  'signature',
  'publicKey',
  'public_key',
  'signatureAlgorithm',
  'signature_algorithm',
  'hashAlgorithm',
  'hash_algorithm',
  'keyFingerprint',
  'key_fingerprint',
] as const;

export function isReservedSignatureField(name: string): boolean {
  return (RESERVED_SIGNATURE_FIELDS as readonly string[]).includes(name);
}

/**
 * A copy of `manifest` without the reserved names at its top level: what an Ed25519 publish
 * statement covers. Nested members are kept (an input named `signature` is part of the module).
 */
export function unsignedManifest(manifest: JsonObject): JsonObject {
  return copyWithoutReserved(manifest, (value) => value) as JsonObject;
}

/**
 * A copy of `manifest` without the reserved names at every depth, in objects and in objects
 * inside arrays: what the Python SDK signs (so a nested `signature` input is not covered).
 */
export function legacyUnsignedManifest(manifest: JsonObject): JsonObject;
export function legacyUnsignedManifest(manifest: LosslessJsonObject): LosslessJsonObject;
export function legacyUnsignedManifest(
  manifest: JsonObject | LosslessJsonObject,
): JsonObject | LosslessJsonObject {
  return stripAtEveryDepth(manifest, 0) as JsonObject | LosslessJsonObject;
}

// Leaves, including JsonNumber instances and whatever is not JSON at all, are passed on as they
// are: judging them is the serializer's job. The depth bound also stops a cycle.
function stripAtEveryDepth(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_JSON_DEPTH) {
    throw new CanonicalizationError('', `nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if (Array.isArray(value)) return value.map((item) => stripAtEveryDepth(item, depth + 1));
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return copyWithoutReserved(value as Record<string, unknown>, (member) =>
    stripAtEveryDepth(member, depth + 1),
  );
}

function copyWithoutReserved(
  object: Record<string, unknown>,
  member: (value: unknown) => unknown,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (isReservedSignatureField(key)) continue;
    // defineProperty, not assignment: a member named "__proto__" must stay a plain member.
    Object.defineProperty(copy, key, {
      value: member(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}
