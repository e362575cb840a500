// The body of POST /v1/keys as the CLI sends it: the public key and its proof of possession, a
// signature by the key over the caller's user, org and env (read from GET /v1/auth/me).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { type Environment, routes } from '@hla-compass/platform-api';
import {
  encodePublicKeyBase64,
  type KeyPair,
  publicKeyToSpkiDer,
  signKeyRegistration,
  signKeyRegistrationRsa,
} from '@hla-compass/signing';
import type { CallOptions, TestPlatform } from './platform.js';

/** An Ed25519 pair, or the private half of an RSA pair (the Python SDK's key). */
export type ProvableKey = KeyPair | KeyObject;

export async function keyRegistration(
  platform: TestPlatform,
  env: Environment,
  credential: Pick<CallOptions, 'token' | 'apiKey'>,
  key: ProvableKey,
): Promise<{ publicKey: string; proof: string }> {
  const me = await platform.call(env, routes.me, credential);
  if (me.status !== 200) throw new Error(`GET /v1/auth/me: ${JSON.stringify(me.body)}`);
  const statement = { environment: env, org: me.body.org.id, user: me.body.user.id };
  if ('privateKey' in key) {
    const publicKey = encodePublicKeyBase64(key.publicKey);
    const spki = publicKeyToSpkiDer(key.publicKey);
    return {
      publicKey,
      proof: signKeyRegistration({ ...statement, publicKey: spki }, key.privateKey),
    };
  }
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return {
    publicKey: spki.toString('base64'),
    proof: signKeyRegistrationRsa({ ...statement, publicKey: spki }, key),
  };
}
