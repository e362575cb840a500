// The Bearer token flow against a real registry behind a loopback gate that plays the
// token service: scopes, service, caching by expiry, identity tokens, and realms elsewhere.
import { type RunningRegistry, startRegistry } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  RegistryClient,
  type RegistryClientOptions,
  type RegistryCredentials,
} from '../src/index.js';
import { type LoopbackFetch, loopbackOnlyFetch } from './support/loopback-fetch.js';
import {
  type FaultProxy,
  type ProxyAction,
  type RecordedRequest,
  startProxy,
} from './support/proxy.js';

const USER = { username: 'bob', password: 'token-service-password' };
const BOB: RegistryCredentials = { kind: 'basic', ...USER };
const REFRESH_TOKEN = 'refresh-token-abc';
const STATIC_TOKEN = 'static-registry-token';
const SERVICE = 'test-registry';

let registry: RunningRegistry;
let network: LoopbackFetch;
let now: number;
const closeLater: FaultProxy[] = [];

interface TokenRequest {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly form: URLSearchParams;
  readonly authorization: string | undefined;
}

/** A token service and a registry gate in one: tokens are granted per scope, for `expiresIn` seconds. */
class BearerGate {
  readonly tokenRequests: TokenRequest[] = [];
  private readonly granted = new Map<string, string[]>([
    [STATIC_TOKEN, ['repository:your-org/bearer:pull']],
  ]);
  realm = '';

  constructor(private readonly expiresIn = 300) {}

  readonly decide = (request: RecordedRequest): ProxyAction => {
    const url = new URL(request.path, 'http://gate');
    if (url.pathname === '/token') return this.issue(request, url);
    const needed = this.scopeFor(request.method, url.pathname);
    const auth = request.headers.authorization;
    const scopes = auth?.startsWith('Bearer ')
      ? this.granted.get(auth.slice('Bearer '.length))
      : undefined;
    if (scopes === undefined || (needed !== undefined && !scopes.includes(needed))) {
      const scope = needed === undefined ? '' : `,scope="${needed}"`;
      return {
        kind: 'respond',
        status: 401,
        headers: {
          'www-authenticate': `Bearer realm="${this.realm}",service="${SERVICE}"${scope}`,
        },
        body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
      };
    }
    return { kind: 'forward' };
  };

  private scopeFor(method: string, path: string): string | undefined {
    const match = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(path);
    if (match === null) return undefined;
    return `repository:${match[1]}:${method === 'GET' || method === 'HEAD' ? 'pull' : 'pull,push'}`;
  }

