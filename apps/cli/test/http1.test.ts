// The fast path's HTTP/1.0 client: real servers on loopback, and answers it must refuse.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { http1, parseAnswer } from '../src/http1.js';

describe('http1', () => {
  it('asks a real server and reads its answer, body and headers', async () => {
    const server = createServer((request, answer) => {
      answer.setHeader('Docker-Content-Digest', 'sha256:abc');
      answer.end(
        JSON.stringify({
          method: request.method,
          url: request.url,
          accept: request.headers.accept,
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const answer = await http1({
        host: '127.0.0.1',
        port,
        method: 'GET',
        path: '/images/127.0.0.1:5000/a/b:1/json',
        headers: { Accept: 'application/json' },
        timeoutMs: 2000,
      });
      expect(answer?.status).toBe(200);
      expect(answer?.headers['docker-content-digest']).toBe('sha256:abc');
      expect(JSON.parse(answer?.body ?? '')).toEqual({
        method: 'GET',
        url: '/images/127.0.0.1:5000/a/b:1/json',
        accept: 'application/json',
      });
      const head = await http1({
        host: '127.0.0.1',
        port,
        method: 'HEAD',
        path: '/',
        timeoutMs: 2000,
      });
      expect(head).toMatchObject({ status: 200, body: '' });
    } finally {
      server.close();
    }
  });

  it('gives undefined for a server that never answers, one that is not there, and unsafe input', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      expect(
        await http1({ host: '127.0.0.1', port, method: 'GET', path: '/', timeoutMs: 200 }),
      ).toBeUndefined();
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
    expect(
      await http1({ host: '127.0.0.1', port, method: 'GET', path: '/', timeoutMs: 500 }),
    ).toBeUndefined();
    expect(
      await http1({ host: '127.0.0.1', port, method: 'GET', path: '/a b', timeoutMs: 200 }),
    ).toBeUndefined();
    expect(
      await http1({
        host: '127.0.0.1',
        port,
        method: 'GET',
        path: '/',
        headers: { 'X-A': 'b\r\nInjected: 1' },
        timeoutMs: 200,
      }),
    ).toBeUndefined();
  });

  it('refuses answers it cannot read whole', () => {
    const parse = (text: string) => parseAnswer(Buffer.from(text, 'latin1'), 'GET');
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')).toMatchObject({
      status: 200,
      body: 'ok',
    });
    expect(
      parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'),
    ).toBeUndefined();
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n')).toBeUndefined();
    expect(parse('SSH-2.0-OpenSSH\r\n\r\n')).toBeUndefined();
    expect(parse('HTTP/1.1 200 OK\r\nbroken header\r\n\r\n')).toBeUndefined();
  });
});
