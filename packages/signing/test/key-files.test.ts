import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  encodePublicKeyPem,
  generateKeyPair,
  KeyFilePermissionError,
  KeyFormatError,
  KeyMismatchError,
  KeysExistError,
  KeysNotFoundError,
  keyFingerprint,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
  readKeyFiles,
  verifyBytes,
  writeKeyFiles,
} from '../src/index.js';

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'hla-signing-'));
  dir = path.join(root, 'config', 'keys');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const modeOf = async (file: string): Promise<number> => (await stat(file)).mode & 0o777;

async function withUmask<T>(mask: number, run: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await run();
  } finally {
    process.umask(previous);
  }
}

describe('writeKeyFiles', () => {
  it('writes private.pem 0600 and public.pem 0644 in a new 0700 directory (and its parents)', async () => {
    const paths = await writeKeyFiles(dir, generateKeyPair());
    expect(paths).toEqual({
      privateKeyPath: path.join(dir, PRIVATE_KEY_FILE),
      publicKeyPath: path.join(dir, PUBLIC_KEY_FILE),
    });
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(path.dirname(dir))).toBe(0o700);
    expect(await modeOf(paths.privateKeyPath)).toBe(0o600);
    expect(await modeOf(paths.publicKeyPath)).toBe(0o644);
  });

  it.each([0o000, 0o077, 0o022])('sets the exact modes whatever the umask (%o)', async (mask) => {
    await withUmask(mask, () => writeKeyFiles(dir, generateKeyPair()));
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(path.join(dir, PRIVATE_KEY_FILE))).toBe(0o600);
    expect(await modeOf(path.join(dir, PUBLIC_KEY_FILE))).toBe(0o644);
  });

  it('tightens an existing directory to 0700', async () => {
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o755);
    await writeKeyFiles(dir, generateKeyPair());
    expect(await modeOf(dir)).toBe(0o700);
  });

  it('leaves only the two key files: no temporary file survives', async () => {
    await writeKeyFiles(dir, generateKeyPair());
    await writeKeyFiles(dir, generateKeyPair(), { force: true });
    await expect(writeKeyFiles(dir, generateKeyPair())).rejects.toThrow(KeysExistError);
    expect((await readdir(dir)).sort()).toEqual([PRIVATE_KEY_FILE, PUBLIC_KEY_FILE]);
  });

  it('refuses to replace existing keys without force, and leaves them as they were', async () => {
    const first = generateKeyPair();
    await writeKeyFiles(dir, first);
    const before = await readFile(path.join(dir, PRIVATE_KEY_FILE), 'utf8');
    const attempt = writeKeyFiles(dir, generateKeyPair());
    await expect(attempt).rejects.toThrow(KeysExistError);
    await expect(attempt).rejects.toThrow(
      `Keys already exist at ${dir}. Re-run with --force to regenerate.`,
    );
    expect(await readFile(path.join(dir, PRIVATE_KEY_FILE), 'utf8')).toBe(before);
    expect((await readKeyFiles(dir)).publicKey).toEqual(first.publicKey);
  });

  it('replaces existing keys with force', async () => {
    await writeKeyFiles(dir, generateKeyPair());
    const second = generateKeyPair();
    await writeKeyFiles(dir, second, { force: true });
    const stored = await readKeyFiles(dir);
    expect(stored.privateKey).toEqual(second.privateKey);
    expect(stored.publicKey).toEqual(second.publicKey);
    expect(await modeOf(path.join(dir, PRIVATE_KEY_FILE))).toBe(0o600);
  });

  it('lets exactly one of two concurrent writers without force win, with a consistent pair', async () => {
    const pairs = [generateKeyPair(), generateKeyPair()];
    const results = await Promise.allSettled(pairs.map((pair) => writeKeyFiles(dir, pair)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(KeysExistError);
    const winner = pairs[results.findIndex((result) => result.status === 'fulfilled')];
    const stored = await readKeyFiles(dir);
    expect(stored.publicKey).toEqual(winner?.publicKey);
    expect((await readdir(dir)).sort()).toEqual([PRIVATE_KEY_FILE, PUBLIC_KEY_FILE]);
  });

  it('refuses a pair whose public key belongs to another private key', async () => {
    const pair = {
      privateKey: generateKeyPair().privateKey,
      publicKey: generateKeyPair().publicKey,
    };
    await expect(writeKeyFiles(dir, pair)).rejects.toThrow(KeyFormatError);
  });
});

