// Where the CLI keeps its Ed25519 key pair and how a missing, unsafe or broken key file becomes a
// user error with the fix in its message. The Python SDK keeps its RSA pair under the same names
// (keys/private.pem, keys/public.pem): when keys/ holds that pair, ours lives in keys/ed25519/, so
// the SDK keeps working unchanged and neither tool ever writes over the other's keys.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodePrivateKeyPem,
  encodePublicKeyBase64,
  KeyFormatError,
  type KeyRegistrationInput,
  KeysNotFoundError,
  LEGACY_SIGNATURE_ALGORITHM,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
  publicKeyToSpkiDer,
  readKeyFiles,
  type StoredKeyPair,
  signKeyRegistration,
  signKeyRegistrationRsa,
  spkiFingerprint,
} from '@hla-compass/signing';
import { RejectedError, UsageError } from './errors.js';
import { asCliError } from './library-errors.js';
import type { PlatformClient } from './platform/client.js';

/** The directory beside the SDK's pair where hla-compass keeps its own. */
const ED25519_SUBDIRECTORY = 'ed25519';

/** The Python SDK's signing key as the SDK and the platform name it; only public parts. */
export interface SdkSigningKey {
  readonly usedBy: 'Python SDK';
  readonly algorithm: typeof LEGACY_SIGNATURE_ALGORITHM;
  readonly keySize: number | null;
  /** Our notation: `SHA256:` + unpadded base64 of sha256(DER SPKI). */
  readonly keyFingerprint: string;
  /** The SDK's notation (its `keyFingerprint` field): standard padded base64 of the same digest. */
  readonly sdkFingerprint: string;
  /** Base64 DER SPKI, the form the SDK sends and `POST /v1/keys` takes. */
  readonly publicKey: string;
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
}

export interface KeyLayout {
  /** Where the Ed25519 pair hla-compass signs with is, or goes when created. */
  readonly directory: string;
  /** The Python SDK's RSA pair in keys/, when that is what keys/private.pem holds. */
  readonly sdkKey?: SdkSigningKey;
}

/**
 * keys/ itself, as always, unless keys/private.pem is an RSA key (the SDK's): then keys/ed25519.
 * Also keys/ed25519 when keys/private.pem is gone but a pair was created there before. A
 * private.pem that cannot be read or parsed leaves keys/, so reading it reports what is wrong.
 */
export function keyLayout(configDir: string): KeyLayout {
  const root = join(configDir, 'keys');
  const beside = join(root, ED25519_SUBDIRECTORY);
  const privateKeyPath = join(root, PRIVATE_KEY_FILE);
  let pem: string;
  try {
    pem = readFileSync(privateKeyPath, 'utf8');
  } catch {
    return { directory: existsSync(join(beside, PRIVATE_KEY_FILE)) ? beside : root };
  }
  const privateKey = parsePrivateKey(pem);
  const type = privateKey?.asymmetricKeyType;
  if (privateKey === undefined || (type !== 'rsa' && type !== 'rsa-pss'))
    return { directory: root };
  return {
    directory: beside,
    sdkKey: describeSdkKey(privateKey, privateKeyPath, join(root, PUBLIC_KEY_FILE)),
  };
}

/** The directory of the Ed25519 pair hla-compass signs with (see {@link keyLayout}). */
export function keysDirectory(configDir: string): string {
  return keyLayout(configDir).directory;
}

/**
 * The Ed25519 pair wherever it is. When only the SDK's RSA pair exists the error says so and
 * how to go on; it is still "no keys" (cause {@link KeysNotFoundError}) to `publish`, so
 * `--generate-keys` creates the pair beside the SDK's.
 */
export async function loadSigningKeys(configDir: string): Promise<StoredKeyPair> {
  const found = await inspectSigningKeys(configDir);
  if (found.keys !== undefined) return found.keys;
  throw new UsageError(sdkKeyOnlyMessage(found.sdkKey), {
    code: 'KEYS_NOT_FOUND',
    hint: SDK_KEY_NEXT_STEP,
    cause: new KeysNotFoundError(found.directory),
  });
}

/**
 * The Ed25519 pair and the SDK's key beside it. Throws what {@link loadSigningKeys} throws, except
 * that a missing Ed25519 pair next to the SDK's key is an answer (`keys` undefined), not an error.
 */
export async function inspectSigningKeys(
  configDir: string,
): Promise<
  | { directory: string; keys: StoredKeyPair; sdkKey?: SdkSigningKey }
  | { directory: string; keys?: undefined; sdkKey: SdkSigningKey }
