// Faults a real registry does not make on its own, injected by a loopback proxy in front of
// one: 5xx, 429 with Retry-After, dropped connections, altered bodies, foreign Locations.
import { type RunningRegistry, startRegistry } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RegistryClient, type RegistryClientOptions, RegistryError } from '../src/index.js';
import { type LoopbackFetch, loopbackOnlyFetch } from './support/loopback-fetch.js';
import {
  type FaultProxy,
  type ProxyAction,
  type RecordedRequest,
  startProxy,
} from './support/proxy.js';

let registry: RunningRegistry;
let proxy: FaultProxy | undefined;
let network: LoopbackFetch;
let sleeps: number[];
let digest: string;

const OTHER_DIGEST = `sha256:${'e'.repeat(64)}`;

function client(options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient({
    fetch: network.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
}

async function through(
  decide: (request: RecordedRequest, count: number) => ProxyAction,
): Promise<FaultProxy> {
  proxy = await startProxy(registry.url, decide);
  return proxy;
}

const isManifest = (request: RecordedRequest) => request.path.includes('/manifests/');
const forward: ProxyAction = { kind: 'forward' };

beforeAll(async () => {
  registry = await startRegistry();
  network = loopbackOnlyFetch();
  digest = (
    await client().pushImage(`${registry.host}/your-org/faulty:1`, { layers: [Buffer.from('x')] })
  ).digest;
});

afterAll(async () => {
  await registry?.stop();
});

beforeEach(() => {
  network = loopbackOnlyFetch();
  sleeps = [];
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  expect(network.refused).toEqual([]);
});

describe('retries', () => {
  it('retries an injected 503 and then succeeds', async () => {
    const p = await through((_request, count) =>
      count <= 2 ? { kind: 'respond', status: 503 } : forward,
    );
    expect(await client().resolveManifest(`${p.host}/your-org/faulty:1`)).toMatchObject({
      status: 'found',
      digest,
    });
    expect(sleeps).toHaveLength(2);
    expect(p.requests.slice(0, 3).map((r) => r.path)).toEqual(['/v2/', '/v2/', '/v2/']);
  });

  it('backs off exponentially with jitter between attempts', async () => {
    const p = await through((_request, count) =>
      count <= 3 ? { kind: 'respond', status: 502 } : forward,
    );
    await client({ retry: { initialDelayMs: 100, factor: 3, jitter: 0.2 } }).resolveManifest(
      `${p.host}/your-org/faulty:1`,
    );
    expect(sleeps).toEqual([100, 300, 900]);
  });

  it('gives up after maxAttempts and reports the registry unavailable', async () => {
    const p = await through(() => ({ kind: 'respond', status: 503 }));
    const resolved = await client({ retry: { attempts: 3 } }).resolveManifest(
      `${p.host}/your-org/faulty:1`,
    );
    expect(resolved).toMatchObject({ status: 'unavailable' });
    expect(resolved.status === 'unavailable' && resolved.message).toMatch(/503/);
    expect(p.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('honours Retry-After on 429', async () => {
    const p = await through((request) =>
      isManifest(request) && sleeps.length === 0
        ? { kind: 'respond', status: 429, headers: { 'retry-after': '7' } }
        : forward,
    );
    expect(await client().resolveManifest(`${p.host}/your-org/faulty:1`)).toMatchObject({
      status: 'found',
    });
    expect(sleeps).toEqual([7_000]);
  });

  it('caps a Retry-After that is too long', async () => {
    const p = await through((request) =>
      isManifest(request) && sleeps.length === 0
        ? { kind: 'respond', status: 429, headers: { 'retry-after': '86400' } }
        : forward,
    );
    await client({ retry: { maxRetryAfterMs: 30_000 } }).resolveManifest(
      `${p.host}/your-org/faulty:1`,
    );
    expect(sleeps).toEqual([30_000]);
  });

  it('retries 408', async () => {
    const p = await through((request) =>
      isManifest(request) && sleeps.length === 0 ? { kind: 'respond', status: 408 } : forward,
    );
    expect(await client().resolveManifest(`${p.host}/your-org/faulty:1`)).toMatchObject({
      status: 'found',
    });
    expect(sleeps).toHaveLength(1);
  });

  it('retries a dropped connection', async () => {
    const p = await through((_request, count) => (count === 1 ? { kind: 'destroy' } : forward));
    expect(await client().resolveManifest(`${p.host}/your-org/faulty:1`)).toMatchObject({
      status: 'found',
    });
    expect(sleeps).toHaveLength(1);
  });

  it('gives up on a registry that does not answer within the timeout', async () => {
    const p = await through((request) => (isManifest(request) ? { kind: 'hang' } : forward));
    const resolved = await client({ timeoutMs: 250, retry: { attempts: 2 } }).resolveManifest(
      `${p.host}/your-org/faulty:1`,
    );
    expect(resolved).toMatchObject({ status: 'unavailable' });
    expect(resolved.status === 'unavailable' && resolved.message).toMatch(
      /no answer within 250 ms/,
    );
    expect(p.requests.filter(isManifest)).toHaveLength(2);
  });

  it.each([
    [400, 'unavailable'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [409, 'unavailable'],
  ] as const)('does not retry %i (→ %s)', async (status, outcome) => {
    const p = await through((request) =>
      isManifest(request) ? { kind: 'respond', status } : forward,
    );
    const resolved = await client().resolveManifest(`${p.host}/your-org/faulty:1`);
    expect(resolved.status).toBe(outcome);
    expect(p.requests.filter(isManifest)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('digest verification', () => {
  const alterBody: ProxyAction = {
    kind: 'forward',
    rewrite: (response) => ({
      ...response,
      body: Buffer.concat([response.body, Buffer.from(' ')]),
    }),
  };
  const dropDigestHeader: ProxyAction = {
    kind: 'forward',
    rewrite: ({ headers: { 'docker-content-digest': _dropped, ...headers }, ...response }) => ({
      ...response,
      headers,
    }),
  };

  it('refuses a GET body that does not match Docker-Content-Digest', async () => {
    const p = await through((request) => (isManifest(request) ? alterBody : forward));
    const error = await client()
      .getManifest(`${p.host}/your-org/faulty:1`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('digest_mismatch');
  });

  it('falls back to GET when HEAD gives no digest, and refuses an altered body there', async () => {
    const p = await through((request) =>
      !isManifest(request) ? forward : request.method === 'HEAD' ? dropDigestHeader : alterBody,
    );
    await expect(client().resolveManifest(`${p.host}/your-org/faulty:1`)).rejects.toMatchObject({
      code: 'digest_mismatch',
    });
    expect(p.requests.filter(isManifest).map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('computes the digest from the body when the registry announces none', async () => {
    const p = await through((request) => (isManifest(request) ? dropDigestHeader : forward));
    expect(await client().resolveManifest(`${p.host}/your-org/faulty:1`)).toMatchObject({
      status: 'found',
      digest,
    });
    expect(p.requests.filter(isManifest).map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('checks a body fetched by digest against that digest, header or not', async () => {
    const p = await through((request) =>
      !isManifest(request)
        ? forward
        : {
            kind: 'forward',
            rewrite: ({
              headers: { 'docker-content-digest': _dropped, ...headers },
              body,
              ...response
            }) => ({
              ...response,
              headers,
              body: Buffer.concat([body, Buffer.from('\n')]),
            }),
          },
    );
    await expect(
      client().resolveManifest(`${p.host}/your-org/faulty@${digest}`),
    ).rejects.toMatchObject({
      code: 'digest_mismatch',
    });
  });

  it('does not trust a HEAD that announces another digest than the one asked for', async () => {
    const p = await through((request) =>
      !isManifest(request)
        ? forward
        : {
            kind: 'forward',
            rewrite: (response) => ({
              ...response,
              headers: { ...response.headers, 'docker-content-digest': OTHER_DIGEST },
            }),
          },
    );
    await expect(
      client().resolveManifest(`${p.host}/your-org/faulty@${digest}`),
    ).rejects.toMatchObject({
      code: 'digest_mismatch',
    });
    expect(p.requests.filter(isManifest).map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('falls back to GET when HEAD is not allowed', async () => {
    const p = await through((request) =>
      isManifest(request) && request.method === 'HEAD' ? { kind: 'respond', status: 405 } : forward,
    );
    expect(await client().resolveManifest(`${p.host}/your-org/faulty:1`)).toMatchObject({
      status: 'found',
      digest,
    });
  });

  it('refuses a manifest over the size cap', async () => {
    await expect(
      client({ maxManifestBytes: 64 }).getManifest(`${registry.host}/your-org/faulty:1`),
    ).rejects.toMatchObject({ code: 'too_large' });
  });
});

describe('upload locations', () => {
  const rewriteLocation = (to: (location: URL) => string): ProxyAction => ({
    kind: 'forward',
    rewrite: (response) =>
      response.headers.location === undefined
        ? response
        : {
            ...response,
            headers: { ...response.headers, location: to(new URL(response.headers.location)) },
          },
  });

  it('follows a relative Location', async () => {
    const p = await through((request) =>
      request.path.includes('/blobs/uploads/')
        ? rewriteLocation((url) => `${url.pathname}${url.search}`)
        : forward,
    );
    const pushed = await client().pushImage(`${p.host}/your-org/relative:1`, {
      layers: [Buffer.from('rel')],
    });
    expect(await client().resolveManifest(`${registry.host}/your-org/relative:1`)).toMatchObject({
      digest: pushed.digest,
    });
  });

  it('refuses a Location on another host and sends nothing there', async () => {
    const p = await through((request) =>
      request.path.includes('/blobs/uploads/')
        ? rewriteLocation((url) => `http://127.0.0.2:${url.port}${url.pathname}${url.search}`)
        : forward,
    );
    await expect(
      client().uploadBlob(`${p.host}/your-org/elsewhere`, Buffer.from('secret layer')),
    ).rejects.toMatchObject({ code: 'refused' });
    expect(network.requests.some(({ url }) => url.includes('127.0.0.2'))).toBe(false);
  });
});
