// Reading what a pushed image is: its config blob (verified, redirects followed only to places
// that can be trusted with it) and the labels inside, against a real docker-registry.
import { type RunningRegistry, startRegistry } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildImage,
  imageConfigLabels,
  imageConfigLayers,
  MEDIA_TYPES,
  manifestContent,
  RegistryClient,
} from '../src/index.js';
import { type LoopbackFetch, loopbackOnlyFetch } from './support/loopback-fetch.js';
import { type FaultProxy, type ProxyAction, startProxy } from './support/proxy.js';

let registry: RunningRegistry;
let proxy: FaultProxy | undefined;
let network: LoopbackFetch;

const LABELS = { 'io.hla-compass.manifest.digest': `sha256:${'a'.repeat(64)}` };
const image = buildImage({ config: { Labels: LABELS }, layers: [Buffer.from('layer')] });

const client = () => new RegistryClient({ fetch: network.fetch, sleep: async () => undefined });

beforeAll(async () => {
  registry = await startRegistry();
  network = loopbackOnlyFetch();
  await client().pushImage(`${registry.host}/your-org/labelled:1.0.0`, {
    config: { Labels: LABELS },
    layers: [Buffer.from('layer')],
  });
});
afterAll(async () => {
  await registry?.stop();
});
beforeEach(() => {
  network = loopbackOnlyFetch();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  expect(network.refused).toEqual([]);
});

describe('getBlob', () => {
  it('reads a config blob verified against its digest, and its labels', async () => {
    const fetched = await client().getBlob(
      `${registry.host}/your-org/labelled`,
      image.config.digest,
    );
    expect(fetched.status).toBe('found');
    if (fetched.status !== 'found') return;
    expect(Buffer.from(fetched.body)).toEqual(Buffer.from(image.config.bytes));
    expect(imageConfigLabels(fetched.body)).toEqual(LABELS);
    expect(imageConfigLayers(fetched.body)).toEqual([
      expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    ]);
  });

  it('is not_found for a blob the registry does not have', async () => {
    const fetched = await client().getBlob(
      `${registry.host}/your-org/labelled`,
      `sha256:${'0'.repeat(64)}`,
    );
    expect(fetched.status).toBe('not_found');
  });

  it('refuses bytes that do not hash to the digest asked for', async () => {
    const alter: ProxyAction = {
      kind: 'forward',
      rewrite: (response) => ({
        ...response,
        body: Buffer.concat([response.body, Buffer.from(' ')]),
      }),
    };
    proxy = await startProxy(registry.url, () => alter);
    await expect(
      client().getBlob(`${proxy.host}/your-org/labelled`, image.config.digest),
    ).rejects.toMatchObject({ code: 'digest_mismatch' });
  });

  it('follows a redirect on the registry’s own origin, and refuses one to another plain-HTTP host', async () => {
    const blobPath = `/v2/your-org/labelled/blobs/${image.config.digest}`;
    proxy = await startProxy(registry.url, (request) =>
      request.path === blobPath
        ? { kind: 'respond', status: 307, headers: { location: `${blobPath}?redirected=1` } }
        : { kind: 'forward' },
    );
    const followed = await client().getBlob(`${proxy.host}/your-org/labelled`, image.config.digest);
    expect(followed.status).toBe('found');
    expect(proxy.requests.map((request) => request.path)).toContain(`${blobPath}?redirected=1`);
    await proxy.close();

    proxy = await startProxy(registry.url, (request) =>
      request.path === blobPath
        ? { kind: 'respond', status: 307, headers: { location: `${registry.url}${blobPath}` } }
        : { kind: 'forward' },
    );
    await expect(
      client().getBlob(`${proxy.host}/your-org/labelled`, image.config.digest),
    ).rejects.toMatchObject({ code: 'refused' });
  });
});

describe('manifestContent', () => {
  it('names the config of an image manifest', () => {
    expect(manifestContent(image.manifest.bytes, MEDIA_TYPES.ociManifest)).toEqual({
      kind: 'image',
      configDigest: image.config.digest,
    });
  });

  it('lists the manifests of an index with their platforms', () => {
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociIndex,
        manifests: [
          { digest: `sha256:${'1'.repeat(64)}`, platform: { os: 'linux', architecture: 'amd64' } },
          {
            digest: `sha256:${'2'.repeat(64)}`,
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
          { digest: `sha256:${'3'.repeat(64)}` },
        ],
      }),
    );
    expect(manifestContent(index, MEDIA_TYPES.ociIndex)).toEqual({
      kind: 'index',
      manifests: [
        { digest: `sha256:${'1'.repeat(64)}`, platform: 'linux/amd64' },
        { digest: `sha256:${'2'.repeat(64)}`, platform: 'linux/arm64/v8' },
        { digest: `sha256:${'3'.repeat(64)}` },
      ],
    });
  });

  it('says why a manifest cannot be read', () => {
    expect(manifestContent(Buffer.from('[]'), MEDIA_TYPES.ociManifest)).toBe(
      'the manifest is not a JSON object',
    );
    expect(manifestContent(Buffer.from('{"config":{}}'), MEDIA_TYPES.dockerManifest)).toBe(
      'the image manifest names no config digest',
    );
  });

  it('reads no labels from a config without them', () => {
    expect(imageConfigLabels(Buffer.from('{"config":{}}'))).toEqual({});
    expect(imageConfigLabels(Buffer.from('not json'))).toEqual({});
    expect(imageConfigLayers(Buffer.from('{"rootfs":{"diff_ids":["nope"]}}'))).toEqual([]);
  });
});
