// The emulator as a container runs it: listening beyond loopback, reached by a compose service
// name or a published port, and checking images at a registry that answers at another address
// than references name it. Real HTTP from a non-loopback peer: this machine's own non-loopback
// address (a connection to it comes from it), never another host.
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { ENVIRONMENTS, routes } from '@hla-compass/platform-api';
import { isLoopbackHost } from '@hla-compass/platform-api/loopback';
import { freePort } from '@hla-compass/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banner } from '../src/banner.js';
import { isOwnAuthority, normalizeAllowedHost } from '../src/http/same-origin.js';
import { type RunningPlatform, startPlatform } from '../src/index.js';
import {
  parseRegistryEndpoints,
  RegistryEndpointError,
} from '../src/services/registry-endpoints.js';
import { clientUrl, StartError } from '../src/start.js';
import { killLeftoverBins, runBin, startBin } from './support/bin.js';
import { inProcessEmulator, manifest, TestPlatform } from './support/platform.js';
import {
  pushImage,
  startTestRegistries,
  type TestRegistries,
  testSeed,
} from './support/registries.js';

/** An IPv4 address of this machine that is not loopback; the test fails loudly without one. */
function ownNonLoopbackAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  throw new Error(
    'this machine has no non-loopback IPv4 address, which the non-loopback peer tests connect from',
  );
}

const CONTROL_TOKEN = `hlc_emu_${'c'.repeat(40)}`;

describe('the /_emulator routes of an emulator listening beyond loopback', () => {
  let running: RunningPlatform;
  let address: string;

  beforeAll(async () => {
    address = ownNonLoopbackAddress();
    running = await startPlatform({ host: address, port: 0, controlToken: CONTROL_TOKEN });
  });
  afterAll(() => running?.stop());

  const reset = (headers: Record<string, string>) =>
    fetch(`http://${address}:${running.port}/_emulator/reset?env=dev`, {
      method: 'POST',
      headers,
    });

  it('reset for a non-loopback client that sends the control token and JSON', async () => {
    const answer = await reset({
      'content-type': 'application/json',
      'x-emulator-token': CONTROL_TOKEN,
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ reset: ['dev'] });
  });

  it('refuse that client without the token, or with another one (403)', async () => {
    for (const headers of [
      { 'content-type': 'application/json' } as Record<string, string>,
      { 'content-type': 'application/json', 'x-emulator-token': `hlc_emu_${'x'.repeat(40)}` },
    ]) {
      const answer = await reset(headers);
      expect(answer.status).toBe(403);
      expect(((await answer.json()) as { code: string }).code).toBe('FORBIDDEN');
    }
  });

  it('still want JSON from a client with the token (400)', async () => {
    const answer = await reset({ 'content-type': 'text/plain', 'x-emulator-token': CONTROL_TOKEN });
    expect(answer.status).toBe(400);
  });
});

describe('which connections the token alone lets in', () => {
  it('one that arrived at a non-loopback address of ours; never a non-loopback peer at a loopback one', async () => {
    const { platform, app } = await inProcessEmulator(CONTROL_TOKEN);
    const reset = async (localAddress: string, remoteAddress: string) =>
      (
        await app.fetch(
          new Request('http://127.0.0.1:4100/_emulator/reset?env=dev', {
            method: 'POST',
            headers: { 'x-emulator-token': CONTROL_TOKEN, 'content-type': 'application/json' },
          }),
          { incoming: { socket: { localAddress, remoteAddress, remoteFamily: 'IPv4' } } },
        )
      ).status;
    try {
      // A container's published port: the peer is the network's gateway, the address its own.
      expect(await reset('172.17.0.2', '172.17.0.1')).toBe(200);
      expect(await reset('127.0.0.1', '127.0.0.1')).toBe(200);
      expect(await reset('127.0.0.1', '192.0.2.10')).toBe(403);
      expect(await reset('::1', '192.0.2.10')).toBe(403);
    } finally {
      platform.close();
    }
  });
});

