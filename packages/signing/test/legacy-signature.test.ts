import { execFileSync } from 'node:child_process';
import {
  constants,
  createHash,
  generateKeyPairSync,
  type KeyObject,
  sign as nodeSign,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeRsaPublicKey,
  decodeSigningPublicKeyBase64,
  encodePublicKeyBase64,
  generateKeyPair,
  KeyFormatError,
  LEGACY_SIGNATURE_BINDS,
  type LosslessJsonObject,
  legacyManifestBytes,
  parseJsonLossless,
  pythonJsonDumps,
  type VerificationFailureReason,
  verifyLegacyManifestSignature,
} from '../src/index.js';

const VECTORS = join(import.meta.dirname, 'vectors', 'sdk-2.0.13');
const CAPTURED = ['publish-request-dev-org.json', 'publish-request-staging.json'].map((file) =>
  readFileSync(join(VECTORS, file), 'utf8'),
);
const DEV_BODY = CAPTURED[0] as string;

/** What Python's json.dumps gave for the captured manifest, signature fields stripped. */
const CAPTURED_SIGNED_TEXT =
  '{"author":{"email":"developer@your-org.test","name":"Interop Tester"},"computeType":"fargate",' +
  '"description":"Interop test module","execution":{"defaultMode":"interactive",' +
  '"entrypoint":"backend.main:InteropModule","supports":["interactive"]},' +
  '"inputs":{"properties":{},"type":"object"},"name":"sdk-interop","outputs":{"type":"object"},' +
  '"permissions":{"database":["read"],"network":[],"storage":false},' +
  '"pricing":{"tiers":[{"amountAct":0.25,"model":"usage-based","tier":"developer"}]},' +
  '"resources":{"memory":512,"timeout":60},"schemaVersion":"1.0","type":"no-ui","version":"1.0.0"}';

const CAPTURED_FINGERPRINT = 'SHA256:PaEzoooHhoTAOPMOAFZKbqaPaFx0O0YPMSU/pB4/1v0';

function manifestOf(bodyText: string): LosslessJsonObject {
  const body = parseJsonLossless(bodyText) as { manifest: LosslessJsonObject };
  return body.manifest;
}

function reasonOf(manifest: LosslessJsonObject): VerificationFailureReason | 'valid' {
  const result = verifyLegacyManifestSignature(manifest);
  return result.valid ? 'valid' : result.reason;
}

/** Signs a manifest as the SDK does, with a key of ours (salt of maximal length by default). */
function sdkSigned(
  manifestText: string,
  key: { privateKey: KeyObject; publicKey: KeyObject },
  saltLength: number = constants.RSA_PSS_SALTLEN_MAX_SIGN,
): LosslessJsonObject {
  const manifest = parseJsonLossless(manifestText) as LosslessJsonObject;
  const signature = nodeSign('sha256', legacyManifestBytes(manifest), {
    key: key.privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength,
  });
  const spki = key.publicKey.export({ format: 'der', type: 'spki' });
  return {
    ...manifest,
    signature: signature.toString('base64'),
    publicKey: spki.toString('base64'),
    keyFingerprint: createHash('sha256').update(spki).digest('base64'),
    signatureAlgorithm: 'RSA-PSS',
    hashAlgorithm: 'SHA-256',
  };
}

let rsa3072: { privateKey: KeyObject; publicKey: KeyObject };
let workDir: string;

beforeAll(async () => {
  rsa3072 = generateKeyPairSync('rsa', { modulusLength: 3072 });
  workDir = await mkdtemp(join(tmpdir(), 'hla-compass-legacy-'));
});

afterAll(() => rm(workDir, { recursive: true, force: true }));

