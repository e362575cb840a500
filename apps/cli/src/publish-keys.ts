// The signing key a publish signs with, as publish and its preflight see it: whether there is one
// here, whether the env would take the publish without one, whether the key is registered to the
// caller there, and what --generate-keys does about each (create, register, or neither).
import {
  generateKeyPair,
  KeysNotFoundError,
  type StoredKeyPair,
  writeKeyFiles,
} from '@hla-compass/signing';
import type { CommandContext } from './context.js';
import { RejectedError, UsageError } from './errors.js';
import type { PlatformClient } from './platform/client.js';
import {
  keyLayout,
  keyRegistration,
  keysDirectory,
  loadSigningKeys,
  sdkKeyOnlyMessage,
} from './signing-keys.js';

/** The label a key registered by publish carries in `keys list`. */
const GENERATED_KEY_NAME = 'hla-compass publish --generate-keys';

/** The Ed25519 pair, or undefined when there is none yet (a broken one is still an error). */
export async function loadKeysIfAny(context: CommandContext): Promise<StoredKeyPair | undefined> {
  try {
    return await loadSigningKeys(context.configDir);
  } catch (error) {
    if (error instanceof UsageError && error.cause instanceof KeysNotFoundError) return undefined;
    throw error;
  }
}

/** No key, in an env that takes only signed publishes: publish stops before sending (exit 2). */
export function signatureRequiredError(context: CommandContext, environment: string): UsageError {
  const { directory, sdkKey } = keyLayout(context.configDir);
  return new UsageError(
    sdkKey === undefined
      ? `${environment} only accepts signed publishes, and there are no signing keys in ${directory}`
      : `${environment} only accepts signed publishes, and there is no Ed25519 key yet: ${sdkKeyOnlyMessage(sdkKey)}`,
    {
      code: 'SIGNATURE_REQUIRED',
      hint: `run \`hla-compass keys init\` and \`hla-compass keys register --env ${environment}\`, or re-run publish with --generate-keys${sdkKey === undefined ? '' : " (the SDK's RSA pair stays where it is)"}`,
    },
  );
}

/** Where a key stands with the caller in an env, by `GET /v1/keys` (the caller's keys only). */
export type KeyStanding =
  | { readonly status: 'registered' }
  | { readonly status: 'revoked'; readonly revokedAt: string }
  | { readonly status: 'unregistered' };

export async function keyStanding(
  platform: PlatformClient,
  fingerprint: string,
): Promise<KeyStanding> {
  const { items } = await platform.listKeys();
  const key = items.find((candidate) => candidate.fingerprint === fingerprint);
  if (key === undefined) return { status: 'unregistered' };
  return key.revokedAt ? { status: 'revoked', revokedAt: key.revokedAt } : { status: 'registered' };
}

/**
 * What the platform answers a publish signed with a key it will not trust (UNTRUSTED_KEY, exit 1).
 * A revoked key can never be registered again, so --generate-keys cannot help with that one.
 */
export function untrustedKeyError(
  environment: string,
  fingerprint: string,
  standing: Exclude<KeyStanding, { status: 'registered' }>,
): RejectedError {
  if (standing.status === 'revoked') {
    return new RejectedError(
      `Untrusted key: ${fingerprint} was revoked in ${environment} at ${standing.revokedAt}, and a revoked key can never be registered again`,
      {
        code: 'UNTRUSTED_KEY',
        hint: `run \`hla-compass keys init --force\` for a new pair, then \`hla-compass publish --env ${environment} --generate-keys\` registers it`,
      },
    );
  }
  return new RejectedError(
    `Untrusted key: ${fingerprint} is not registered to you in ${environment}`,
    {
      code: 'UNTRUSTED_KEY',
      hint: `run \`hla-compass keys register --env ${environment}\`, or publish with --generate-keys, which registers it`,
    },
  );
}

/**
 * --generate-keys: a new pair, created and registered, when there is none; an existing pair not
 * registered in this env yet, registered (with the same proof of possession as `keys register`);
 * a registered one, as it is. A revoked one is refused before anything is sent.
 */
export async function ensureRegisteredKeys(
  context: CommandContext,
  platform: PlatformClient,
  keys: StoredKeyPair | undefined,
): Promise<StoredKeyPair> {
  if (keys === undefined) return generateAndRegisterKeys(context, platform);
  const environment = platform.environment.name;
  const standing = await keyStanding(platform, keys.keyFingerprint);
  if (standing.status === 'registered') return keys;
  if (standing.status === 'revoked') {
    throw untrustedKeyError(environment, keys.keyFingerprint, standing);
  }
  await register(platform, keys);
  context.logger.success(
    `Registered your signing key (${keys.keyFingerprint}) with ${environment}`,
  );
  return keys;
}

async function generateAndRegisterKeys(
  context: CommandContext,
  platform: PlatformClient,
): Promise<StoredKeyPair> {
  const dir = keysDirectory(context.configDir);
  await writeKeyFiles(dir, generateKeyPair());
  const keys = await loadSigningKeys(context.configDir);
  await register(platform, keys);
  context.logger.success(
    `Created signing keys (${keys.keyFingerprint}) and registered them with ${platform.environment.name}`,
  );
  return keys;
}

async function register(platform: PlatformClient, keys: StoredKeyPair): Promise<void> {
  await platform.registerKey({
    ...(await keyRegistration(platform, { ed25519: keys })),
    name: GENERATED_KEY_NAME,
  });
}