describe('the names an emulator in a container is reached by', () => {
  let running: RunningPlatform;
  let address: string;
  const publishedPort = 14_100;

  beforeAll(async () => {
    address = ownNonLoopbackAddress();
    running = await startPlatform({
      host: '0.0.0.0',
      port: 0,
      publicUrl: `http://127.0.0.1:${publishedPort}`,
      allowedHosts: ['platform', 'ci-alias.example:8080'],
    });
  });
  afterAll(() => running?.stop());

  // node:http, not fetch: fetch sends the URL's own Host whatever the headers say.
  const healthWithHost = (host: string) =>
    new Promise<number | undefined>((resolve, reject) => {
      const sent = request(
        { host: address, port: running.port, path: '/healthz', headers: { host } },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      sent.once('error', reject);
      sent.end();
    });

  it('accepts an allowed name with the listening port, one with its own port, and the public URL', async () => {
    expect(await healthWithHost(`platform:${running.port}`)).toBe(200);
    expect(await healthWithHost('ci-alias.example:8080')).toBe(200);
    expect(await healthWithHost(`127.0.0.1:${publishedPort}`)).toBe(200);
    expect(await healthWithHost(`localhost:${publishedPort}`)).toBe(200);
    // A healthcheck inside the container asks the listening port on loopback.
    expect(await healthWithHost(`127.0.0.1:${running.port}`)).toBe(200);
  });

  it('refuses other names, an allowed name on another port, and the wildcard address', async () => {
    for (const host of [
      `evil.example:${running.port}`,
      `platform.evil.example:${running.port}`,
      'platform:1',
      `0.0.0.0:${running.port}`,
      `${address}:${running.port}`,
    ]) {
      expect(await healthWithHost(host), host).toBe(403);
    }
  });

  it('gives a URL a client can use: the public one, never 0.0.0.0', () => {
    expect(running.url).toBe(`http://127.0.0.1:${publishedPort}`);
  });

  it('refuses an allowed host that is no name before it starts', async () => {
    for (const entry of ['0.0.0.0', 'user@platform', 'platform/x', '']) {
      await expect(startPlatform({ port: 0, allowedHosts: [entry] }), entry).rejects.toThrow(
        StartError,
      );
    }
    await expect(startPlatform({ port: 0, publicUrl: 'http://127.0.0.1:4100/x' })).rejects.toThrow(
      /origin only/,
    );
  });
});

describe('allowed hosts and client URLs', () => {
  it('normalizes an allowed host, taking the listening port when it names none', () => {
    expect(normalizeAllowedHost('Platform', 4100)).toBe('platform:4100');
    expect(normalizeAllowedHost('platform:8080', 4100)).toBe('platform:8080');
    expect(normalizeAllowedHost('[::]', 4100)).toBeUndefined();
  });

  it('lets a loopback allowed authority stand for every loopback name at its port', () => {
    const self = new URL('http://127.0.0.1:14100');
    expect(isOwnAuthority('localhost:4100', self, ['127.0.0.1:4100'])).toBe(true);
    expect(isOwnAuthority('localhost:4101', self, ['127.0.0.1:4100'])).toBe(false);
    expect(isOwnAuthority('localhost:4100', self, ['platform:4100'])).toBe(false);
  });

  it('says 127.0.0.1 (or ::1) for a wildcard listening address', () => {
    expect(clientUrl('0.0.0.0', 4100)).toBe('http://127.0.0.1:4100');
    expect(clientUrl('::', 4100)).toBe('http://[::1]:4100');
    expect(clientUrl('192.0.2.7', 4100)).toBe('http://192.0.2.7:4100');
    // Whether the banner says remote clients can connect.
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
  });
});

describe('the banner of an emulator in a container', () => {
  it('prints the client URL, the extra names and the registry endpoints, never 0.0.0.0', async () => {
    const running = await startPlatform({ host: '0.0.0.0', port: 0 });
    try {
      const text = banner({
        url: running.url,
        readyMs: 1,
        dataDir: '/data',
        seed: running.seed.seed,
        registry: 'not started (--registry none)',
        controlToken: running.controlToken,
        reachedAs: ['platform'],
        registryEndpoints: parseRegistryEndpoints(['127.0.0.1:5000=registry:5000']),
        remoteClients: true,
      }).join('\n');
      expect(text).not.toContain('0.0.0.0');
      expect(text).toContain(`listening on http://127.0.0.1:${running.port}`);
      for (const env of ENVIRONMENTS)
        expect(text).toContain(`http://127.0.0.1:${running.port}/${env}`);
      expect(text).toContain('also reached as: platform');
      expect(text).toContain('images of 127.0.0.1:5000 are checked at registry:5000');
      expect(text).toContain('/_emulator/* answers any client with the control token');
    } finally {
      await running.stop();
    }
  });
});

describe('registry endpoints', () => {
  let registries: TestRegistries;
  /** The name references use: a loopback port where nothing listens. */
  let named: string;

  beforeAll(async () => {
    registries = await startTestRegistries();
    named = `127.0.0.1:${await freePort()}`;
  });
  afterAll(() => registries?.stop());

  it('parses NAME=ADDRESS entries and refuses others', () => {
    expect([...parseRegistryEndpoints(['LOCALHOST:5000=registry:5000', ' '])]).toEqual([
      ['localhost:5000', 'registry:5000'],
    ]);
    for (const entry of ['registry:5000', '=registry:5000', '127.0.0.1:5000=', 'a=b/c']) {
      expect(() => parseRegistryEndpoints([entry]), entry).toThrow(RegistryEndpointError);
    }
  });

  async function publishFromNamedRegistry(endpoints: string[]) {
    const seed = testSeed(registries);
    for (const org of seed.orgs) {
      if (org.id === 'your-org') org.allowlist = [...org.allowlist, `${named}/your-org/*`];
    }
    const running = await startPlatform({
      port: 0,
      seed: { document: seed },
      registryEndpoints: parseRegistryEndpoints(endpoints),
    });
    const platform = new TestPlatform(running, undefined);
    try {
      const token = await platform.login('dev', 'developer');
      const name = `endpoint-${endpoints.length}`;
      const digest = await pushImage(registries.plain, `your-org/${name}`, '1.0.0');
      const answer = await platform.call('dev', routes.publish, {
        token,
        body: {
          imageRef: `${named}/your-org/${name}:1.0.0`,
          manifest: manifest(name, '1.0.0'),
          scope: 'org',
        },
      });
      return { answer, digest };
    } finally {
      await platform.stop();
    }
  }

  it('checks an image at the mapped address, under the name the reference and allowlist use', async () => {
    const { answer, digest } = await publishFromNamedRegistry([
      `${named}=${registries.plain.host}`,
    ]);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      state: 'APPROVED',
      image: { repository: `${named}/your-org/endpoint-1`, digest },
    });
  });

  it('without the mapping, finds no registry at the name (REGISTRY_UNAVAILABLE)', async () => {
    const { answer } = await publishFromNamedRegistry([]);
    expect([answer.status, (answer.body as { code: string }).code]).toEqual([
      502,
      'REGISTRY_UNAVAILABLE',
    ]);
  });
});

