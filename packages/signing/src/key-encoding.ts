// Ed25519 keys as DER and PEM (RFC 8410): PKCS#8 for the private seed, SubjectPublicKeyInfo for
// the public key, so OpenSSL, node:crypto and ssh-keygen read what this package writes.

import { decodeBase64, encodeBase64 } from './base64.js';
import { assertPrivateKey, assertPublicKey, ED25519_KEY_LENGTH } from './ed25519.js';
import { KeyFormatError } from './errors.js';

// Both structures have a fixed size for Ed25519, so a fixed prefix is the whole ASN.1 story:
// SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING seed } }
const PKCS8_PREFIX = Uint8Array.from(Buffer.from('302e020100300506032b657004220420', 'hex'));
// SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (0 unused bits) key }
const SPKI_PREFIX = Uint8Array.from(Buffer.from('302a300506032b6570032100', 'hex'));
// The AlgorithmIdentifier SEQUENCE { OID 1.3.101.112 } (id-Ed25519), without parameters.
const ED25519_ALGORITHM = '300506032b6570';

const PRIVATE_KEY_LABEL = 'PRIVATE KEY';
const PUBLIC_KEY_LABEL = 'PUBLIC KEY';

export function privateKeyToPkcs8Der(privateKey: Uint8Array): Uint8Array {
  assertPrivateKey(privateKey);
  return concat(PKCS8_PREFIX, privateKey);
}

export function privateKeyFromPkcs8Der(der: Uint8Array): Uint8Array {
  if (!hasPrefix(der, PKCS8_PREFIX) || der.length !== PKCS8_PREFIX.length + ED25519_KEY_LENGTH) {
    throw new KeyFormatError(
      `Not an unencrypted Ed25519 PKCS#8 private key${describeAlgorithm(der)}: expected the ` +
        `${PKCS8_PREFIX.length + ED25519_KEY_LENGTH}-byte RFC 8410 form, got ${der.length} bytes`,
    );
  }
  return new Uint8Array(der.subarray(PKCS8_PREFIX.length));
}

export function publicKeyToSpkiDer(publicKey: Uint8Array): Uint8Array {
  assertPublicKey(publicKey);
  return concat(SPKI_PREFIX, publicKey);
}

export function publicKeyFromSpkiDer(der: Uint8Array): Uint8Array {
  if (!hasPrefix(der, SPKI_PREFIX) || der.length !== SPKI_PREFIX.length + ED25519_KEY_LENGTH) {
    throw new KeyFormatError(
      `Not an Ed25519 SubjectPublicKeyInfo${describeAlgorithm(der)}: expected the ` +
        `${SPKI_PREFIX.length + ED25519_KEY_LENGTH}-byte RFC 8410 form, got ${der.length} bytes`,
    );
  }
  const publicKey = new Uint8Array(der.subarray(SPKI_PREFIX.length));
  assertPublicKey(publicKey);
  return publicKey;
}

/** The wire form of a public key (SPEC §6 `publicKey`): base64 of the DER SubjectPublicKeyInfo. */
export function encodePublicKeyBase64(publicKey: Uint8Array): string {
  return encodeBase64(publicKeyToSpkiDer(publicKey));
}

export function decodePublicKeyBase64(text: string): Uint8Array {
  const der = typeof text === 'string' ? decodeBase64(text) : undefined;
  if (der === undefined) {
    throw new KeyFormatError(
      'Not base64 of a DER SubjectPublicKeyInfo (standard alphabet, padded)',
    );
  }
  return publicKeyFromSpkiDer(der);
}

export function encodePrivateKeyPem(privateKey: Uint8Array): string {
  return encodePem(PRIVATE_KEY_LABEL, privateKeyToPkcs8Der(privateKey));
}

export function decodePrivateKeyPem(pem: string): Uint8Array {
  return privateKeyFromPkcs8Der(decodePem(pem, PRIVATE_KEY_LABEL));
}

export function encodePublicKeyPem(publicKey: Uint8Array): string {
  return encodePem(PUBLIC_KEY_LABEL, publicKeyToSpkiDer(publicKey));
}

export function decodePublicKeyPem(pem: string): Uint8Array {
  return publicKeyFromSpkiDer(decodePem(pem, PUBLIC_KEY_LABEL));
}

function encodePem(label: string, der: Uint8Array): string {
  const lines = encodeBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

const PEM_BLOCK =
  /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n-----END ([A-Z0-9 ]+)-----$/;

// One block and nothing else (surrounding whitespace aside): a file with two keys, or text that
// OpenSSL would skip, is more likely a mistake than something to guess about.
function decodePem(pem: string, label: string): Uint8Array {
  const match = PEM_BLOCK.exec(pem.trim());
  if (match === null) {
    throw new KeyFormatError(`Not a PEM file: expected a single "-----BEGIN ${label}-----" block`);
  }
  const [, begin, body = '', end] = match;
  if (begin !== end) {
    throw new KeyFormatError(`Malformed PEM: "BEGIN ${begin}" is closed by "END ${end}"`);
  }
  if (begin !== label) {
    const hint =
      begin === 'ENCRYPTED PRIVATE KEY' ? ' (encrypted private keys are not supported)' : '';
    throw new KeyFormatError(`Expected a "${label}" PEM block but found "${begin}"${hint}`);
  }
  const der = decodeBase64(body.replace(/\r?\n/g, ''));
  if (der === undefined) throw new KeyFormatError(`Malformed base64 in the ${label} PEM block`);
  return der;
}

// Names the algorithm when the DER is a well-formed key of another kind (RSA, EC, X25519…),
// which is the likely mistake; the OID is located, not parsed, which is enough for a message.
function describeAlgorithm(der: Uint8Array): string {
  const hex = Buffer.from(der).toString('hex');
  if (hex.includes(ED25519_ALGORITHM)) return '';
  for (const [oid, name] of KNOWN_ALGORITHMS) {
    if (hex.includes(oid)) return ` (this is a ${name} key)`;
  }
  return '';
}

const KNOWN_ALGORITHMS: ReadonlyArray<readonly [string, string]> = [
  ['06092a864886f70d010101', 'RSA'],
  ['06072a8648ce3d0201', 'EC'],
  ['06032b656e', 'X25519'],
  ['06032b6571', 'Ed448'],
];

function hasPrefix(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (!(bytes instanceof Uint8Array) || bytes.length < prefix.length) return false;
  return prefix.every((byte, i) => bytes[i] === byte);
}

function concat(prefix: Uint8Array, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + rest.length);
  out.set(prefix);
  out.set(rest, prefix.length);
  return out;
}
