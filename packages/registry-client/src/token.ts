// Bearer tokens: which token services may receive credentials (the realm check), what a
// token response must hold, and a cache that forgets a token before it expires.
import { parseJsonObject } from './json.js';
import type { RegistryEndpoint } from './transport.js';

/** Token services known to belong to a registry on another host. */
export const BUILT_IN_REALM_HOSTS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'docker.io': ['auth.docker.io'],
});

function hostAndPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/**
 * Why credentials must not go to `realm`, or undefined when they may: it must be the
 * registry's own host (same host and port), or a host trusted for that registry over
 * HTTPS. Plain HTTP is allowed only for the plain-HTTP registry itself.
 */
export function realmProblem(
  realm: string,
  endpoint: RegistryEndpoint,
  trustedHosts: readonly string[],
): string | undefined {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return 'the realm is not an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'a realm must not carry userinfo';
  const registry = new URL(endpoint.origin);
  const sameHost = hostAndPort(url) === hostAndPort(registry);
  if (url.protocol === 'http:') {
    if (!(endpoint.plainHttp && sameHost)) {
      return `the realm ${url.host} uses plain HTTP; only the plain-HTTP registry itself may`;
    }
  } else if (url.protocol !== 'https:') {
    return `the realm scheme "${url.protocol}" is not https`;
  }
  if (sameHost || trustedHosts.includes(url.host)) return undefined;
  return `the realm host ${url.host} is not the registry's host ${registry.host}`;
}

export interface TokenResponse {
  readonly token: string;
  readonly expiresInSeconds: number;
}

/** A token default lifetime when the service does not say (distribution's token spec). */
const DEFAULT_TOKEN_LIFETIME_SECONDS = 60;

/** The token (`token`, else `access_token`) and its lifetime, or undefined when there is none. */
export function parseTokenResponse(text: string): TokenResponse | undefined {
  const body = parseJsonObject(text);
  const token = [body?.token, body?.access_token].find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  if (token === undefined) return undefined;
  const expiresIn = body?.expires_in;
  const expiresInSeconds =
    typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
      ? expiresIn
      : DEFAULT_TOKEN_LIFETIME_SECONDS;
  return { token, expiresInSeconds };
}

/** Tokens by key, dropped a little before their expiry (10% of the lifetime, at most 30 s). */
export class TokenCache {
  private readonly entries = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly now: () => number) {}

  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.now() < entry.expiresAt) return entry.token;
    this.entries.delete(key);
    return undefined;
  }

  /** `obtainedAt` is when the token was asked for, so a slow answer shortens its life. */
  set(key: string, token: TokenResponse, obtainedAt: number): void {
    const lifetimeMs = token.expiresInSeconds * 1000;
    const expiresAt = obtainedAt + lifetimeMs - Math.min(30_000, lifetimeMs * 0.1);
    this.entries.set(key, { token: token.token, expiresAt });
  }
}
