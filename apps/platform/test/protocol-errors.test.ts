// Requests Node's HTTP parser refuses before any route runs, sent over a raw loopback socket:
// they still get the error envelope and an X-Request-Id.
import { connect } from 'node:net';
import { errorBodySchema } from '@hla-compass/platform-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform.js';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(() => platform.stop());

/** Writes `bytes` and reads everything the server sends until it closes the connection. */
function exchange(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(platform.running.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

function parseResponse(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = new Map(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

describe('protocol errors', () => {
  it('answer headers over 16 KiB with 431 and the error envelope', async () => {
    const raw = await exchange(
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${platform.running.port}\r\nX-Padding: ${'a'.repeat(32 * 1024)}\r\n\r\n`,
    );
    const response = parseResponse(raw);
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = errorBodySchema.parse(JSON.parse(response.body));
    expect(body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.message).toContain('headers');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(body.requestId).toBe(response.headers.get('x-request-id'));
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(response.body));
  });

  it('answer a malformed request line with 400 INVALID_REQUEST and the error envelope', async () => {
    for (const line of ['NOT A REQUEST\r\n\r\n', 'GET /healthz HTTP/9 9\r\n\r\n']) {
      const response = parseResponse(await exchange(line));
      expect(response.status, line).toBe(400);
      const body = errorBodySchema.parse(JSON.parse(response.body));
      expect(body.code).toBe('INVALID_REQUEST');
      expect(body.requestId).toBe(response.headers.get('x-request-id'));
    }
  });

  it('leave the server answering requests afterwards', async () => {
    await exchange('NOT A REQUEST\r\n\r\n');
    const health = await fetch(`${platform.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