describe('readKeyFiles', () => {
  it('reads back the pair with its fingerprint and paths', async () => {
    const pair = generateKeyPair();
    await writeKeyFiles(dir, pair);
    expect(await readKeyFiles(dir)).toEqual({
      privateKey: pair.privateKey,
      publicKey: pair.publicKey,
      keyFingerprint: keyFingerprint(pair.publicKey),
      privateKeyPath: path.join(dir, PRIVATE_KEY_FILE),
      publicKeyPath: path.join(dir, PUBLIC_KEY_FILE),
    });
  });

  it('says to run keys init when there are no keys', async () => {
    const attempt = readKeyFiles(dir);
    await expect(attempt).rejects.toThrow(KeysNotFoundError);
    await expect(attempt).rejects.toThrow(
      `No signing keys found in ${dir}. Run \`hla-compass keys init\` first.`,
    );
  });

  it.each([0o640, 0o604, 0o620, 0o644, 0o666])(
    'refuses a private key with mode %o and says how to fix it',
    async (mode) => {
      await writeKeyFiles(dir, generateKeyPair());
      const privateKeyPath = path.join(dir, PRIVATE_KEY_FILE);
      await chmod(privateKeyPath, mode);
      const attempt = readKeyFiles(dir);
      await expect(attempt).rejects.toThrow(KeyFilePermissionError);
      await expect(attempt).rejects.toThrow(`chmod 600 ${privateKeyPath}`);
      await chmod(privateKeyPath, 0o600);
      await expect(readKeyFiles(dir)).resolves.toBeDefined();
    },
  );

  it('refuses a public.pem that belongs to another key', async () => {
    await writeKeyFiles(dir, generateKeyPair());
    await writeFile(
      path.join(dir, PUBLIC_KEY_FILE),
      encodePublicKeyPem(generateKeyPair().publicKey),
    );
    await expect(readKeyFiles(dir)).rejects.toThrow(KeyMismatchError);
  });

  it('derives the public key when public.pem is missing', async () => {
    const pair = generateKeyPair();
    await writeKeyFiles(dir, pair);
    await rm(path.join(dir, PUBLIC_KEY_FILE));
    expect((await readKeyFiles(dir)).publicKey).toEqual(pair.publicKey);
  });

  it('names the file when private.pem is not a key', async () => {
    await writeKeyFiles(dir, generateKeyPair());
    await writeFile(path.join(dir, PRIVATE_KEY_FILE), 'garbage', { mode: 0o600 });
    await expect(readKeyFiles(dir)).rejects.toThrow(
      `${path.join(dir, PRIVATE_KEY_FILE)}: Not a PEM file`,
    );
  });
});

describe('interoperability of the files', () => {
  it('node:crypto loads the files written here and signs what this package verifies', async () => {
    const pair = generateKeyPair();
    const { privateKeyPath, publicKeyPath } = await writeKeyFiles(dir, pair);
    const data = new TextEncoder().encode('hello');
    const signature = nodeSign(null, data, createPrivateKey(await readFile(privateKeyPath)));
    expect(verifyBytes(signature, data, pair.publicKey)).toBe(true);
    expect(nodeVerify(null, data, createPublicKey(await readFile(publicKeyPath)), signature)).toBe(
      true,
    );
  });

  it('reads files holding keys that node:crypto generated', async () => {
    const pair = generateKeyPairSync('ed25519', {
      privateKeyEncoding: { format: 'pem', type: 'pkcs8' },
      publicKeyEncoding: { format: 'pem', type: 'spki' },
    });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(path.join(dir, PRIVATE_KEY_FILE), pair.privateKey, { mode: 0o600 });
    await writeFile(path.join(dir, PUBLIC_KEY_FILE), pair.publicKey, { mode: 0o644 });
    const stored = await readKeyFiles(dir);
    const expected = createPublicKey(pair.publicKey).export({ format: 'jwk' }).x;
    expect(Buffer.from(stored.publicKey).toString('base64url')).toBe(expected);
  });
});
