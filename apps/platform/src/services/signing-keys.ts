// Signing keys (SPEC §6, §6a): a user registers public keys, Ed25519 for publish statements or
// the Python SDK's RSA key, proving possession with a signature over their user, org and env; a
// key belongs to one user forever, and a revoked key can never come back, so a leaked key stays
// dead. Only whoever holds the private key can register it, so nobody can squat someone's key.
import {
  PlatformError,
  type SigningKey,
  type SigningKeyAlgorithm,
} from '@hla-compass/platform-api';
import {
  decodeSigningPublicKeyBase64,
  KEY_REGISTRATION_STATEMENT_TYPE,
  KeyFormatError,
  type SigningPublicKey,
  verifyKeyRegistration,
} from '@hla-compass/signing';
import { type EnvContext, isoTime } from '../env-context.js';
import type { SigningKeyRecord } from '../store/signing-keys.js';
import type { Caller } from './authentication.js';

const toSigningKey = (record: SigningKeyRecord): SigningKey => ({
  fingerprint: record.fingerprint,
  name: record.name,
  algorithm: record.algorithm,
  publicKey: record.publicKey,
  createdAt: record.createdAt,
  revokedAt: record.revokedAt,
});

export function registerKey(
  context: EnvContext,
  caller: Caller,
  request: { publicKey: string; proof: string; name?: string | undefined },
): { created: boolean; key: SigningKey } {
  let decoded: SigningPublicKey;
  try {
    decoded = decodeSigningPublicKeyBase64(request.publicKey);
  } catch (error) {
    if (!(error instanceof KeyFormatError)) throw error;
    throw new PlatformError(
      'INVALID_REQUEST',
      `publicKey must be base64 of the DER SubjectPublicKeyInfo of an Ed25519 key or of an RSA key of at least 2048 bits: ${error.message}`,
    );
  }
  const { fingerprint } = decoded;
  // Checked before the key's state is looked at, so that without the private key nobody learns
  // whether a key is registered, to whom, or revoked.
  const registration = {
    environment: context.name,
    org: caller.org.id,
    user: caller.user.id,
  };
  if (!verifyKeyRegistration(registration, decoded, request.proof)) {
    throw new PlatformError(
      'SIGNATURE_INVALID',
      `Signature invalid: proof is not this key's ${decoded.algorithm} signature over the ${KEY_REGISTRATION_STATEMENT_TYPE} statement for your user, org and ${context.name}; only whoever holds the private key can register it (\`hla-compass keys register --env ${context.name}\` signs the proof)`,
      { details: { reason: 'bad_proof' } },
    );
  }
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
      algorithm: decoded.algorithm,
      publicKey: Buffer.from(decoded.spki).toString('base64'),
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

/**
 * Null when the key `fingerprint` may sign the caller's publishes; otherwise why not. A key that
 * is registered to someone else or revoked never may. A key nobody registered may only where
 * `unregistered` is `accept` (legacy SDK keys in an env whose policy is `any`, since the SDK
 * cannot register its key and sends it with every publish), and only for the user who first
 * published with it.
 */
export function untrustedKeyReason(
  context: EnvContext,
  caller: Caller,
  signer: { fingerprint: string; algorithm: SigningKeyAlgorithm },
  unregistered: 'accept' | 'refuse',
): string | null {
  const { fingerprint } = signer;
  const key = context.store.signingKeys.get(fingerprint);
  if (key === undefined && unregistered === 'accept') {
    // A legacy signature binds only the manifest, so another org's developer could replay an SDK
    // body as their own: an unregistered key belongs to whoever first published with it here,
    // until its holder registers it with proof of possession, which nobody else can.
    const firstSigner = context.store.catalog.firstSignerOfKey(fingerprint);
    if (firstSigner === undefined || firstSigner === caller.user.id) return null;
    return `Untrusted key: ${fingerprint} is not registered in ${context.name} and another user published with it first; if the key is yours, run \`hla-compass keys register --env ${context.name} --sdk-key\` on the machine with the SDK's keys (it proves you hold it), then publish again`;
  }
  if (key === undefined || key.userId !== caller.user.id) {
    const howToRegister =
      signer.algorithm === 'Ed25519'
        ? `run \`hla-compass keys register --env ${context.name}\``
        : `${context.name} takes legacy (Python SDK, RSA-PSS) signatures only from registered keys: run \`hla-compass keys register --env ${context.name} --sdk-key\` on the machine with the SDK's keys (or POST /v1/keys with the manifest's publicKey), then publish again`;
    return `Untrusted key: ${fingerprint} is not registered to ${caller.user.email} in ${context.name}; ${howToRegister}`;
  }
  if (key.revokedAt !== null) {
    return `Untrusted key: ${fingerprint} was revoked at ${key.revokedAt}; generate and register a new key`;
  }
  return null;
}
