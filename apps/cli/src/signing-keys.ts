// Where the CLI keeps its Ed25519 key pair (<config dir>/keys) and how a missing, unsafe or broken
// key file becomes a user error with the fix in its message.
import { join } from 'node:path';
import { readKeyFiles, SigningError, type StoredKeyPair } from '@hla-compass/signing';
import { UsageError } from './errors.js';

export function keysDirectory(configDir: string): string {
  return join(configDir, 'keys');
}

export async function loadSigningKeys(configDir: string): Promise<StoredKeyPair> {
  try {
    return await readKeyFiles(keysDirectory(configDir));
  } catch (error) {
    throw asUserError(error);
  }
}

/** Signing errors are about the user's files (missing, too open, mismatched): exit 2, same words. */
export function asUserError(error: unknown): unknown {
  if (error instanceof SigningError) {
    return new UsageError(error.message, { code: error.code, cause: error });
  }
  return error;
}