describe('the captured SDK 2.0.13 publish bodies', () => {
  it.each(CAPTURED.map((text, i) => [i, text] as const))('body %i verifies', (_, text) => {
    const result = verifyLegacyManifestSignature(manifestOf(text));
    expect(result).toEqual({
      valid: true,
      keyFingerprint: CAPTURED_FINGERPRINT,
      publicKey: expect.any(Uint8Array),
      binds: ['manifest'],
    });
    expect(LEGACY_SIGNATURE_BINDS).toEqual(['manifest']);
  });

  it('signs the bytes Python json.dumps wrote for the manifest without its signature fields', () => {
    const bytes = legacyManifestBytes(manifestOf(DEV_BODY));
    expect(Buffer.from(bytes).toString('ascii')).toBe(CAPTURED_SIGNED_TEXT);
  });

  it('verifies with OpenSSL too (rsa_pss_saltlen:max), over the same bytes', async () => {
    const manifest = manifestOf(DEV_BODY);
    const spki = Buffer.from(manifest.publicKey as string, 'base64');
    const pem = decodeRsaPublicKey(spki).key.export({ format: 'pem', type: 'spki' });
    await writeFile(join(workDir, 'pub.pem'), pem);
    await writeFile(join(workDir, 'sig.bin'), Buffer.from(manifest.signature as string, 'base64'));
    await writeFile(join(workDir, 'bytes.bin'), legacyManifestBytes(manifest));
    const output = execFileSync(
      'openssl',
      [
        'dgst',
        '-sha256',
        '-sigopt',
        'rsa_padding_mode:pss',
        '-sigopt',
        'rsa_pss_saltlen:max',
        '-verify',
        join(workDir, 'pub.pem'),
        '-signature',
        join(workDir, 'sig.bin'),
        join(workDir, 'bytes.bin'),
      ],
      { encoding: 'utf8' },
    );
    expect(output.trim()).toBe('Verified OK');
  });

  it('does not cover imageRef or scope: only the manifest is signed', () => {
    const moved = DEV_BODY.replace('127.0.0.1:46517/your-org', 'evil.example/x').replace(
      '"scope": "org"',
      '"scope": "public"',
    );
    expect(moved).not.toBe(DEV_BODY);
    expect(reasonOf(manifestOf(moved))).toBe('valid');
  });

  it('covers the values, not the text: key order and whitespace do not matter, int vs float does', () => {
    const manifest = manifestOf(DEV_BODY);
    const reordered = Object.fromEntries(Object.entries(manifest).reverse());
    expect(reasonOf(reordered)).toBe('valid');
    expect(reasonOf(manifestOf(DEV_BODY.replace('"amountAct": 0.25', '"amountAct": 2.5e-1')))).toBe(
      'valid',
    );
    expect(reasonOf(manifestOf(DEV_BODY.replace('"memory": 512', '"memory": 512.0')))).toBe(
      'bad_signature',
    );
    expect(reasonOf(manifestOf(DEV_BODY.replace('"amountAct": 0.25', '"amountAct": 0.26')))).toBe(
      'bad_signature',
    );
  });

  it('is refused after any one byte of the manifest changes: a value, a key, the signature, the public key', () => {
    const start = DEV_BODY.indexOf('"manifest"');
    const end = DEV_BODY.lastIndexOf('"scope"');
    let tried = 0;
    let verified = 0;
    for (const position of tokenBytes(DEV_BODY, start, end)) {
      const mutated = `${DEV_BODY.slice(0, position)}${changed(DEV_BODY.charAt(position))}${DEV_BODY.slice(position + 1)}`;
      tried++;
      let manifest: LosslessJsonObject;
      try {
        manifest = manifestOf(mutated);
      } catch {
        continue; // no longer strict JSON: refused before any signature is looked at
      }
      if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) continue;
      verified++;
      const result = verifyLegacyManifestSignature(manifest);
      expect(result.valid, `byte ${position} ${JSON.stringify(DEV_BODY.charAt(position))}`).toBe(
        false,
      );
    }
    // Most changes still parse, so the verifier itself is what refuses them.
    expect(tried).toBeGreaterThan(2000);
    expect(verified).toBeGreaterThan(1800);
  });
});

// Every byte of [start, end) that is part of a token (inside a string, or a number, literal or
// punctuation), leaving out the whitespace between tokens, whose change would change nothing.
function* tokenBytes(text: string, start: number, end: number): Generator<number> {
  let inString = false;
  for (let i = start; i < end; i++) {
    const c = text.charAt(i);
    if (inString) {
      yield i;
      if (c === '\\') {
        yield ++i;
      } else if (c === '"') inString = false;
    } else if (!/\s/.test(c)) {
      yield i;
      if (c === '"') inString = true;
    }
  }
}

// Another character of the same kind where there is one (so a digit stays a digit and base64
// stays base64), else one that cannot mean the same.
function changed(c: string): string {
  if (/[0-8a-yA-Y]/.test(c)) return String.fromCharCode(c.charCodeAt(0) + 1);
  if (c === '9') return '0';
  if (c === 'z') return 'a';
  if (c === 'Z') return 'A';
  return c === 'x' ? 'y' : 'x';
}