> {
  const { directory, sdkKey } = keyLayout(configDir);
  try {
    const keys = await readKeyFiles(directory);
    return sdkKey === undefined ? { directory, keys } : { directory, keys, sdkKey };
  } catch (error) {
    if (sdkKey !== undefined && error instanceof KeysNotFoundError) return { directory, sdkKey };
    // Thrown as the CLI's error here, not where it is reported: whoever loads keys sees a
    // UsageError (publish's "no keys yet" is its KEYS_NOT_FOUND), and the fix names the file.
    throw asCliError(error, {
      hint: error instanceof KeyFormatError ? brokenKeyHint(directory) : undefined,
    });
  }
}

/** The fix for a private.pem that is no key (empty, garbage, truncated): what it costs, too. */
export const REPLACE_BROKEN_KEY =
  'run `hla-compass keys init --force` to replace it with a new key pair (restore it from a backup instead if you have one); the new key must be registered again (`hla-compass keys register --env <env>`) before you publish';

/**
 * What to do about a pair that cannot be read as keys, by which file is broken: a private key
 * that does not decode can only be replaced (or restored); a broken public.pem beside a good
 * private key is derived again once deleted.
 */
function brokenKeyHint(directory: string): string | undefined {
  let pem: string;
  try {
    pem = readFileSync(join(directory, PRIVATE_KEY_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    decodePrivateKeyPem(pem);
  } catch {
    return REPLACE_BROKEN_KEY;
  }
  return `delete ${join(directory, PUBLIC_KEY_FILE)}: it is derived again from ${PRIVATE_KEY_FILE}, which is intact`;
}

export const SDK_KEY_NEXT_STEP =
  "run `hla-compass keys init` to create an Ed25519 pair beside it (the SDK's RSA pair stays)";

export function sdkKeyOnlyMessage(sdkKey: SdkSigningKey): string {
  return `${sdkKey.privateKeyPath} is the Python SDK's RSA-PSS signing key (fingerprint ${sdkKey.keyFingerprint}); hla-compass signs with Ed25519`;
}

function parsePrivateKey(pem: string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

// The public half comes from the private key, the pair's source of truth, as for our own keys;
// nothing secret leaves this function.
function describeSdkKey(
  privateKey: KeyObject,
  privateKeyPath: string,
  publicKeyPath: string,
): SdkSigningKey {
  const der = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return {
    usedBy: 'Python SDK',
    algorithm: LEGACY_SIGNATURE_ALGORITHM,
    keySize: privateKey.asymmetricKeyDetails?.modulusLength ?? null,
    keyFingerprint: spkiFingerprint(der),
    sdkFingerprint: createHash('sha256').update(der).digest('base64'),
    publicKey: der.toString('base64'),
    privateKeyPath,
    publicKeyPath,
  };
}

/**
 * The body of POST /v1/keys for one of the two keys: the public key and its proof of possession,
 * the key's signature over the caller's user and org (from GET /v1/auth/me) and this env. Ed25519
 * signs with our key; the SDK's RSA key signs RSA-PSS with its private.pem, read only here.
 */
export async function keyRegistration(
  platform: PlatformClient,
  key: { readonly ed25519: StoredKeyPair } | { readonly sdk: SdkSigningKey },
): Promise<{ publicKey: string; proof: string }> {
  const me = await platform.me();
  if (me.user?.id === undefined || me.org?.id === undefined) {
    throw new RejectedError(
      "the platform's answer to GET /v1/auth/me has no user.id or org.id, which a key registration's proof of possession names",
      { code: 'UNEXPECTED_RESPONSE' },
    );
  }
  const statement = { environment: platform.environment.name, org: me.org.id, user: me.user.id };
  if ('ed25519' in key) {
    const { publicKey, privateKey } = key.ed25519;
    const input: KeyRegistrationInput = { ...statement, publicKey: publicKeyToSpkiDer(publicKey) };
    return {
      publicKey: encodePublicKeyBase64(publicKey),
      proof: signKeyRegistration(input, privateKey),
    };
  }
  const privateKey = parsePrivateKey(readFileSync(key.sdk.privateKeyPath, 'utf8'));
  if (privateKey === undefined) {
    throw new UsageError(`${key.sdk.privateKeyPath} can no longer be read as an RSA private key`, {
      code: 'INVALID_KEY',
    });
  }
  const spki = Buffer.from(key.sdk.publicKey, 'base64');
  return {
    publicKey: key.sdk.publicKey,
    proof: signKeyRegistrationRsa({ ...statement, publicKey: spki }, privateKey),
  };
}
