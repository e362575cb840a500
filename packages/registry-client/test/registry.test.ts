// Against real `docker-registry` processes (testkit): one plain, one with htpasswd. Seeded
// with the client's own write side; every request goes through the loopback-only fetch.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRegistry, startRegistry } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildImage,
  computeDigest,
  MEDIA_TYPES,
  RegistryClient,
  type RegistryClientOptions,
  RegistryError,
  resolveDockerCredentials,
} from '../src/index.js';
import { type LoopbackFetch, loopbackOnlyFetch } from './support/loopback-fetch.js';

const USER = { username: 'alice', password: 'correct-horse-battery' };
const ALICE = { kind: 'basic', ...USER } as const;
const MISSING_DIGEST = `sha256:${'0'.repeat(64)}`;

let plain: RunningRegistry;
let secured: RunningRegistry;
let network: LoopbackFetch;
let sleeps: number[];

function client(options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient({
    fetch: network.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
}

beforeAll(async () => {
  [plain, secured] = await Promise.all([startRegistry(), startRegistry({ htpasswd: USER })]);
});

afterAll(async () => {
  await Promise.all([plain?.stop(), secured?.stop()]);
});

beforeEach(() => {
  network = loopbackOnlyFetch();
  sleeps = [];
});

afterEach(() => {
  expect(network.refused).toEqual([]);
});

describe('writing to a plain loopback registry', () => {
  it('pushes a small image and resolves it by tag, over plain HTTP', async () => {
    const registry = client();
    const pushed = await registry.pushImage(`${plain.host}/your-org/module-a:1.0.0`, {
      layers: [Buffer.from('layer one'), Buffer.from('layer two')],
      config: { Cmd: ['python', 'main.py'] },
    });
    const resolved = await registry.resolveManifest(`${plain.host}/your-org/module-a:1.0.0`);
    expect(resolved).toEqual({
      status: 'found',
      digest: pushed.digest,
      mediaType: MEDIA_TYPES.ociManifest,
      size: pushed.size,
    });
    expect(network.requests.every(({ url }) => url.startsWith(`${plain.url}/`))).toBe(true);
  });

  it('uploads in chunks following each Location, and skips blobs the registry has', async () => {
    const registry = client();
    const layer = Buffer.alloc(10_000, 7);
    const first = await registry.uploadBlob(`${plain.host}/your-org/chunked`, layer, {
      chunkSize: 1_024,
    });
    expect(first).toEqual({ digest: computeDigest(layer), size: 10_000, existed: false });
    const uploads = network.requests.filter(({ url }) => url.includes('/blobs/uploads/'));
    expect(uploads.map(({ method }) => method)).toEqual([
      'POST',
      ...Array(10).fill('PATCH'),
      'PUT',
    ]);
    expect(await registry.blobExists(`${plain.host}/your-org/chunked`, first.digest)).toBe(true);
    const again = await registry.uploadBlob(`${plain.host}/your-org/chunked`, layer, {
      chunkSize: 1_024,
    });
    expect(again.existed).toBe(true);
  });

  it('refuses a chunk size that is not a positive integer, before any request', async () => {
    await expect(
      client().uploadBlob(`${plain.host}/your-org/x`, Buffer.from('x'), { chunkSize: 0 }),
    ).rejects.toThrow(RangeError);
    expect(network.requests).toEqual([]);
  });

  it('refuses a blob digest that is not a digest, before any request', async () => {
    await expect(
      client().blobExists(`${plain.host}/your-org/x`, '../../../v2/_catalog'),
    ).rejects.toThrow(TypeError);
    expect(network.requests).toEqual([]);
  });

  it('reports a blob the registry lacks as absent', async () => {
    expect(await client().blobExists(`${plain.host}/your-org/chunked`, MISSING_DIGEST)).toBe(false);
  });

  it('pushes Docker schema 2 images too', async () => {
    const registry = client();
    const pushed = await registry.pushImage(`${plain.host}/your-org/docker-format:1`, {
      format: 'docker',
    });
    const resolved = await registry.resolveManifest(`${plain.host}/your-org/docker-format:1`);
    expect(resolved).toMatchObject({
      status: 'found',
      digest: pushed.digest,
      mediaType: MEDIA_TYPES.dockerManifest,
    });
  });
});

describe('resolving digests on a plain loopback registry', () => {
  let digest: string;
  const repository = () => `${plain.host}/your-org/resolve-me`;

  beforeAll(async () => {
    network = loopbackOnlyFetch();
    digest = (
      await client().pushImage(`${repository()}:2.0.0`, { layers: [Buffer.from('resolve')] })
    ).digest;
  });

  it('resolves by digest', async () => {
    expect(await client().resolveManifest(`${repository()}@${digest}`)).toMatchObject({
      status: 'found',
      digest,
    });
  });

  it('lets the digest win over the tag in name:tag@digest', async () => {
    expect(await client().resolveManifest(`${repository()}:no-such-tag@${digest}`)).toMatchObject({
      status: 'found',
      digest,
    });
  });

  it('fetches the manifest bytes whose digest it reports', async () => {
    const fetched = await client().getManifest(`${repository()}:2.0.0`);
    expect(fetched.status).toBe('found');
    if (fetched.status !== 'found') return;
    expect(computeDigest(fetched.body)).toBe(digest);
    expect(fetched.size).toBe(fetched.body.byteLength);
  });

  it('resolves an OCI index (multi-platform image)', async () => {
    const registry = client();
    const image = buildImage({ layers: [Buffer.from('resolve')] });
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [
        {
          mediaType: MEDIA_TYPES.ociManifest,
          digest,
          size: image.manifest.size,
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    });
    const pushed = await registry.putManifest(`${repository()}:multi`, index, MEDIA_TYPES.ociIndex);
    expect(await registry.resolveManifest(`${repository()}:multi`)).toEqual({
      status: 'found',
      digest: pushed.digest,
      mediaType: MEDIA_TYPES.ociIndex,
      size: Buffer.byteLength(index),
    });
  });

  it.each([
    ['an unknown tag', () => `${repository()}:9.9.9`],
    ['an unknown repository', () => `${plain.host}/your-org/never-pushed:1`],
    ['an unknown digest', () => `${repository()}@${MISSING_DIGEST}`],
  ])('reports %s as not found', async (_what, reference) => {
    const resolved = await client().resolveManifest(reference());
    expect(resolved.status).toBe('not_found');
  });

  it('uses latest when the reference has neither tag nor digest', async () => {
    const registry = client();
    const pushed = await registry.pushImage(`${plain.host}/your-org/defaults`, {});
    expect(pushed.reference.toString()).toBe(`${plain.host}/your-org/defaults@${pushed.digest}`);
    expect(await registry.resolveManifest(`${plain.host}/your-org/defaults:latest`)).toMatchObject({
      digest: pushed.digest,
    });
  });
});

describe('a registry with htpasswd', () => {
  const reference = () => `${secured.host}/your-org/private:1.0.0`;
  let digest: string;

  beforeAll(async () => {
    network = loopbackOnlyFetch();
    digest = (
      await client({ credentials: ALICE }).pushImage(reference(), {
        layers: [Buffer.from('private')],
      })
    ).digest;
  });

  it('answers 401 to anonymous reads: unauthorized, not "not found"', async () => {
    const resolved = await client().resolveManifest(reference());
    expect(resolved).toMatchObject({ status: 'unauthorized', reason: 'no_credentials' });
  });

  it('serves the digest with the right credentials', async () => {
    expect(await client({ credentials: ALICE }).resolveManifest(reference())).toMatchObject({
      status: 'found',
      digest,
    });
  });

  it('tells a wrong password apart from no credentials, and never repeats it', async () => {
    const resolved = await client({
      credentials: { ...ALICE, password: 'wrong-password-123' },
    }).resolveManifest(reference());
    expect(resolved).toMatchObject({ status: 'unauthorized', reason: 'credentials_rejected' });
    expect(JSON.stringify(resolved)).not.toContain('wrong-password-123');
  });

  it('still says not found for a missing tag when the credentials are right', async () => {
    expect(
      (await client({ credentials: ALICE }).resolveManifest(`${secured.host}/your-org/private:0`))
        .status,
    ).toBe('not_found');
  });

  it('refuses anonymous writes', async () => {
    const error = await client()
      .pushImage(`${secured.host}/your-org/anon:1`, {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('unauthorized');
  });

  it('takes credentials from the Docker config chain', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'registry-client-docker-config-'));
    try {
      const auth = Buffer.from(`${USER.username}:${USER.password}`).toString('base64');
      await writeFile(
        join(dir, 'config.json'),
        JSON.stringify({ auths: { [secured.host]: { auth } } }),
      );
      const registry = client({
        credentials: async (host) =>
          (
            await resolveDockerCredentials(host, {
              env: { DOCKER_CONFIG: dir, PATH: process.env.PATH },
            })
          ).credentials,
      });
      expect(await registry.resolveManifest(reference())).toMatchObject({
        status: 'found',
        digest,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sends Basic credentials to the registry host only', async () => {
    await client({ credentials: ALICE }).resolveManifest(reference());
    expect(network.requests.every(({ url }) => new URL(url).host === secured.host)).toBe(true);
  });
});

describe('registries beyond loopback', () => {
  it('are reached over HTTPS: no plain-HTTP request ever leaves for them', async () => {
    const resolved = await client({ retry: { attempts: 1 } }).resolveManifest(
      'registry.example.com/your-org/x:1',
    );
    expect(resolved.status).toBe('unavailable');
    expect(network.refused).toEqual(['https://registry.example.com/v2/']);
    network.refused.length = 0;
  });

  it('get plain HTTP only when listed as insecure', async () => {
    const registry = client({
      retry: { attempts: 1 },
      insecureRegistries: ['registry.example.com:5000'],
    });
    await registry.resolveManifest('registry.example.com:5000/your-org/x:1');
    expect(network.refused).toEqual(['http://registry.example.com:5000/v2/']);
    network.refused.length = 0;
  });

  it('keep the Docker Hub API host for docker.io references', async () => {
    await client({ retry: { attempts: 1 } }).resolveManifest('ubuntu:22.04');
    expect(network.refused).toEqual(['https://registry-1.docker.io/v2/']);
    network.refused.length = 0;
  });
});
