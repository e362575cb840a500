import { access } from 'node:fs/promises';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningRegistry, startRegistry } from '../src/index.js';

const started: RunningRegistry[] = [];

async function start(options?: Parameters<typeof startRegistry>[0]): Promise<RunningRegistry> {
  const registry = await startRegistry(options);
  started.push(registry);
  return registry;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

afterAll(async () => {
  await Promise.all(started.map((registry) => registry.stop()));
});

describe('startRegistry', () => {
  it('serves the Distribution API on a free loopback port', async () => {
    const registry = await start();
    expect(registry.url).toBe(`http://127.0.0.1:${registry.port}`);
    expect(registry.host).toBe(`127.0.0.1:${registry.port}`);
    const response = await fetch(`${registry.url}/v2/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(registry.credentials).toBeUndefined();
  });

  it('requires the htpasswd user when asked to', async () => {
    const user = { username: 'alice', password: 'pa ss:word' };
    const registry = await start({ htpasswd: user });
    expect(registry.credentials).toEqual(user);
    expect((await fetch(`${registry.url}/v2/`)).status).toBe(401);
    const basic = (password: string) => ({
      authorization: `Basic ${Buffer.from(`${user.username}:${password}`).toString('base64')}`,
    });
    expect((await fetch(`${registry.url}/v2/`, { headers: basic(user.password) })).status).toBe(
      200,
    );
    expect((await fetch(`${registry.url}/v2/`, { headers: basic('wrong') })).status).toBe(401);
  });

  it('runs several registries side by side, each with its own storage', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a?.port).not.toBe(b?.port);
    expect(a?.storageDir).not.toBe(b?.storageDir);
  });

  it('stops the process, frees the port and removes its files; twice is fine', async () => {
    const registry = await startRegistry();
    await registry.stop();
    await registry.stop();
    expect(await accepts(registry.port)).toBe(false);
    await expect(access(registry.storageDir)).rejects.toThrow();
  });
});
