import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../src/index.js';

describe('the fault proxy', () => {
  let upstream: Server;
  let proxy: FaultProxy;
  const received: { method?: string; path?: string; body: string }[] = [];

  beforeAll(async () => {
    upstream = createServer((request, answer) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ method: request.method, path: request.url, body });
        answer.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': 'yes' });
        answer.end(`echo ${body}`);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    proxy = await startFaultProxy({ upstream: `http://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await proxy.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('forwards requests and answers unchanged when no fault matches', async () => {
    const answer = await fetch(`${proxy.url}/v2/x`, { method: 'POST', body: 'hello' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-upstream')).toBe('yes');
    expect(await answer.text()).toBe('echo hello');
    expect(proxy.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v2/x' });
  });

  it('answers a status without forwarding, only as often as told', async () => {
    const before = received.length;
    proxy.inject({ kind: 'status', status: 503, body: '{}', path: /^\/busy/, times: 1 });
    expect((await fetch(`${proxy.url}/busy`)).status).toBe(503);
    expect(received.length).toBe(before);
    expect((await fetch(`${proxy.url}/busy`)).status).toBe(200);
    expect(received.length).toBe(before + 1);
  });

  it('loses the answer of a request the upstream did handle', async () => {
    const before = received.length;
    proxy.inject({ kind: 'lose-answer', method: 'PUT', times: 1 });
    await expect(fetch(`${proxy.url}/commit`, { method: 'PUT', body: 'x' })).rejects.toThrow();
    expect(received.slice(before)).toEqual([{ method: 'PUT', path: '/commit', body: 'x' }]);
    expect(proxy.requests.at(-1)?.fault).toBe('lose-answer');
  });

  it('stalls: no answer arrives', async () => {
    proxy.inject({ kind: 'stall', path: /^\/stall$/, times: 1 });
    await expect(
      fetch(`${proxy.url}/stall`, { signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
  });

  it('stalls an upload after the first bytes', async () => {
    const before = received.length;
    proxy.inject({ kind: 'stall-upload', afterBytes: 3, path: /^\/upload$/, times: 1 });
    await expect(
      fetch(`${proxy.url}/upload`, {
        method: 'PATCH',
        body: 'abcdefgh',
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    expect(received.length).toBe(before);
  });

  it('resets the connection, and heals', async () => {
    proxy.inject({ kind: 'reset' });
    await expect(fetch(`${proxy.url}/any`)).rejects.toThrow();
    proxy.heal();
    expect((await fetch(`${proxy.url}/any`)).status).toBe(200);
  });

  it('refuses an upstream that is not on loopback', async () => {
    await expect(startFaultProxy({ upstream: 'http://192.0.2.1:80' })).rejects.toThrow(/loopback/);
  });
});
