import { constants, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalize,
  decodeSigningPublicKeyBase64,
  generateKeyPair,
  type KeyRegistrationInput,
  keyRegistrationBytes,
  keyRegistrationStatement,
  publicKeyToSpkiDer,
  signKeyRegistration,
  signKeyRegistrationRsa,
  verifyKeyRegistration,
} from '../src/index.js';

const FOR = { environment: 'staging', org: 'org-1', user: 'user-1' } as const;

function ed25519Key() {
  const pair = generateKeyPair();
  const spki = publicKeyToSpkiDer(pair.publicKey);
  const key = decodeSigningPublicKeyBase64(Buffer.from(spki).toString('base64'));
  return { pair, spki, key };
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaSpki = new Uint8Array(rsa.publicKey.export({ format: 'der', type: 'spki' }));
const rsaKey = decodeSigningPublicKeyBase64(Buffer.from(rsaSpki).toString('base64'));

describe('key registration statement', () => {
  it('names the type, environment, org, user and the key itself, canonicalized with JCS', () => {
    const { spki } = ed25519Key();
    const input: KeyRegistrationInput = { ...FOR, publicKey: spki };
    const statement = keyRegistrationStatement(input);
    expect(statement).toEqual({
      _type: 'hla-compass/key-registration/v1',
      environment: 'staging',
      org: 'org-1',
      user: 'user-1',
      publicKey: Buffer.from(spki).toString('base64'),
    });
    expect(Buffer.from(keyRegistrationBytes(input)).toString('utf8')).toBe(canonicalize(statement));
  });

  it('refuses an empty environment, org or user', () => {
    const { spki } = ed25519Key();
    for (const field of ['environment', 'org', 'user'] as const) {
      expect(() => keyRegistrationStatement({ ...FOR, [field]: ' ', publicKey: spki })).toThrow(
        field,
      );
    }
  });
});

describe('proof of possession', () => {
  it('verifies an Ed25519 proof only for the user, org and environment it was made for', () => {
    const { pair, spki, key } = ed25519Key();
    const proof = signKeyRegistration({ ...FOR, publicKey: spki }, pair.privateKey);
    expect(verifyKeyRegistration(FOR, key, proof)).toBe(true);
    expect(verifyKeyRegistration({ ...FOR, user: 'user-2' }, key, proof)).toBe(false);
    expect(verifyKeyRegistration({ ...FOR, org: 'org-2' }, key, proof)).toBe(false);
    expect(verifyKeyRegistration({ ...FOR, environment: 'prod' }, key, proof)).toBe(false);
  });

  it('refuses a proof made by another key, or one that is not canonical base64', () => {
    const { key } = ed25519Key();
    const other = ed25519Key();
    const proof = signKeyRegistration({ ...FOR, publicKey: other.spki }, other.pair.privateKey);
    expect(verifyKeyRegistration(FOR, key, proof)).toBe(false);
    expect(verifyKeyRegistration(FOR, other.key, proof)).toBe(true);
    expect(verifyKeyRegistration(FOR, other.key, `${proof} `)).toBe(false);
    expect(verifyKeyRegistration(FOR, other.key, '')).toBe(false);
  });

  it('verifies an RSA proof as RSA-PSS SHA-256 with a 32-byte salt, as OpenSSL reads it', () => {
    const proof = signKeyRegistrationRsa({ ...FOR, publicKey: rsaSpki }, rsa.privateKey);
    expect(verifyKeyRegistration(FOR, rsaKey, proof)).toBe(true);
    expect(verifyKeyRegistration({ ...FOR, user: 'user-2' }, rsaKey, proof)).toBe(false);
    const message = keyRegistrationBytes({ ...FOR, publicKey: rsaSpki });
    const options = { key: rsa.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING };
    const signature = Buffer.from(proof, 'base64');
    expect(verify('sha256', message, { ...options, saltLength: 32 }, signature)).toBe(true);
    expect(verify('sha256', message, { ...options, saltLength: 222 }, signature)).toBe(false);
  });

  it('refuses to sign with an RSA private key for another public key', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => signKeyRegistrationRsa({ ...FOR, publicKey: rsaSpki }, other.privateKey)).toThrow(
      'does not belong',
    );
  });
});
