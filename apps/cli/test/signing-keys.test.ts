// Where hla-compass finds its Ed25519 pair in a config dir the Python SDK may share: keys/ as
// always, keys/ed25519/ when keys/ holds the SDK's RSA pair. Real files in a temp dir.
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, KeysNotFoundError, writeKeyFiles } from '@hla-compass/signing';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { inspectSigningKeys, keyLayout, loadSigningKeys } from '../src/signing-keys.js';

let configDir: string;
let rsa: { privateKey: string; publicKey: string; spki: Buffer };

beforeAll(() => {
  // 2048 bits keeps the suite quick; the layout depends on the algorithm, not the size.
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 65537,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  rsa = { ...pair, spki: createPublicKey(pair.publicKey).export({ type: 'spki', format: 'der' }) };
});
beforeEach(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'hla-keys-layout-'));
});
afterEach(() => rm(configDir, { recursive: true, force: true }));

const keysDir = () => join(configDir, 'keys');
const besideDir = () => join(configDir, 'keys', 'ed25519');

async function writeSdkPair(): Promise<void> {
  await mkdir(keysDir(), { recursive: true, mode: 0o755 });
  await writeFile(join(keysDir(), 'private.pem'), rsa.privateKey, { mode: 0o600 });
  await writeFile(join(keysDir(), 'public.pem'), rsa.publicKey, { mode: 0o644 });
}

describe('keyLayout', () => {
  it('is keys/ with nothing there, as it always was', () => {
    expect(keyLayout(configDir)).toEqual({ directory: keysDir() });
  });

  it('is keys/ when keys/private.pem is an Ed25519 key, with no SDK key', async () => {
    await writeKeyFiles(keysDir(), generateKeyPair());
    expect(keyLayout(configDir)).toEqual({ directory: keysDir() });
  });

  it("is keys/ed25519 beside the SDK's RSA pair, which it describes in both fingerprint notations", async () => {
    await writeSdkPair();
    const digest = createHash('sha256').update(rsa.spki).digest('base64');
    expect(keyLayout(configDir)).toEqual({
      directory: besideDir(),
      sdkKey: {
        usedBy: 'Python SDK',
        algorithm: 'RSA-PSS',
        keySize: 2048,
        keyFingerprint: `SHA256:${digest.replace(/=+$/, '')}`,
        sdkFingerprint: digest,
        publicKey: rsa.spki.toString('base64'),
        privateKeyPath: join(keysDir(), 'private.pem'),
        publicKeyPath: join(keysDir(), 'public.pem'),
      },
    });
    expect(digest).toMatch(/=$/);
  });

  it('stays keys/ed25519 once the SDK pair is gone, so the pair made there is still found', async () => {
    await writeKeyFiles(besideDir(), generateKeyPair());
    expect(keyLayout(configDir)).toEqual({ directory: besideDir() });
  });

  it.each([
    ['a file that is no key', 'not a key\n'],
    [
      'an EC key, which is not the SDK’s',
      generateKeyPairSync('ec', {
        namedCurve: 'P-256',
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }).privateKey,
    ],
  ])('is keys/ for %s, so reading it reports the problem as before', async (_what, content) => {
    await mkdir(keysDir(), { recursive: true });
    await writeFile(join(keysDir(), 'private.pem'), content, { mode: 0o600 });
    expect(keyLayout(configDir)).toEqual({ directory: keysDir() });
    await expect(loadSigningKeys(configDir)).rejects.toThrow(UsageError);
  });
});

describe('loadSigningKeys beside the SDK pair', () => {
  it('says what the RSA key is and what to run, and is still "no keys" to publish', async () => {
    await writeSdkPair();
    const error = await loadSigningKeys(configDir).then(
      () => expect.unreachable(),
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UsageError);
    const usage = error as UsageError;
    expect(usage.message).toMatch(
      /\/keys\/private\.pem is the Python SDK's RSA-PSS signing key \(fingerprint SHA256:[A-Za-z0-9+/]{43}\); hla-compass signs with Ed25519$/,
    );
    expect(usage.hint).toBe(
      "run `hla-compass keys init` to create an Ed25519 pair beside it (the SDK's RSA pair stays)",
    );
    expect(usage.code).toBe('KEYS_NOT_FOUND');
    expect(usage.cause).toBeInstanceOf(KeysNotFoundError);
    expect((usage.cause as KeysNotFoundError).dir).toBe(besideDir());
  });

  it('finds the Ed25519 pair in keys/ed25519 and reports the SDK key next to it', async () => {
    await writeSdkPair();
    const pair = generateKeyPair();
    await writeKeyFiles(besideDir(), pair);
    const keys = await loadSigningKeys(configDir);
    expect(keys.privateKeyPath).toBe(join(besideDir(), 'private.pem'));
    expect(keys.publicKey).toEqual(pair.publicKey);
    const found = await inspectSigningKeys(configDir);
    expect(found.keys?.keyFingerprint).toBe(keys.keyFingerprint);
    expect(found.sdkKey?.algorithm).toBe('RSA-PSS');
  });
});
