// Signing keys (SPEC §6): a user registers public keys; a key belongs to one user forever, and
// a revoked key can never come back, so a leaked key stays dead.
import { PlatformError, type SigningKey } from '@hla-compass/platform-api';
import {
  decodePublicKeyBase64,
  encodePublicKeyBase64,
  KeyFormatError,
  keyFingerprint,
} from '@hla-compass/signing';
import { type EnvContext, isoTime } from '../env-context.js';
import type { SigningKeyRecord } from '../store/signing-keys.js';
import type { Caller } from './authentication.js';

const toSigningKey = (record: SigningKeyRecord): SigningKey => ({
  fingerprint: record.fingerprint,
  name: record.name,
  algorithm: 'Ed25519',
  publicKey: record.publicKey,
  createdAt: record.createdAt,
  revokedAt: record.revokedAt,
});

export function registerKey(
  context: EnvContext,
  caller: Caller,
  request: { publicKey: string; name?: string | undefined },
): { created: boolean; key: SigningKey } {
  let raw: Uint8Array;
  try {
    raw = decodePublicKeyBase64(request.publicKey);
  } catch (error) {
    if (!(error instanceof KeyFormatError)) throw error;
    throw new PlatformError(
      'INVALID_REQUEST',
      `publicKey must be base64 of an Ed25519 DER SubjectPublicKeyInfo: ${error.message}`,
    );
  }
  const fingerprint = keyFingerprint(raw);
  const { signingKeys } = context.store;
  return context.store.transaction(() => {
    const existing = signingKeys.get(fingerprint);
    if (existing?.revokedAt != null) {
      throw new PlatformError(
        'FORBIDDEN',
        `Forbidden: key ${fingerprint} was revoked and can never be registered again; generate a new key with \`hla-compass keys init --force\``,
      );
    }
    if (existing !== undefined && existing.userId !== caller.user.id) {
      throw new PlatformError(
        'FORBIDDEN',
        `Forbidden: key ${fingerprint} is registered to another user; generate your own key`,
      );
    }
    if (existing !== undefined) return { created: false, key: toSigningKey(existing) };
    const record: SigningKeyRecord = {
      fingerprint,
      userId: caller.user.id,
      publicKey: encodePublicKeyBase64(raw),
      name: request.name ?? null,
      createdAt: isoTime(context),
      revokedAt: null,
    };
    signingKeys.insert(record);
    return { created: true, key: toSigningKey(record) };
  });
}

export function listKeys(context: EnvContext, caller: Caller): SigningKey[] {
  return context.store.signingKeys.listByUser(caller.user.id).map(toSigningKey);
}

/** Revoking an already revoked key answers with it unchanged. */
export function revokeKey(context: EnvContext, caller: Caller, fingerprint: string): SigningKey {
  const { signingKeys } = context.store;
  return context.store.transaction(() => {
    const existing = signingKeys.get(fingerprint);
    if (existing === undefined || existing.userId !== caller.user.id) {
      throw new PlatformError(
        'NOT_FOUND',
        `No key ${fingerprint} is registered to you in ${context.name}`,
      );
    }
    signingKeys.revoke(fingerprint, isoTime(context));
    return toSigningKey(signingKeys.get(fingerprint) ?? existing);
  });
}

/** Null when `fingerprint` may sign the caller's publishes; otherwise why not. */
export function untrustedKeyReason(
  context: EnvContext,
  caller: Caller,
  fingerprint: string,
): string | null {
  const key = context.store.signingKeys.get(fingerprint);
  if (key === undefined || key.userId !== caller.user.id) {
    return `Untrusted key: ${fingerprint} is not registered to ${caller.user.email} in ${context.name}; run \`hla-compass keys register --env ${context.name}\``;
  }
  if (key.revokedAt !== null) {
    return `Untrusted key: ${fingerprint} was revoked at ${key.revokedAt}; generate and register a new key`;
  }
  return null;
}
