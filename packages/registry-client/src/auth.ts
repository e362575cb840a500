// Registry authentication: ping `/v2/` once per registry to learn its challenge, then answer
// Basic with the credentials or Bearer with a token fetched from the realm (checked first).
import {
  type AuthChallenge,
  challengeScopes,
  parseAuthenticateHeader,
  selectChallenge,
} from './challenge.js';
import type { RegistryCredentials } from './docker-config.js';
import { RegistryError } from './errors.js';
import { BUILT_IN_REALM_HOSTS, parseTokenResponse, realmProblem, TokenCache } from './token.js';
import { discardBody, type HttpTransport, type RegistryEndpoint, readBody } from './transport.js';

/** Credentials for a registry (`docker.io`, `ghcr.io`, `127.0.0.1:5000`), or undefined for none. */
export type CredentialsProvider = (registry: string) => Promise<RegistryCredentials | undefined>;

export interface AuthOptions {
  readonly credentials?: RegistryCredentials | CredentialsProvider;
  /** Token-service hosts trusted per registry besides its own host, e.g. `{ 'registry.gitlab.com': ['gitlab.com'] }`. */
  readonly trustedRealmHosts?: Readonly<Record<string, readonly string[]>>;
}

export interface RegistryRequest {
  readonly method: string;
  readonly url: URL;
  readonly scopes: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  readonly retry?: boolean;
}

const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;
const OAUTH_CLIENT_ID = 'hla-compass';

function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function authenticateHeaderChallenge(response: Response): AuthChallenge | undefined {
  return selectChallenge(parseAuthenticateHeader(response.headers.get('www-authenticate') ?? ''));
}

/** Runs one promise per key at a time, and forgets failures so the next call tries again. */
function memoize<Value>(
  cache: Map<string, Promise<Value>>,
  key: string,
  run: () => Promise<Value>,
): Promise<Value> {
  const known = cache.get(key);
  if (known !== undefined) return known;
  const pending = run();
  cache.set(key, pending);
  pending.catch(() => cache.delete(key));
  return pending;
}

export class AuthenticatedTransport {
  private readonly challenges = new Map<string, Promise<AuthChallenge | undefined>>();
  private readonly credentials = new Map<string, Promise<RegistryCredentials | undefined>>();
  private readonly pendingTokens = new Map<string, Promise<string>>();
  private readonly tokens: TokenCache;

  constructor(
    private readonly http: HttpTransport,
    private readonly options: AuthOptions,
  ) {
    this.tokens = new TokenCache(http.options.now);
  }

  credentialsFor(registry: string): Promise<RegistryCredentials | undefined> {
    const given = this.options.credentials;
    if (typeof given !== 'function') return Promise.resolve(given);
    return memoize(this.credentials, registry, () => given(registry));
  }

  /** The registry's Basic or Bearer challenge, or undefined when `/v2/` lets anyone in. */
  challengeFor(endpoint: RegistryEndpoint): Promise<AuthChallenge | undefined> {
    return memoize(this.challenges, endpoint.registry, async () => {
      const response = await this.http.send({
        method: 'GET',
        url: new URL('/v2/', endpoint.origin),
        headers: {},
        retry: true,
      });
      await discardBody(response);
      if (response.status >= 500) {
        throw new RegistryError(
          'unavailable',
          `registry ${endpoint.registry} answered ${response.status}`,
        );
      }
      return response.status === 401 ? authenticateHeaderChallenge(response) : undefined;
    });
  }

  /**
   * Sends a request with the authorization the registry asks for. On a 401 carrying a
   * challenge it retries once with a fresh token (adding the scopes the challenge names),
   * or with credentials the ping did not call for. Any other answer is the caller's to read.
   */
  async send(endpoint: RegistryEndpoint, request: RegistryRequest): Promise<Response> {
    const challenge = await this.challengeFor(endpoint);
    const first = await this.authorization(endpoint, challenge, request.scopes, false);
    const response = await this.sendWith(request, first.header);
    if (response.status !== 401) return response;
    const offered = authenticateHeaderChallenge(response);
    if (offered === undefined) return response;
    // Scopes the challenge asks for go first: some token services read only the first one.
    const scopes = [...new Set([...challengeScopes(offered), ...request.scopes])];
    const somethingNew =
      !first.fresh ||
      offered.scheme !== challenge?.scheme ||
      scopes.length > new Set(request.scopes).size;
    if (!somethingNew) return response;
    this.challenges.set(endpoint.registry, Promise.resolve(offered));
    let second: { header?: string };
    try {
      second = await this.authorization(endpoint, offered, scopes, true);
    } catch (error) {
      await discardBody(response);
      throw error;
    }
    // Nothing to answer the challenge with (Basic without credentials): the 401 stands.
    if (second.header === undefined) return response;
    await discardBody(response);
    return this.sendWith(request, second.header);
  }

