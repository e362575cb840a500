import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalize,
  encodePrivateKeyPem,
  encodePublicKeyBase64,
  encodePublicKeyPem,
  generateKeyPair,
  InvalidStatementError,
  type JsonObject,
  type JsonValue,
  keyFingerprint,
  type PublishStatementInput,
  parseJson,
  publishStatement,
  publishStatementBytes,
  SIGNATURE_FIELDS,
  type SignatureFields,
  signPublishStatement,
  unsignedManifest,
  type VerificationFailureReason,
  verifyPublishStatement,
} from '../src/index.js';

const SEED = Uint8Array.from(
  Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'),
);
const DIGEST = `sha256:${'ab'.repeat(32)}`;

const MANIFEST_TEXT = `{
  "name": "my-module",
  "version": "1.0.0",
  "type": "no-ui",
  "description": "Peptide binding prediction",
  "tags": ["hla", "mhc"],
  "execution": { "entrypoint": "backend.main:run", "supports": ["interactive", "async"] },
  "resources": { "memory": 512, "vcpus": 1, "gpu": 0, "timeout": 300, "environment": {} },
  "inputs": { "type": "object", "properties": { "signature": { "type": "string" } } },
  "pricing": { "tiers": [{ "tier": "basic", "amountAct": 0.5 }] },
  "experimental": true
}`;

function baseInput(
  manifest: JsonObject = parseJson(MANIFEST_TEXT) as JsonObject,
): PublishStatementInput {
  return {
    environment: 'staging',
    repository: '127.0.0.1:5000/your-org/my-module',
    digest: DIGEST,
    manifest,
    scope: 'org',
  };
}

function signed(
  input: PublishStatementInput,
  privateKey: Uint8Array = SEED,
): PublishStatementInput {
  return { ...input, manifest: { ...input.manifest, ...signPublishStatement(input, privateKey) } };
}

function failureReason(input: PublishStatementInput): VerificationFailureReason | 'valid' {
  const result = verifyPublishStatement(input);
  return result.valid ? 'valid' : result.reason;
}

describe('the statement', () => {
  it('has the SPEC §6 shape and canonical bytes', () => {
    const input = baseInput({ name: 'm', version: '1.0.0' });
    expect(publishStatement(input)).toEqual({
      _type: 'hla-compass/publish-statement/v1',
      environment: 'staging',
      image: { repository: '127.0.0.1:5000/your-org/my-module', digest: DIGEST },
      manifest: { name: 'm', version: '1.0.0' },
      scope: 'org',
    });
    expect(Buffer.from(publishStatementBytes(input)).toString('utf8')).toBe(
      '{"_type":"hla-compass/publish-statement/v1","environment":"staging",' +
        `"image":{"digest":"${DIGEST}","repository":"127.0.0.1:5000/your-org/my-module"},` +
        '"manifest":{"name":"m","version":"1.0.0"},"scope":"org"}',
    );
  });

  it('lists the four signature fields', () => {
    expect(SIGNATURE_FIELDS).toEqual([
      'signature',
      'publicKey',
      'keyFingerprint',
      'signatureAlgorithm',
    ]);
  });

  it('leaves out all nine reserved signature names (ours and the SDK’s), at the top level only', () => {
    const manifest: JsonObject = {
      name: 'm',
      signature: 'x',
      publicKey: 'y',
      keyFingerprint: 'z',
      signatureAlgorithm: 'Ed25519',
      hashAlgorithm: 'SHA-256',
      public_key: 'y',
      signature_algorithm: 'RSA-PSS',
      hash_algorithm: 'SHA-256',
      key_fingerprint: 'z',
      inputs: { signature: { type: 'string' }, publicKey: 1 },
    };
    expect(unsignedManifest(manifest)).toEqual({
      name: 'm',
      inputs: { signature: { type: 'string' }, publicKey: 1 },
    });
    expect(publishStatement(baseInput(manifest)).manifest).toEqual(unsignedManifest(manifest));
    expect(manifest.signature).toBe('x');
  });

  it('signs the same bytes whether or not the manifest already carries signature fields', () => {
    const input = baseInput();
    const again = signed(signed(input));
    expect(signPublishStatement(again, SEED)).toEqual(signPublishStatement(input, SEED));
  });
});

