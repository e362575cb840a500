// Key fingerprints: how users, the CLI and the platform name a public key (SPEC §6).

import { createHash } from 'node:crypto';
import { publicKeyToSpkiDer } from './key-encoding.js';

/**
 * `SHA256:` + unpadded standard base64 of sha256(DER SubjectPublicKeyInfo), OpenSSH's notation.
 * (OpenSSH hashes its own key blob, so the digits differ from `ssh-keygen -l`; the form does not.)
 */
export function keyFingerprint(publicKey: Uint8Array): string {
  return spkiFingerprint(publicKeyToSpkiDer(publicKey));
}

/** {@link keyFingerprint} of any key, given its DER SubjectPublicKeyInfo (RSA keys included). */
export function spkiFingerprint(spki: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(spki).digest('base64').replace(/=+$/, '')}`;
}