describe('signatures of our own, as the SDK makes them', () => {
  const MANIFEST = '{"name":"m","version":"1.0.0","n":[1,1.0,1e-05,12345678901234567890],"é":"😂"}';

  it('verifies an SDK-style signature with the maximal salt, from node:crypto', () => {
    expect(reasonOf(sdkSigned(MANIFEST, rsa3072))).toBe('valid');
  });

  it('verifies a signature OpenSSL made with rsa_pss_saltlen:max', async () => {
    const manifest = parseJsonLossless(MANIFEST) as LosslessJsonObject;
    await writeFile(join(workDir, 'own.bin'), legacyManifestBytes(manifest));
    await writeFile(
      join(workDir, 'own-key.pem'),
      rsa3072.privateKey.export({ format: 'pem', type: 'pkcs8' }),
    );
    execFileSync('openssl', [
      'dgst',
      '-sha256',
      '-sigopt',
      'rsa_padding_mode:pss',
      '-sigopt',
      'rsa_pss_saltlen:max',
      '-sign',
      join(workDir, 'own-key.pem'),
      '-out',
      join(workDir, 'own.sig'),
      join(workDir, 'own.bin'),
    ]);
    const signed = sdkSigned(MANIFEST, rsa3072);
    signed.signature = readFileSync(join(workDir, 'own.sig')).toString('base64');
    expect(reasonOf(signed)).toBe('valid');
  });

  it('checks the salt length exactly: a 32-byte salt (Web Crypto’s usual choice) is refused', () => {
    expect(reasonOf(sdkSigned(MANIFEST, rsa3072, 32))).toBe('bad_signature');
    expect(reasonOf(sdkSigned(MANIFEST, rsa3072, 349))).toBe('bad_signature');
  });

  it('computes the maximal salt from the modulus, also when its size is not a multiple of 8', () => {
    const odd = generateKeyPairSync('rsa', { modulusLength: 2049 });
    expect(reasonOf(sdkSigned(MANIFEST, odd))).toBe('valid');
    // emLen = ⌈2048/8⌉ = 256, so the maximal salt is 222 bytes, and exactly that is accepted.
    expect(reasonOf(sdkSigned(MANIFEST, odd, 222))).toBe('valid');
    expect(reasonOf(sdkSigned(MANIFEST, odd, 221))).toBe('bad_signature');
  });

  it('covers nested members of the manifest but not the reserved names at any depth', () => {
    const signed = sdkSigned(
      '{"name":"m","inputs":{"signature":{"type":"string"},"x":1}}',
      rsa3072,
    );
    const inputs = signed.inputs as LosslessJsonObject;
    expect(reasonOf({ ...signed, inputs: { ...inputs, signature: 'anything' } })).toBe('valid');
    expect(reasonOf({ ...signed, inputs: { ...inputs, y: 'added' } })).toBe('bad_signature');
    expect(pythonJsonDumps(signed.inputs as LosslessJsonObject)).toContain('signature');
  });
});

describe('verifyLegacyManifestSignature refuses, with a reason', () => {
  const signed = () => manifestOf(DEV_BODY);
  const without = (manifest: LosslessJsonObject, ...names: string[]) =>
    Object.fromEntries(Object.entries(manifest).filter(([name]) => !names.includes(name)));

  it.each<
    [string, (manifest: LosslessJsonObject) => LosslessJsonObject, VerificationFailureReason]
  >([
    [
      'no signature fields',
      (m) =>
        without(
          m,
          'signature',
          'publicKey',
          'keyFingerprint',
          'signatureAlgorithm',
          'hashAlgorithm',
        ),
      'unsigned',
    ],
    ['no hashAlgorithm', (m) => without(m, 'hashAlgorithm'), 'missing_fields'],
    ['no keyFingerprint', (m) => without(m, 'keyFingerprint'), 'missing_fields'],
    [
      'another signature algorithm',
      (m) => ({ ...m, signatureAlgorithm: 'RSASSA-PKCS1-v1_5' }),
      'unsupported_algorithm',
    ],
    ['another hash', (m) => ({ ...m, hashAlgorithm: 'SHA-1' }), 'unsupported_algorithm'],
    [
      'a public key that is not base64',
      (m) => ({ ...m, publicKey: 'not base64!' }),
      'malformed_public_key',
    ],
    [
      'unpadded base64 of the public key',
      (m) => ({ ...m, publicKey: (m.publicKey as string).replace(/=+$/, '') }),
      'malformed_public_key',
    ],
    [
      'an Ed25519 public key',
      (m) => ({ ...m, publicKey: encodePublicKeyBase64(generateKeyPair().publicKey) }),
      'malformed_public_key',
    ],
    [
      'a 1024-bit RSA key',
      (m) => ({
        ...m,
        publicKey: generateKeyPairSync('rsa', { modulusLength: 1024 })
          .publicKey.export({ format: 'der', type: 'spki' })
          .toString('base64'),
      }),
      'malformed_public_key',
    ],
    [
      'a signature of the wrong length',
      (m) => ({ ...m, signature: Buffer.alloc(256, 1).toString('base64') }),
      'malformed_signature',
    ],
    ['a signature that is not a string', (m) => ({ ...m, signature: null }), 'malformed_signature'],
    [
      'the fingerprint in our notation instead of the SDK’s',
      (m) => ({ ...m, keyFingerprint: CAPTURED_FINGERPRINT }),
      'fingerprint_mismatch',
    ],
    ['a manifest changed after signing', (m) => ({ ...m, version: '1.0.1' }), 'bad_signature'],
  ])('%s', (_, change, reason) => {
    const result = verifyLegacyManifestSignature(change(signed()));
    expect(result.valid).toBe(false);
    if (!result.valid) {
      expect(result.reason).toBe(reason);
      expect(result.message).not.toBe('');
    }
  });

  it('names what is wrong with the key', () => {
    const result = verifyLegacyManifestSignature({
      ...signed(),
      publicKey: generateKeyPairSync('rsa', { modulusLength: 1024 })
        .publicKey.export({ format: 'der', type: 'spki' })
        .toString('base64'),
    });
    expect(result).toMatchObject({
      valid: false,
      message: 'publicKey: The RSA key has 1024 bits: 2048 to 16384 are accepted',
    });
  });
});