  private sendWith(request: RegistryRequest, authorization: string | undefined): Promise<Response> {
    return this.http.send({
      method: request.method,
      url: request.url,
      headers: { ...request.headers, ...(authorization === undefined ? {} : { authorization }) },
      ...(request.body === undefined ? {} : { body: request.body }),
      retry: request.retry ?? true,
    });
  }

  /** The Authorization header for a challenge; `fresh` when it cannot get any better by retrying. */
  private async authorization(
    endpoint: RegistryEndpoint,
    challenge: AuthChallenge | undefined,
    scopes: readonly string[],
    forceFresh: boolean,
  ): Promise<{ header?: string; fresh: boolean }> {
    if (challenge === undefined) return { fresh: false };
    const credentials = await this.credentialsFor(endpoint.registry);
    if (challenge.scheme === 'basic') {
      return credentials?.kind === 'basic'
        ? { header: basicAuthorization(credentials.username, credentials.password), fresh: true }
        : { fresh: true };
    }
    if (credentials?.kind === 'registry-token') {
      return { header: `Bearer ${credentials.registryToken}`, fresh: true };
    }
    const key = [
      endpoint.registry,
      challenge.params.get('realm') ?? '',
      challenge.params.get('service') ?? '',
      [...new Set(scopes)].sort().join(' '),
    ].join('\n');
    const cached = forceFresh ? undefined : this.tokens.get(key);
    if (cached !== undefined) return { header: `Bearer ${cached}`, fresh: false };
    const token = await memoize(this.pendingTokens, key, async () => {
      const obtainedAt = this.http.options.now();
      const response = await this.fetchToken(endpoint, challenge, scopes, credentials);
      this.tokens.set(key, response, obtainedAt);
      return response.token;
    }).finally(() => this.pendingTokens.delete(key));
    return { header: `Bearer ${token}`, fresh: true };
  }

  private async fetchToken(
    endpoint: RegistryEndpoint,
    challenge: AuthChallenge,
    scopes: readonly string[],
    credentials: RegistryCredentials | undefined,
  ) {
    const realm = challenge.params.get('realm');
    if (realm === undefined || realm === '') {
      throw new RegistryError(
        'invalid_response',
        `registry ${endpoint.registry} sent a Bearer challenge without a realm`,
      );
    }
    const trusted = [
      ...(BUILT_IN_REALM_HOSTS[endpoint.registry] ?? []),
      ...(this.options.trustedRealmHosts?.[endpoint.registry] ?? []),
    ].map((host) => host.toLowerCase());
    const problem = realmProblem(realm, endpoint, trusted);
    if (problem !== undefined) {
      throw new RegistryError(
        'unauthorized',
        `registry ${endpoint.registry} names a token service this client will not contact: ${problem}`,
        'realm_refused',
      );
    }
    const url = new URL(realm);
    const service = challenge.params.get('service');
    let response: Response;
    if (credentials?.kind === 'identity-token') {
      // An identity token is an OAuth2 refresh token: it goes in a POST body, never a URL.
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.identityToken,
        client_id: OAUTH_CLIENT_ID,
        scope: scopes.join(' '),
        ...(service === undefined ? {} : { service }),
      });
      response = await this.http.send({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        retry: true,
      });
    } else {
      if (service !== undefined) url.searchParams.set('service', service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      const headers: Record<string, string> =
        credentials?.kind === 'basic'
          ? { authorization: basicAuthorization(credentials.username, credentials.password) }
          : {};
      response = await this.http.send({ method: 'GET', url, headers, retry: true });
    }
    if (response.status === 200) {
      const body = await readBody(response, MAX_TOKEN_RESPONSE_BYTES, 'the token response');
      const token = parseTokenResponse(Buffer.from(body).toString('utf8'));
      if (token === undefined) {
        throw new RegistryError(
          'invalid_response',
          `the token service at ${url.host} answered without a token`,
        );
      }
      return token;
    }
    await discardBody(response);
    if (response.status === 401) {
      throw credentials === undefined
        ? new RegistryError(
            'unauthorized',
            `registry ${endpoint.registry} requires credentials and none were given`,
            'no_credentials',
          )
        : new RegistryError(
            'unauthorized',
            `the token service at ${url.host} rejected the credentials for ${endpoint.registry}`,
            'credentials_rejected',
          );
    }
    if (response.status === 403) {
      throw new RegistryError(
        'forbidden',
        `the token service at ${url.host} refused access for ${endpoint.registry}`,
      );
    }
    throw new RegistryError(
      'unavailable',
      `the token service at ${url.host} answered ${response.status}`,
    );
  }
}