  private issue(request: RecordedRequest, url: URL): ProxyAction {
    const form = new URLSearchParams(request.method === 'POST' ? request.body : '');
    this.tokenRequests.push({
      method: request.method,
      query: url.searchParams,
      form,
      authorization: request.headers.authorization,
    });
    const basic = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`;
    const allowed =
      request.method === 'POST'
        ? form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === REFRESH_TOKEN
        : request.headers.authorization === basic;
    if (!allowed)
      return { kind: 'respond', status: 401, body: '{"errors":[{"code":"UNAUTHORIZED"}]}' };
    const scopes =
      request.method === 'POST'
        ? (form.get('scope') ?? '').split(' ')
        : url.searchParams.getAll('scope');
    const token = `token-${this.tokenRequests.length}`;
    this.granted.set(token, scopes);
    return {
      kind: 'respond',
      status: 200,
      body: JSON.stringify({ token, expires_in: this.expiresIn }),
    };
  }
}

async function gated(gate: BearerGate, realmOn?: FaultProxy): Promise<FaultProxy> {
  const proxy = await startProxy(registry.url, gate.decide);
  closeLater.push(proxy);
  gate.realm = `${(realmOn ?? proxy).url}/token`;
  return proxy;
}

function client(options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient({
    fetch: network.fetch,
    sleep: async () => undefined,
    now: () => now,
    ...options,
  });
}

beforeAll(async () => {
  registry = await startRegistry();
});

afterAll(async () => {
  await registry?.stop();
});

beforeEach(() => {
  network = loopbackOnlyFetch();
  now = 1_000_000;
});

afterEach(async () => {
  await Promise.all(closeLater.splice(0).map((proxy) => proxy.close()));
  expect(network.refused).toEqual([]);
});

describe('Bearer tokens from the registry own token service', () => {
  it('pushes and resolves with tokens scoped to the repository, asked for with service and scope', async () => {
    const gate = new BearerGate();
    const proxy = await gated(gate);
    const pushed = await client({ credentials: BOB }).pushImage(`${proxy.host}/your-org/bearer:1`, {
      layers: [Buffer.from('bearer layer')],
    });
    expect(gate.tokenRequests[0]?.query.getAll('scope')).toEqual([
      'repository:your-org/bearer:pull,push',
    ]);
    const resolved = await client({ credentials: BOB }).resolveManifest(
      `${proxy.host}/your-org/bearer:1`,
    );
    expect(resolved).toMatchObject({ status: 'found', digest: pushed.digest });
    const pull = gate.tokenRequests.at(-1);
    expect(pull?.query.get('service')).toBe(SERVICE);
    expect(pull?.query.getAll('scope')).toEqual(['repository:your-org/bearer:pull']);
    expect(pull?.authorization).toMatch(/^Basic /);
  });

  it('reuses a token until shortly before it expires', async () => {
    const gate = new BearerGate(60);
    const proxy = await gated(gate);
    const registryClient = client({ credentials: BOB });
    const reference = `${proxy.host}/your-org/bearer:1`;
    await registryClient.resolveManifest(reference);
    await registryClient.resolveManifest(reference);
    expect(gate.tokenRequests).toHaveLength(1);
    now += 53_000;
    await registryClient.resolveManifest(reference);
    expect(gate.tokenRequests).toHaveLength(1);
    now += 2_000;
    expect(await registryClient.resolveManifest(reference)).toMatchObject({ status: 'found' });
    expect(gate.tokenRequests).toHaveLength(2);
  });

  it('asks anonymously without credentials and reports unauthorized, not found', async () => {
    const gate = new BearerGate();
    const proxy = await gated(gate);
    const resolved = await client().resolveManifest(`${proxy.host}/your-org/bearer:1`);
    expect(resolved).toMatchObject({ status: 'unauthorized', reason: 'no_credentials' });
    expect(gate.tokenRequests[0]?.authorization).toBeUndefined();
  });

  it('reports rejected credentials without repeating them', async () => {
    const gate = new BearerGate();
    const proxy = await gated(gate);
    const resolved = await client({
      credentials: { ...BOB, password: 'not-the-password' },
    }).resolveManifest(`${proxy.host}/your-org/bearer:1`);
    expect(resolved).toMatchObject({ status: 'unauthorized', reason: 'credentials_rejected' });
    expect(JSON.stringify(resolved)).not.toContain('not-the-password');
  });

  it('exchanges an identity token in a POST body, never in the URL', async () => {
    const gate = new BearerGate();
    const proxy = await gated(gate);
    const resolved = await client({
      credentials: { kind: 'identity-token', identityToken: REFRESH_TOKEN },
    }).resolveManifest(`${proxy.host}/your-org/bearer:1`);
    expect(resolved).toMatchObject({ status: 'found' });
    const [request] = gate.tokenRequests;
    expect(request?.method).toBe('POST');
    expect(request?.form.get('scope')).toBe('repository:your-org/bearer:pull');
    expect(request?.form.get('service')).toBe(SERVICE);
    expect(network.requests.some(({ url }) => url.includes(REFRESH_TOKEN))).toBe(false);
  });

  it('sends a registry token as is, without a token request', async () => {
    const gate = new BearerGate();
    const proxy = await gated(gate);
    const resolved = await client({
      credentials: { kind: 'registry-token', registryToken: STATIC_TOKEN },
    }).resolveManifest(`${proxy.host}/your-org/bearer:1`);
    expect(resolved).toMatchObject({ status: 'found' });
    expect(gate.tokenRequests).toEqual([]);
  });
});

describe('a realm on another host', () => {
  it('never receives credentials, nor any request', async () => {
    const foreign = await startProxy(undefined, () => ({
      kind: 'respond',
      status: 200,
      body: '{"token":"stolen"}',
    }));
    closeLater.push(foreign);
    const gate = new BearerGate();
    const proxy = await gated(gate, foreign);
    const resolved = await client({ credentials: BOB }).resolveManifest(
      `${proxy.host}/your-org/bearer:1`,
    );
    expect(resolved).toMatchObject({ status: 'unauthorized', reason: 'realm_refused' });
    expect(resolved.status === 'unauthorized' && resolved.message).toContain(foreign.host);
    expect(foreign.requests).toEqual([]);
    expect(proxy.requests.every((request) => request.headers.authorization === undefined)).toBe(
      true,
    );
    expect(JSON.stringify(resolved)).not.toContain(USER.password);
  });
});