describe('decodeRsaPublicKey', () => {
  it('refuses keys restricted to RSASSA-PSS, EC keys, and another DER spelling of a key', () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey;
    expect(() => decodeRsaPublicKey(pss.export({ format: 'der', type: 'spki' }))).toThrow(
      /Not an RSA \(rsaEncryption\) public key: this is a rsa-pss key/,
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(() => decodeRsaPublicKey(ec.export({ format: 'der', type: 'spki' }))).toThrow(
      KeyFormatError,
    );
    const der = rsa3072.publicKey.export({ format: 'der', type: 'spki' });
    expect(() => decodeRsaPublicKey(Buffer.concat([der, Buffer.from([0])]))).toThrow(
      KeyFormatError,
    );
  });

  it('refuses a public exponent of 1, under which any padded message is its own signature', () => {
    const modulus = rsa3072.publicKey.export({ format: 'jwk' }).n as string;
    const weak = spkiOf(Buffer.from(modulus, 'base64url'), Buffer.from([1]));
    expect(() => decodeRsaPublicKey(weak)).toThrow(/public exponent 1 is not odd and ≥ 3/);
  });
});

describe('decodeSigningPublicKeyBase64', () => {
  it('tells an Ed25519 key from an RSA key and names both by the same fingerprint form', () => {
    const ed = generateKeyPair().publicKey;
    expect(decodeSigningPublicKeyBase64(encodePublicKeyBase64(ed))).toMatchObject({
      algorithm: 'Ed25519',
      fingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/),
    });
    const captured = manifestOf(DEV_BODY).publicKey as string;
    expect(decodeSigningPublicKeyBase64(captured)).toMatchObject({
      algorithm: 'RSA-PSS',
      fingerprint: CAPTURED_FINGERPRINT,
    });
  });

  it('refuses small RSA keys, other algorithms and loose base64', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    expect(() => decodeSigningPublicKeyBase64(small)).toThrow(
      /Neither an Ed25519 nor an accepted RSA key: The RSA key has 1024 bits/,
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    expect(() => decodeSigningPublicKeyBase64(ec)).toThrow(/this is a ec key/);
    expect(() => decodeSigningPublicKeyBase64('AAAA AAAA')).toThrow(/Not base64/);
  });
});

// DER SubjectPublicKeyInfo { rsaEncryption, RSAPublicKey { n, e } }, for keys node will not make.
function spkiOf(modulus: Buffer, exponent: Buffer): Buffer {
  const integer = (bytes: Buffer) =>
    der(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
  const rsaPublicKey = der(0x30, Buffer.concat([integer(modulus), integer(exponent)]));
  const algorithm = Buffer.from('300d06092a864886f70d0101010500', 'hex');
  return der(
    0x30,
    Buffer.concat([algorithm, der(0x03, Buffer.concat([Buffer.from([0]), rsaPublicKey]))]),
  );
}

function der(tag: number, content: Buffer): Buffer {
  const length =
    content.length < 0x80
      ? Buffer.from([content.length])
      : content.length < 0x100
        ? Buffer.from([0x81, content.length])
        : Buffer.from([0x82, content.length >> 8, content.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