describe('signPublishStatement', () => {
  it('gives the four wire fields, with the signature node:crypto computes for the same key', () => {
    const input = baseInput();
    const fields = signPublishStatement(input, SEED);
    const expectedSignature = nodeSign(
      null,
      publishStatementBytes(input),
      createPrivateKey(encodePrivateKeyPem(SEED)),
    );
    const publicKey = createPublicKey(createPrivateKey(encodePrivateKeyPem(SEED)));
    expect(fields).toEqual({
      signature: expectedSignature.toString('base64'),
      publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      keyFingerprint: 'SHA256:BuP9j9opu2CrWVV95h7bCuzbIxE0vjDnW0Vfjht5L6k',
      signatureAlgorithm: 'Ed25519',
    } satisfies SignatureFields);
    expect(Buffer.from(fields.signature, 'base64')).toHaveLength(64);
  });

  it('makes a signature node:crypto verifies over the canonical statement bytes', () => {
    const { privateKey, publicKey } = generateKeyPair();
    const input = baseInput();
    const fields = signPublishStatement(input, privateKey);
    expect(
      nodeVerify(
        null,
        publishStatementBytes(input),
        createPublicKey(encodePublicKeyPem(publicKey)),
        Buffer.from(fields.signature, 'base64'),
      ),
    ).toBe(true);
  });
});

