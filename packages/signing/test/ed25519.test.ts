import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  randomBytes,
} from 'node:crypto';
import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import {
  encodePrivateKeyPem,
  encodePublicKeyPem,
  generateKeyPair,
  publicKeyFromPrivateKey,
  signBytes,
  verifyBytes,
} from '../src/index.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// RFC 8032 §7.1, https://www.rfc-editor.org/rfc/rfc8032#section-7.1
const RFC8032 = [
  {
    name: 'TEST 1 (empty message)',
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2 (one byte)',
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3 (two bytes)',
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

// The group order L of Ed25519's base point.
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

describe('RFC 8032 §7.1 vectors', () => {
  it.each(RFC8032)('$name: public key, signature and verification', (vector) => {
    const seed = hex(vector.seed);
    expect(toHex(publicKeyFromPrivateKey(seed))).toBe(vector.publicKey);
    expect(toHex(signBytes(hex(vector.message), seed))).toBe(vector.signature);
    expect(verifyBytes(hex(vector.signature), hex(vector.message), hex(vector.publicKey))).toBe(
      true,
    );
    expect(
      verifyBytes(hex(vector.signature), hex(`${vector.message}00`), hex(vector.publicKey)),
    ).toBe(false);
  });
});

describe('key pairs', () => {
  it('generates a 32-byte seed and its 32-byte public key, a new one each time', () => {
    const first = generateKeyPair();
    const second = generateKeyPair();
    expect(first.privateKey).toHaveLength(32);
    expect(first.publicKey).toEqual(publicKeyFromPrivateKey(first.privateKey));
    expect(toHex(first.privateKey)).not.toBe(toHex(second.privateKey));
  });

  it('refuses a private key that is not a 32-byte seed', () => {
    expect(() => signBytes(new Uint8Array(0), new Uint8Array(64))).toThrow(/32-byte seed, got 64/);
    expect(() => publicKeyFromPrivateKey(new Uint8Array(31))).toThrow(/got 31 bytes/);
  });
});

describe('strict verification (RFC 8032, zip215: false)', () => {
  const vector = RFC8032[1];
  if (vector === undefined) throw new Error('missing vector');
  const publicKey = hex(vector.publicKey);
  const message = hex(vector.message);

  it('rejects a malleated signature (S + L), as node:crypto does', () => {
    const signature = hex(vector.signature);
    const s = BigInt(`0x${toHex(signature.slice(32).reverse())}`) + L;
    const malleated = Uint8Array.from([
      ...signature.slice(0, 32),
      ...hex(s.toString(16).padStart(64, '0')).reverse(),
    ]);
    expect(verifyBytes(malleated, message, publicKey)).toBe(false);
    const nodeKey = createPublicKey(encodePublicKeyPem(publicKey));
    expect(nodeVerify(null, message, nodeKey, malleated)).toBe(false);
  });

  it('rejects the small-order key forgery that ZIP 215 accepts for any message', () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const forgery = Uint8Array.from([...identity, ...new Uint8Array(32)]);
    const anything = new TextEncoder().encode('any message at all');
    expect(ed.verify(forgery, anything, identity)).toBe(true);
    expect(verifyBytes(forgery, anything, identity)).toBe(false);
  });

  it('accepts, as noble does, a signature whose R has a small-order part, which OpenSSL refuses', () => {
    // R' = rB + T with T of order 2, and S = r + k·a for k = H(R' ‖ A ‖ M): the cofactored
    // equation (noble's) holds, the cofactorless one (OpenSSL's) does not. verifyBytes answers as
    // noble does when OpenSSL says no.
    const seed = Uint8Array.from(randomBytes(32));
    const expanded = createHash('sha512').update(seed).digest();
    const clamped = Uint8Array.from(expanded.subarray(0, 32));
    clamped[0] = (clamped[0] ?? 0) & 248;
    clamped[31] = ((clamped[31] ?? 0) & 127) | 64;
    const littleEndian = (bytes: Uint8Array) =>
      BigInt(`0x${toHex(Uint8Array.from(bytes).reverse())}`);
    const a = littleEndian(clamped);
    const publicKey = publicKeyFromPrivateKey(seed);
    const orderTwo = ed.Point.fromBytes(hex(`ec${'ff'.repeat(30)}7f`));
    expect(orderTwo.isSmallOrder()).toBe(true);
    const r = littleEndian(Uint8Array.from(randomBytes(32))) % L;
    const R = ed.Point.BASE.multiply(r).add(orderTwo).toBytes();
    const data = new TextEncoder().encode('statement');
    const k =
      littleEndian(createHash('sha512').update(R).update(publicKey).update(data).digest()) % L;
    const S = (r + k * a) % L;
    const signature = Uint8Array.from([...R, ...hex(S.toString(16).padStart(64, '0')).reverse()]);
    const nodeKey = createPublicKey(encodePublicKeyPem(publicKey));
    expect(nodeVerify(null, data, nodeKey, signature)).toBe(false);
    expect(ed.verify(signature, data, publicKey, { zip215: false })).toBe(true);
    expect(verifyBytes(signature, data, publicKey)).toBe(true);
  });

  it('returns false, not an exception, for a signature or key of the wrong size', () => {
    expect(verifyBytes(new Uint8Array(63), message, publicKey)).toBe(false);
    expect(verifyBytes(hex(vector.signature), message, new Uint8Array(33))).toBe(false);
  });

  it('agrees with node:crypto on signatures made by either', () => {
    const { privateKey, publicKey: ours } = generateKeyPair();
    const data = new TextEncoder().encode('statement');
    const nodePrivate = createPrivateKey(encodePrivateKeyPem(privateKey));
    const nodePublic = createPublicKey(encodePublicKeyPem(ours));
    expect(nodeVerify(null, data, nodePublic, signBytes(data, privateKey))).toBe(true);
    expect(verifyBytes(nodeSign(null, data, nodePrivate), data, ours)).toBe(true);
  });

  it('signs and derives public keys byte for byte as noble, which verifies (OpenSSL signs)', () => {
    for (let run = 0; run < 16; run++) {
      const { privateKey, publicKey } = generateKeyPair();
      const data = new TextEncoder().encode(`statement ${run}`);
      expect(toHex(publicKey)).toBe(toHex(ed.getPublicKey(privateKey)));
      expect(toHex(signBytes(data, privateKey))).toBe(toHex(ed.sign(data, privateKey)));
    }
  });
});