describe('the bin in a container', () => {
  afterAll(killLeftoverBins);

  it('takes the public URL, allowed hosts and registry endpoints from its environment', async () => {
    const bin = await startBin(
      ['--memory', '--port', '0', '--host', '0.0.0.0', '--registry', 'none'],
      {
        HLA_COMPASS_PLATFORM_PUBLIC_URL: 'http://127.0.0.1:14100',
        HLA_COMPASS_PLATFORM_ALLOWED_HOSTS: 'platform, ci-alias',
        HLA_COMPASS_PLATFORM_REGISTRY_ENDPOINTS: '127.0.0.1:5000=registry:5000',
      },
    );
    try {
      const output = bin.output();
      expect(bin.url).toBe('http://127.0.0.1:14100');
      expect(output).not.toContain('0.0.0.0');
      expect(output).toContain('also reached as: platform, ci-alias');
      expect(output).toContain('images of 127.0.0.1:5000 are checked at registry:5000');
    } finally {
      bin.child.kill('SIGTERM');
      await bin.exited;
    }
  });

  it('refuses a malformed registry endpoint (exit 2) and a wildcard allowed host (exit 1)', async () => {
    const endpoint = await runBin([
      'start',
      '--memory',
      '--registry',
      'none',
      '--registry-endpoint',
      'registry:5000',
    ]);
    expect(endpoint.code).toBe(2);
    expect(endpoint.output).toContain('must look like NAME=ADDRESS');
    const host = await runBin([
      'start',
      '--memory',
      '--port',
      '0',
      '--registry',
      'none',
      '--allowed-host',
      '0.0.0.0',
    ]);
    expect(host.code).toBe(1);
    expect(host.output).toContain('allowed host "0.0.0.0"');
  });
});