describe('verifyPublishStatement', () => {
  it('accepts a signature made here and returns the key that made it', () => {
    const { privateKey, publicKey } = generateKeyPair();
    const result = verifyPublishStatement(signed(baseInput(), privateKey));
    expect(result).toEqual({
      valid: true,
      keyFingerprint: keyFingerprint(publicKey),
      publicKey,
      statementType: 'hla-compass/publish-statement/v1',
    });
  });

  it('accepts a signature node:crypto made with a key it generated', () => {
    const { privateKey, publicKey } = generateKeyPair();
    const input = baseInput();
    const signature = nodeSign(
      null,
      publishStatementBytes(input),
      createPrivateKey(encodePrivateKeyPem(privateKey)),
    );
    const manifest = {
      ...input.manifest,
      signature: signature.toString('base64'),
      publicKey: encodePublicKeyBase64(publicKey),
      keyFingerprint: keyFingerprint(publicKey),
      signatureAlgorithm: 'Ed25519',
    };
    expect(verifyPublishStatement({ ...input, manifest }).valid).toBe(true);
  });

  it('is indifferent to member order and whitespace in the manifest JSON it received', () => {
    const fields = signPublishStatement(baseInput(), SEED);
    const original = parseJson(MANIFEST_TEXT) as JsonObject;
    const reordered = Object.fromEntries(Object.entries(original).reverse()) as JsonObject;
    const compactReordered = parseJson(JSON.stringify({ ...fields, ...reordered })) as JsonObject;
    const pretty = parseJson(JSON.stringify({ ...original, ...fields }, null, 4)) as JsonObject;
    expect(JSON.stringify(compactReordered)).not.toBe(JSON.stringify(pretty));
    for (const manifest of [compactReordered, pretty]) {
      expect(verifyPublishStatement({ ...baseInput(), manifest }).valid).toBe(true);
    }
  });

  describe('rejects a signature replayed onto anything else', () => {
    const good = signed(baseInput());

    it.each<[string, Partial<PublishStatementInput>]>([
      ['another environment', { environment: 'prod' }],
      ['another repository', { repository: '127.0.0.1:5000/your-org/other-module' }],
      ['another registry', { repository: 'ghcr.io/your-org/my-module' }],
      ['another digest', { digest: `sha256:${'ab'.repeat(31)}ac` }],
      ['another scope', { scope: 'public' }],
      ['another version', { manifest: { ...good.manifest, version: '1.0.1' } }],
      ['another name', { manifest: { ...good.manifest, name: 'my-modulf' } }],
      ['an added member', { manifest: { ...good.manifest, extra: null } }],
    ])('%s', (_, change) => {
      expect(verifyPublishStatement(good).valid).toBe(true);
      expect(failureReason({ ...good, ...change })).toBe('bad_signature');
    });

    it('every member removed', () => {
      for (const key of Object.keys(unsignedManifest(good.manifest))) {
        const manifest = { ...good.manifest };
        delete manifest[key];
        expect(failureReason({ ...good, manifest }), key).toBe('bad_signature');
      }
    });

    it('every value changed, at any depth', () => {
      const leaves = leafPaths(unsignedManifest(good.manifest));
      expect(leaves.length).toBeGreaterThan(15);
      for (const leaf of leaves) {
        const manifest = structuredClone(good.manifest);
        mutateLeaf(manifest, leaf);
        expect(failureReason({ ...good, manifest }), leaf.join('/')).toBe('bad_signature');
      }
    });

    it('one byte changed anywhere in the manifest text', () => {
      const text = canonicalize(unsignedManifest(good.manifest));
      const fields = Object.fromEntries(SIGNATURE_FIELDS.map((f) => [f, good.manifest[f] ?? null]));
      let tried = 0;
      for (let i = 0; i < text.length; i++) {
        const changed = `${text.slice(0, i)}${String.fromCharCode(text.charCodeAt(i) ^ 1)}${text.slice(i + 1)}`;
        let manifest: JsonValue;
        try {
          manifest = parseJson(changed);
        } catch {
          continue; // no longer JSON: the platform rejects it before any signature check
        }
        if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) continue;
        if (canonicalize(manifest) === text) continue; // e.g. whitespace-only: same manifest
        tried++;
        expect(failureReason({ ...good, manifest: { ...manifest, ...fields } }), changed).toBe(
          'bad_signature',
        );
      }
      expect(tried).toBeGreaterThan(text.length / 2);
    });

    it('a changed signature', () => {
      const signature = Buffer.from(good.manifest.signature as string, 'base64');
      for (const index of [0, 17, 31, 32, 50, 63]) {
        const changed = Buffer.from(signature);
        changed[index] = (changed[index] ?? 0) ^ 0x01;
        const manifest = { ...good.manifest, signature: changed.toString('base64') };
        expect(failureReason({ ...good, manifest }), `byte ${index}`).toBe('bad_signature');
      }
    });

    it('another public key, even with its own fingerprint', () => {
      const other = generateKeyPair().publicKey;
      const keyOnly = { ...good.manifest, publicKey: encodePublicKeyBase64(other) };
      expect(failureReason({ ...good, manifest: keyOnly })).toBe('fingerprint_mismatch');
      const keyAndFingerprint = { ...keyOnly, keyFingerprint: keyFingerprint(other) };
      expect(failureReason({ ...good, manifest: keyAndFingerprint })).toBe('bad_signature');
    });
  });

  describe('says why a signature is unusable', () => {
    const good = signed(baseInput());
    const withFields = (fields: Record<string, JsonValue>): PublishStatementInput => ({
      ...good,
      manifest: { ...good.manifest, ...fields },
    });

    it('unsigned: none of the fields', () => {
      const result = verifyPublishStatement(baseInput());
      expect(result).toMatchObject({ valid: false, reason: 'unsigned' });
    });

    it('missing_fields: some of them, naming the missing ones', () => {
      const manifest = { ...good.manifest };
      delete manifest.publicKey;
      delete manifest.keyFingerprint;
      expect(verifyPublishStatement({ ...good, manifest })).toEqual({
        valid: false,
        reason: 'missing_fields',
        message: "The manifest's signature is missing publicKey, keyFingerprint",
      });
    });

    it.each<[string, Record<string, JsonValue>, VerificationFailureReason]>([
      ['RSA-PSS', { signatureAlgorithm: 'RSA-PSS' }, 'unsupported_algorithm'],
      ['a lowercase algorithm name', { signatureAlgorithm: 'ed25519' }, 'unsupported_algorithm'],
      ['a signature that is not base64', { signature: 'not base64!' }, 'malformed_signature'],
      [
        'a 63-byte signature',
        { signature: Buffer.alloc(63).toString('base64') },
        'malformed_signature',
      ],
      ['a signature that is a number', { signature: 42 }, 'malformed_signature'],
      [
        'unpadded base64',
        { signature: (good.manifest.signature as string).replace(/=+$/, '') },
        'malformed_signature',
      ],
      ['a public key that is not base64', { publicKey: '%%%' }, 'malformed_public_key'],
      [
        'a raw 32-byte public key',
        { publicKey: Buffer.alloc(32, 7).toString('base64') },
        'malformed_public_key',
      ],
      [
        'a public key in an array',
        { publicKey: [good.manifest.publicKey ?? null] },
        'malformed_public_key',
      ],
      ['an RSA public key', { publicKey: rsaSpkiBase64() }, 'malformed_public_key'],
      ['a wrong fingerprint', { keyFingerprint: 'SHA256:AAAA' }, 'fingerprint_mismatch'],
      [
        'a fingerprint with padding',
        { keyFingerprint: `${good.manifest.keyFingerprint}=` },
        'fingerprint_mismatch',
      ],
    ])('%s', (_, fields, reason) => {
      const result = verifyPublishStatement(withFields(fields));
      expect(result.valid).toBe(false);
      expect(result.valid ? undefined : result.reason).toBe(reason);
    });
  });
});

