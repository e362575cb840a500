import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodePrivateKeyPem,
  decodePublicKeyBase64,
  decodePublicKeyPem,
  encodePrivateKeyPem,
  encodePublicKeyBase64,
  encodePublicKeyPem,
  generateKeyPair,
  KeyFormatError,
  keyFingerprint,
  privateKeyFromPkcs8Der,
  privateKeyToPkcs8Der,
  publicKeyFromPrivateKey,
  publicKeyFromSpkiDer,
  publicKeyToSpkiDer,
} from '../src/index.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// RFC 8032 §7.1 TEST 1.
const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

// RFC 8410 §10.3 (private key) and §10.1 (its public key), https://www.rfc-editor.org/rfc/rfc8410
const RFC8410_PRIVATE_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
-----END PRIVATE KEY-----
`;
const RFC8410_PUBLIC_PEM = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=
-----END PUBLIC KEY-----
`;

describe('DER', () => {
  it('PKCS#8 is the RFC 8410 prefix followed by the seed', () => {
    expect(toHex(privateKeyToPkcs8Der(hex(SEED)))).toBe(`302e020100300506032b657004220420${SEED}`);
    expect(toHex(privateKeyFromPkcs8Der(hex(`302e020100300506032b657004220420${SEED}`)))).toBe(
      SEED,
    );
  });

  it('SPKI is the RFC 8410 prefix followed by the key', () => {
    expect(toHex(publicKeyToSpkiDer(hex(PUBLIC)))).toBe(`302a300506032b6570032100${PUBLIC}`);
    expect(toHex(publicKeyFromSpkiDer(hex(`302a300506032b6570032100${PUBLIC}`)))).toBe(PUBLIC);
  });

  it('refuses DER of the wrong length or algorithm', () => {
    expect(() => privateKeyFromPkcs8Der(hex(`302e020100300506032b657004220420${SEED}00`))).toThrow(
      /expected the 48-byte RFC 8410 form, got 49 bytes/,
    );
    expect(() => publicKeyFromSpkiDer(hex(`302a300506032b6570032100${PUBLIC.slice(2)}`))).toThrow(
      KeyFormatError,
    );
    // Same shape, X25519's OID (1.3.101.110).
    expect(() => publicKeyFromSpkiDer(hex(`302a300506032b656e032100${PUBLIC}`))).toThrow(
      /this is a X25519 key/,
    );
  });

  it('refuses a public key that is not a usable curve point', () => {
    const identity = `01${'00'.repeat(31)}`;
    expect(() => publicKeyFromSpkiDer(hex(`302a300506032b6570032100${identity}`))).toThrow(
      /small-order point/,
    );
    // y = p (2^255 - 19) is a non-canonical encoding of y = 0.
    const nonCanonical = `ed${'ff'.repeat(30)}7f`;
    expect(() => publicKeyFromSpkiDer(hex(`302a300506032b6570032100${nonCanonical}`))).toThrow(
      /not a valid curve point/,
    );
  });
});

