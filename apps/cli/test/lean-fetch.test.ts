// leanFetch behaves as fetch does for what the platform and registry clients use, against a
// real loopback HTTP server.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runProcess } from '@hla-compass/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leanFetch } from '../src/lean-fetch.js';

let server: Server;
let base: string;
const received: { method: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const path = request.url ?? '/';
      if (path === '/json') {
        response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'abc' });
        response.end('{"ok":true}');
      } else if (path === '/challenge') {
        response.setHeader('www-authenticate', ['Basic realm="a"', 'Bearer realm="b"']);
        response.writeHead(401);
        response.end();
      } else if (path === '/redirect') {
        response.writeHead(302, { location: '/json' });
        response.end();
      } else if (path === '/empty') {
        response.writeHead(204);
        response.end();
      } else if (path === '/stream') {
        response.writeHead(200);
        response.write('first ');
        setTimeout(() => response.end('second'), 20);
      } else if (path === '/slow') {
        setTimeout(() => response.end('late'), 2_000);
      } else {
        response.writeHead(200);
        response.end(`echo ${request.method}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
});

describe('leanFetch', () => {
  it('returns status, headers (case-insensitive) and a JSON body', async () => {
    const response = await leanFetch(`${base}/json`);
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('X-Request-Id')).toBe('abc');
    expect(response.headers.get('missing')).toBeNull();
    expect(await response.json()).toEqual({ ok: true });
    await expect(response.text()).rejects.toThrow(/already read/);
  });

  it('joins repeated headers as fetch does', async () => {
    const response = await leanFetch(`${base}/challenge`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="a", Bearer realm="b"');
  });

  it('sends the method, headers and a string or byte body with its length', async () => {
    received.length = 0;
    await (
      await leanFetch(`${base}/echo`, {
        method: 'POST',
        headers: { 'x-test': '1' },
        body: '{"a":1}',
      })
    ).text();
    await (
      await leanFetch(`${base}/echo`, { method: 'PUT', body: new Uint8Array([1, 2, 3]) })
    ).text();
    expect(received[0]).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      headers: { 'x-test': '1', 'content-length': '7' },
    });
    expect(received[1]).toMatchObject({ method: 'PUT', headers: { 'content-length': '3' } });
  });

  it('streams the body through a reader', async () => {
    const response = await leanFetch(`${base}/stream`);
    const reader = response.body?.getReader();
    const chunks: string[] = [];
    for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
      chunks.push(Buffer.from(chunk.value).toString());
    }
    expect(chunks.join('')).toBe('first second');
  });

  it('reads a body once, whether through text() or a reader, as fetch does', async () => {
    const text = await leanFetch(`${base}/stream`);
    expect(text.bodyUsed).toBe(false);
    expect(await text.text()).toBe('first second');
    expect(text.bodyUsed).toBe(true);
    await expect(text.json()).rejects.toThrow(TypeError);

    // A body taken but not locked can still be read whole; a locked one cannot.
    const taken = await leanFetch(`${base}/stream`);
    expect(taken.body).not.toBeNull();
    expect(await taken.text()).toBe('first second');
    const locked = await leanFetch(`${base}/stream`);
    const reader = locked.body?.getReader();
    expect(locked.bodyUsed).toBe(true);
    await expect(locked.text()).rejects.toThrow(TypeError);
    await reader?.cancel();
  });

  it('has no body for 204, and an empty one for HEAD', async () => {
    const empty = await leanFetch(`${base}/empty`);
    expect(empty.body).toBeNull();
    expect(await empty.text()).toBe('');
    const head = await leanFetch(`${base}/json`, { method: 'HEAD' });
    expect(head.headers.get('content-type')).toBe('application/json');
    expect(new Uint8Array(await head.arrayBuffer())).toHaveLength(0);
  });

  it('never follows a redirect: "manual" returns it, "error" rejects', async () => {
    const manual = await leanFetch(`${base}/redirect`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe('/json');
    await expect(leanFetch(`${base}/redirect`, { redirect: 'error' })).rejects.toThrow(TypeError);
  });

  it('rejects with the signal’s reason on a timeout, like fetch', async () => {
    const failure = await leanFetch(`${base}/slow`, { signal: AbortSignal.timeout(50) }).catch(
      (error: unknown) => error,
    );
    expect((failure as Error).name).toBe('TimeoutError');
  });

  it('rejects a refused connection with a TypeError whose cause has the code', async () => {
    const port = await freePort();
    const failure = await leanFetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(((failure as Error).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('refuses other protocols and body types', async () => {
    await expect(leanFetch('ftp://127.0.0.1/')).rejects.toThrow(/unsupported protocol/);
    await expect(leanFetch(`${base}/`, { method: 'POST', body: new Blob(['x']) })).rejects.toThrow(
      /string and byte bodies/,
    );
  });

  // node:https is loaded on the first https URL (lean-fetch.ts): a real TLS server on loopback,
  // its self-signed certificate trusted through the agent leanFetch's requests go through.
  it('speaks https to an https URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hla-lean-fetch-tls-'));
    const previousCa = https.globalAgent.options.ca;
    let tls: https.Server | undefined;
    try {
      const ssl = await runProcess(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          'key.pem',
          '-out',
          'cert.pem',
        ],
        { cwd: dir },
      );
      expect(ssl.code, ssl.stderr).toBe(0);
      const [key, cert] = await Promise.all(
        ['key.pem', 'cert.pem'].map((name) => readFile(join(dir, name))),
      );
      tls = https.createServer({ key, cert }, (request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end(`secure ${request.method} ${request.url}`);
      });
      await new Promise<void>((resolve) => tls?.listen(0, '127.0.0.1', resolve));
      const { port } = tls.address() as AddressInfo;
      https.globalAgent.options.ca = cert;
      const response = await leanFetch(`https://127.0.0.1:${port}/tls`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('secure GET /tls');
    } finally {
      https.globalAgent.options.ca = previousCa;
      https.globalAgent.destroy();
      await new Promise((resolve) => (tls ? tls.close(resolve) : resolve(undefined)));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