describe('statement inputs', () => {
  it.each<[string, Partial<PublishStatementInput>, string]>([
    ['a digest without its algorithm', { digest: 'ab'.repeat(32) }, 'digest'],
    ['an uppercase digest', { digest: `sha256:${'AB'.repeat(32)}` }, 'digest'],
    ['a short digest', { digest: `sha256:${'ab'.repeat(31)}` }, 'digest'],
    ['a sha512 digest', { digest: `sha512:${'ab'.repeat(64)}` }, 'digest'],
    ['a repository with a tag', { repository: 'ghcr.io/your-org/my-module:1.0.0' }, 'repository'],
    ['a repository with a digest', { repository: `ghcr.io/your-org/m@${DIGEST}` }, 'repository'],
    ['a short repository name', { repository: 'my-module' }, 'repository'],
    ['an unnormalized repository', { repository: 'GHCR.io/Your-Org/m' }, 'repository'],
    ['an empty environment', { environment: '' }, 'environment'],
    ['an unknown scope', { scope: 'private' as 'org' }, 'scope'],
    ['a manifest that is an array', { manifest: [] as unknown as JsonObject }, 'manifest'],
  ])('refuses %s when signing and when verifying', (_, change, field) => {
    const input = { ...baseInput(), ...change };
    for (const run of [
      () => signPublishStatement(input, SEED),
      () => verifyPublishStatement(input),
    ]) {
      expect(run).toThrow(InvalidStatementError);
      try {
        run();
      } catch (error) {
        expect((error as InvalidStatementError).field).toBe(field);
      }
    }
  });

  it('accepts a host with a port and a docker.io library repository', () => {
    for (const repository of ['localhost:5000/your-org/m', 'docker.io/library/python']) {
      expect(verifyPublishStatement(signed({ ...baseInput(), repository })).valid).toBe(true);
    }
  });
});

type LeafPath = (string | number)[];

function leafPaths(value: JsonValue, prefix: LeafPath = []): LeafPath[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leafPaths(item, [...prefix, i]));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return [prefix];
    return entries.flatMap(([key, item]) => leafPaths(item, [...prefix, key]));
  }
  return [prefix];
}

// Replaces the value at `leaf` with a different value of the same kind.
function mutateLeaf(root: JsonObject, leaf: LeafPath): void {
  const parentPath = leaf.slice(0, -1);
  const key = leaf[leaf.length - 1];
  let parent: JsonValue = root;
  for (const step of parentPath)
    parent = (parent as Record<string | number, JsonValue>)[step] as JsonValue;
  const container = parent as Record<string | number, JsonValue>;
  if (key === undefined) throw new Error('empty path');
  const current = container[key];
  if (typeof current === 'string') container[key] = `${current}x`;
  else if (typeof current === 'number') container[key] = current + 1;
  else if (typeof current === 'boolean') container[key] = !current;
  else if (current === null) container[key] = 0;
  else if (Array.isArray(current)) container[key] = [null];
  else container[key] = { added: true };
}

function rsaSpkiBase64(): string {
  return generateKeyPairSync('rsa', { modulusLength: 1024 })
    .publicKey.export({ format: 'der', type: 'spki' })
    .toString('base64');
}

describe('the v2 statement, which names the publishing org', () => {
  it('has the v1 shape plus org, and canonical bytes', () => {
    const input = { ...baseInput({ name: 'm', version: '1.0.0' }), org: 'your-org' };
    expect(publishStatement(input)).toEqual({
      _type: 'hla-compass/publish-statement/v2',
      environment: 'staging',
      image: { repository: '127.0.0.1:5000/your-org/my-module', digest: DIGEST },
      manifest: { name: 'm', version: '1.0.0' },
      org: 'your-org',
      scope: 'org',
    });
    expect(Buffer.from(publishStatementBytes(input)).toString('utf8')).toBe(
      '{"_type":"hla-compass/publish-statement/v2","environment":"staging",' +
        `"image":{"digest":"${DIGEST}","repository":"127.0.0.1:5000/your-org/my-module"},` +
        '"manifest":{"name":"m","version":"1.0.0"},"org":"your-org","scope":"org"}',
    );
  });

  it('verifies only in the org it was signed for, and never as v1', () => {
    const input = { ...baseInput({ name: 'm', version: '1.0.0' }), org: 'your-org' };
    const v2 = signed(input);
    const result = verifyPublishStatement(v2);
    expect(result.valid && result.statementType).toBe('hla-compass/publish-statement/v2');
    expect(failureReason({ ...v2, org: 'other-org' })).toBe('bad_signature');
    expect(failureReason({ ...v2, org: undefined })).toBe('bad_signature');
  });

  it('keeps a v1 signature verifiable as v1, and not as v2 in any org', () => {
    const v1 = signed(baseInput({ name: 'm', version: '1.0.0' }));
    const result = verifyPublishStatement(v1);
    expect(result.valid && result.statementType).toBe('hla-compass/publish-statement/v1');
    expect(failureReason({ ...v1, org: 'your-org' })).toBe('bad_signature');
  });

  it('refuses an empty org', () => {
    expect(() => publishStatement({ ...baseInput({ name: 'm' }), org: ' ' })).toThrow(
      InvalidStatementError,
    );
  });
});