describe('PEM', () => {
  it('reads the RFC 8410 examples, and the private one yields the public one', () => {
    const privateKey = decodePrivateKeyPem(RFC8410_PRIVATE_PEM);
    expect(toHex(publicKeyFromPrivateKey(privateKey))).toBe(
      toHex(decodePublicKeyPem(RFC8410_PUBLIC_PEM)),
    );
    expect(encodePrivateKeyPem(privateKey)).toBe(RFC8410_PRIVATE_PEM);
    expect(encodePublicKeyPem(decodePublicKeyPem(RFC8410_PUBLIC_PEM))).toBe(RFC8410_PUBLIC_PEM);
  });

  it('writes PEM that node:crypto loads as the same Ed25519 key', () => {
    const { privateKey, publicKey } = generateKeyPair();
    const nodePrivate = createPrivateKey(encodePrivateKeyPem(privateKey));
    const nodePublic = createPublicKey(encodePublicKeyPem(publicKey));
    expect(nodePrivate.asymmetricKeyType).toBe('ed25519');
    const raw = (key: ReturnType<typeof createPublicKey>) =>
      Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url');
    expect(raw(createPublicKey(nodePrivate))).toEqual(Buffer.from(publicKey));
    expect(raw(nodePublic)).toEqual(Buffer.from(publicKey));
  });

  it('reads PEM that node:crypto writes', () => {
    const pair = generateKeyPairSync('ed25519', {
      privateKeyEncoding: { format: 'pem', type: 'pkcs8' },
      publicKeyEncoding: { format: 'pem', type: 'spki' },
    });
    const privateKey = decodePrivateKeyPem(pair.privateKey);
    expect(toHex(publicKeyFromPrivateKey(privateKey))).toBe(
      toHex(decodePublicKeyPem(pair.publicKey)),
    );
  });

  it('accepts CRLF line ends and surrounding blank lines', () => {
    const crlf = `\r\n${RFC8410_PUBLIC_PEM.replaceAll('\n', '\r\n')}\r\n`;
    expect(decodePublicKeyPem(crlf)).toEqual(decodePublicKeyPem(RFC8410_PUBLIC_PEM));
  });

  it.each([
    ['an RSA key', () => rsaPem(), /this is a RSA key/],
    ['an EC key', () => ecPem(), /this is a EC key/],
    ['an X25519 key', () => x25519Pem(), /this is a X25519 key/],
    ['an encrypted key', () => encryptedPem(), /encrypted private keys are not supported/],
    [
      'a public key',
      () => RFC8410_PUBLIC_PEM,
      /Expected a "PRIVATE KEY" PEM block but found "PUBLIC KEY"/,
    ],
    [
      'an OpenSSH key',
      () => '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
      /found "OPENSSH PRIVATE KEY"/,
    ],
    ['two keys in one file', () => RFC8410_PRIVATE_PEM + RFC8410_PRIVATE_PEM, /expected a single/],
    [
      'mismatched armour',
      () => RFC8410_PRIVATE_PEM.replace('END PRIVATE', 'END PUBLIC'),
      /is closed by/,
    ],
    ['broken base64', () => RFC8410_PRIVATE_PEM.replace('MC4C', 'MC4'), /Malformed base64/],
    ['not PEM at all', () => 'hello', /Not a PEM file/],
  ])('the private key reader refuses %s with a clear error', (_, pem, message) => {
    expect(() => decodePrivateKeyPem(pem())).toThrow(KeyFormatError);
    expect(() => decodePrivateKeyPem(pem())).toThrow(message);
  });

  it('the public key reader refuses a private key and a key of another algorithm', () => {
    expect(() => decodePublicKeyPem(RFC8410_PRIVATE_PEM)).toThrow(/found "PRIVATE KEY"/);
    const rsaPublic = createPublicKey(rsaPem()).export({ format: 'pem', type: 'spki' }).toString();
    expect(() => decodePublicKeyPem(rsaPublic)).toThrow(/this is a RSA key/);
  });
});

describe('the wire form of a public key (base64 DER SPKI)', () => {
  it('round-trips and matches node:crypto’s SPKI DER', () => {
    const { publicKey } = generateKeyPair();
    const wire = encodePublicKeyBase64(publicKey);
    const nodeDer = createPublicKey(encodePublicKeyPem(publicKey)).export({
      format: 'der',
      type: 'spki',
    });
    expect(wire).toBe(nodeDer.toString('base64'));
    expect(decodePublicKeyBase64(wire)).toEqual(publicKey);
  });

  it('refuses every spelling but the canonical one', () => {
    const wire = encodePublicKeyBase64(hex(PUBLIC));
    expect(wire.endsWith('=')).toBe(true);
    for (const variant of [
      wire.slice(0, -1),
      ` ${wire}`,
      `${wire.slice(0, 20)}\n${wire.slice(20)}`,
      wire.replaceAll('+', '-').replaceAll('/', '_'),
      // The last character before the padding carries 2 unused bits; set one of them.
      `${wire.slice(0, -2)}${String.fromCharCode(wire.charCodeAt(wire.length - 2) + 1)}=`,
    ]) {
      expect(() => decodePublicKeyBase64(variant)).toThrow(KeyFormatError);
    }
  });
});

describe('keyFingerprint', () => {
  it('is SHA256: + unpadded base64 of sha256(DER SPKI), as computed by node:crypto', () => {
    const { publicKey } = generateKeyPair();
    const der = createPublicKey(encodePublicKeyPem(publicKey)).export({
      format: 'der',
      type: 'spki',
    });
    const expected = `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
    expect(keyFingerprint(publicKey)).toBe(expected);
    expect(keyFingerprint(publicKey)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('is fixed for the RFC 8032 TEST 1 key', () => {
    expect(keyFingerprint(hex(PUBLIC))).toBe('SHA256:BuP9j9opu2CrWVV95h7bCuzbIxE0vjDnW0Vfjht5L6k');
  });
});

function rsaPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 1024 })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

function ecPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

function x25519Pem(): string {
  return generateKeyPairSync('x25519')
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

function encryptedPem(): string {
  return generateKeyPairSync('ed25519')
    .privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' })
    .toString();
}
