// Asking a registry for an image's manifest digest with an allowlist entry's pull credentials.
// The interface lets tests count or refuse registry calls; the real one uses registry-client.
import type { RegistryCredentials } from '@hla-compass/platform-api';
import {
  type FetchLike,
  type ImageReference,
  RegistryClient,
  RegistryError,
} from '@hla-compass/registry-client';

export type ImageResolution =
  | { status: 'found'; digest: string }
  | { status: 'not_found' | 'unauthorized' | 'forbidden' | 'unavailable'; message: string };

export interface ImageResolver {
  resolve(
    reference: ImageReference,
    credentials: RegistryCredentials | null,
  ): Promise<ImageResolution>;
}

export interface RegistryResolverOptions {
  /** For tests: the fetch the registry client uses. */
  fetch?: FetchLike;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** Attempts per registry request. Default 2: a platform check should fail fast. */
  maxAttempts?: number;
}

/**
 * Resolves with @hla-compass/registry-client (plain HTTP only for loopback registries). One
 * client per set of pull credentials, so that challenges and tokens are reused between
 * publishes; the credentials live only in this map's keys in memory.
 */
export function registryImageResolver(options: RegistryResolverOptions = {}): ImageResolver {
  const clients = new Map<string, RegistryClient>();
  const clientFor = (credentials: RegistryCredentials | null): RegistryClient => {
    const key = credentials === null ? '' : `${credentials.username}\n${credentials.password}`;
    let client = clients.get(key);
    if (client === undefined) {
      client = new RegistryClient({
        ...(credentials === null ? {} : { credentials: { kind: 'basic', ...credentials } }),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        timeoutMs: options.timeoutMs ?? 10_000,
        retry: { attempts: options.maxAttempts ?? 2, initialDelayMs: 200 },
        userAgent: 'hla-compass-platform-emulator',
      });
      clients.set(key, client);
    }
    return client;
  };
  return {
    async resolve(reference, credentials) {
      try {
        const result = await clientFor(credentials).resolveManifest(reference);
        return result.status === 'found' ? { status: 'found', digest: result.digest } : result;
      } catch (error) {
        // A registry that answers with a wrong digest, an oversized or malformed body, or a
        // redirect elsewhere is not one the platform can rely on.
        if (error instanceof RegistryError)
          return { status: 'unavailable', message: error.message };
        throw error;
      }
    },
  };
}
