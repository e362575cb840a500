// Where the emulator reaches a registry when that is not where image references name it: in a
// container, `127.0.0.1:5000/your-org/x` (what users push to and allowlists name) is the
// compose service `registry:5000`. A mapping changes only the address connected to; the
// reference, the allowlist match, the scheme (plain HTTP only for loopback names) and the
// credentials stay those of the name, as a registry mirror would.
import type { FetchLike } from '@hla-compass/registry-client';
import { normalizeRegistryHost } from '@hla-compass/registry-client';

/** `registry as references name it` → `host:port it is reached at`, both normalized. */
export type RegistryEndpoints = ReadonlyMap<string, string>;

export class RegistryEndpointError extends Error {
  override readonly name = 'RegistryEndpointError';
}

function hostAndPort(text: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(`http://${text}`);
  } catch {
    throw new RegistryEndpointError(`${what} "${text}" is not a host or host:port`);
  }
  if (parsed.host !== text.toLowerCase() || parsed.username !== '' || parsed.hostname === '') {
    throw new RegistryEndpointError(`${what} "${text}" is not a host or host:port`);
  }
  return parsed.host;
}

/** Parses `NAME=ADDRESS` entries (`127.0.0.1:5000=registry:5000`). */
export function parseRegistryEndpoints(entries: readonly string[]): RegistryEndpoints {
  const endpoints = new Map<string, string>();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const equals = entry.indexOf('=');
    if (equals <= 0) {
      throw new RegistryEndpointError(
        `registry endpoint "${entry}" must look like NAME=ADDRESS (127.0.0.1:5000=registry:5000)`,
      );
    }
    const name = normalizeRegistryHost(hostAndPort(entry.slice(0, equals), 'registry'));
    endpoints.set(name, hostAndPort(entry.slice(equals + 1), 'registry address'));
  }
  return endpoints;
}

/**
 * A fetch that connects to the mapped address of a registry and leaves every other URL alone.
 * Keyed by the URL's host, which is the registry's normalized name (registry-client builds
 * `<scheme>://<registry>/v2/…`).
 */
export function endpointFetch(endpoints: RegistryEndpoints, fetch: FetchLike): FetchLike {
  if (endpoints.size === 0) return fetch;
  return (url, init) => {
    const target = new URL(url);
    const address = endpoints.get(target.host);
    if (address !== undefined) target.host = address;
    return fetch(target.href, init);
  };
}
