// The signing key pair on disk (SPEC §3, §6): `private.pem` (PKCS#8, 0600) and `public.pem`
// (SPKI, 0644) in a 0700 directory, written atomically, never readable by others even briefly.

import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { chmod, link, lstat, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type KeyPair, publicKeyFromPrivateKey } from './ed25519.js';
import {
  KeyFilePermissionError,
  KeyFormatError,
  KeyMismatchError,
  KeysExistError,
  KeysNotFoundError,
} from './errors.js';
import { keyFingerprint } from './fingerprint.js';
import {
  decodePrivateKeyPem,
  decodePublicKeyPem,
  encodePrivateKeyPem,
  encodePublicKeyPem,
} from './key-encoding.js';

export const PRIVATE_KEY_FILE = 'private.pem';
export const PUBLIC_KEY_FILE = 'public.pem';
export const KEY_DIR_MODE = 0o700;
export const PRIVATE_KEY_MODE = 0o600;
export const PUBLIC_KEY_MODE = 0o644;

export interface WriteKeyFilesOptions {
  /** Replace an existing key pair. Without it an existing `private.pem` is never touched. */
  readonly force?: boolean;
}

export interface KeyFilePaths {
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
}

export interface StoredKeyPair extends KeyPair, KeyFilePaths {
  readonly keyFingerprint: string;
}

// POSIX modes mean nothing on Windows (node reports 0666/0444), so neither the permission check
// nor the directory fsync applies there.
const POSIX = process.platform !== 'win32';

/**
 * Writes the key pair into `dir`, creating it (and missing parents) with mode 0700 and
 * tightening an existing `dir` to 0700: it holds a secret and nothing else.
 * Throws {@link KeysExistError} when `private.pem` exists and `force` is not set, including when
 * another process creates it while this one writes.
 */
export async function writeKeyFiles(
  dir: string,
  keyPair: KeyPair,
  options: WriteKeyFilesOptions = {},
): Promise<KeyFilePaths> {
  const derived = publicKeyFromPrivateKey(keyPair.privateKey);
  if (!bytesEqual(derived, keyPair.publicKey)) {
    throw new KeyFormatError('The public key does not belong to the private key of the pair');
  }
  const privateKeyPath = path.join(dir, PRIVATE_KEY_FILE);
  const publicKeyPath = path.join(dir, PUBLIC_KEY_FILE);

  await mkdir(dir, { recursive: true, mode: KEY_DIR_MODE });
  await chmod(dir, KEY_DIR_MODE);
  if (!options.force && (await exists(privateKeyPath))) throw new KeysExistError(dir);

  const privateTemp = await writeTempFile(
    dir,
    PRIVATE_KEY_FILE,
    encodePrivateKeyPem(keyPair.privateKey),
    PRIVATE_KEY_MODE,
  );
  let publicTemp: string | undefined;
  try {
    publicTemp = await writeTempFile(
      dir,
      PUBLIC_KEY_FILE,
      encodePublicKeyPem(keyPair.publicKey),
      PUBLIC_KEY_MODE,
    );
    // The private key goes first: without force it is linked, which fails if the name exists,
    // so a concurrent `keys init` cannot be overwritten between the check above and here.
    if (options.force) {
      await rename(privateTemp, privateKeyPath);
    } else {
      try {
        await link(privateTemp, privateKeyPath);
      } catch (error) {
        if (errorCode(error) === 'EEXIST') throw new KeysExistError(dir);
        throw error;
      }
    }
    await rename(publicTemp, publicKeyPath);
    await syncDirectory(dir);
  } finally {
    await removeIfPresent(privateTemp);
    if (publicTemp !== undefined) await removeIfPresent(publicTemp);
  }
  return { privateKeyPath, publicKeyPath };
}

/**
 * Reads the key pair from `dir`. The private key is the source of truth: a missing `public.pem`
 * is derived from it, a `public.pem` for another key is a {@link KeyMismatchError}.
 * Throws {@link KeysNotFoundError} without `private.pem` and {@link KeyFilePermissionError}
 * when group or others have any access to it.
 */
export async function readKeyFiles(dir: string): Promise<StoredKeyPair> {
  const privateKeyPath = path.join(dir, PRIVATE_KEY_FILE);
  const publicKeyPath = path.join(dir, PUBLIC_KEY_FILE);

  let handle: FileHandle;
  try {
    handle = await open(privateKeyPath, 'r');
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new KeysNotFoundError(dir);
    throw error;
  }
  let privatePem: string;
  try {
    // Checked on the open descriptor, so the file judged is the file read.
    const stats = await handle.stat();
    if (!stats.isFile()) throw new KeyFormatError(`${privateKeyPath} is not a regular file`);
    if (POSIX && (stats.mode & 0o077) !== 0) {
      throw new KeyFilePermissionError(privateKeyPath, stats.mode);
    }
    privatePem = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  const privateKey = decodeKeyFile(privateKeyPath, privatePem, decodePrivateKeyPem);
  const publicKey = publicKeyFromPrivateKey(privateKey);

  const publicPem = await readIfPresent(publicKeyPath);
  if (publicPem !== undefined) {
    const stored = decodeKeyFile(publicKeyPath, publicPem, decodePublicKeyPem);
    if (!bytesEqual(stored, publicKey)) throw new KeyMismatchError(publicKeyPath);
  }
  return {
    privateKey,
    publicKey,
    keyFingerprint: keyFingerprint(publicKey),
    privateKeyPath,
    publicKeyPath,
  };
}

// Created exclusively (O_EXCL) with mode 0600 so no one else can open it in the meantime, then
// set to its exact mode (the umask would otherwise decide), flushed, and only then moved in place.
async function writeTempFile(
  dir: string,
  name: string,
  content: string,
  mode: number,
): Promise<string> {
  const tempPath = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tempPath, 'wx', PRIVATE_KEY_MODE);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await removeIfPresent(tempPath);
    throw error;
  }
  await handle.close();
  return tempPath;
}

function decodeKeyFile(
  filePath: string,
  pem: string,
  decode: (pem: string) => Uint8Array,
): Uint8Array {
  try {
    return decode(pem);
  } catch (error) {
    if (error instanceof KeyFormatError) {
      throw new KeyFormatError(`${filePath}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  if (!POSIX) return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(filePath: string): Promise<boolean> {
  try {
    await lstat(filePath);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

async function readIfPresent(filePath: string): Promise<string | undefined> {
  try {
    return await readFile(filePath, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

async function removeIfPresent(filePath: string): Promise<void> {
  try {
    await unlink(filePath);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
