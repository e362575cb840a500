// The platform transport's retry rules, with an injected fetch and sleep (no clock involved).
import { parseRetryAfter } from '@hla-compass/registry-client/retry';
import { describe, expect, it } from 'vitest';
import { type HttpRequest, NetworkError, send } from '../src/platform/http.js';

function scripted(answers: (number | Error)[]) {
  const calls: { requestId: string; idempotencyKey: string | undefined }[] = [];
  const fetchImpl = (async (_url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    calls.push({
      requestId: headers['x-request-id'] ?? '',
      idempotencyKey: headers['idempotency-key'],
    });
    const next = answers.shift();
    if (next instanceof Error) throw next;
    return new Response('{}', {
      status: next ?? 200,
      headers: next === 429 ? { 'retry-after': '7' } : {},
    });
  }) as typeof fetch;
  const sleeps: number[] = [];
  const options = {
    timeoutMs: 1000,
    userAgent: 'test',
    fetch: fetchImpl,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  };
  return { calls, sleeps, options };
}

const refused = () =>
  Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
const reset = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
const request = (idempotent: boolean): HttpRequest => ({
  method: 'POST',
  url: 'http://127.0.0.1:1/v1/modules/publish',
  headers: { 'idempotency-key': 'key-1' },
  body: '{}',
  idempotent,
});

describe('send', () => {
  it('retries 5xx and network errors of an idempotent request, new request id each time, same key', async () => {
    const { calls, options } = scripted([503, reset(), 502, 200]);
    const response = await send(request(true), options);
    expect(response).toMatchObject({ status: 200, attempts: 4 });
    expect(new Set(calls.map((call) => call.requestId)).size).toBe(4);
    expect(new Set(calls.map((call) => call.idempotencyKey))).toEqual(new Set(['key-1']));
  });

  it('waits what Retry-After says on a 429, even for a request that is not idempotent', async () => {
    const { sleeps, options } = scripted([429, 200]);
    expect((await send(request(false), options)).status).toBe(200);
    expect(sleeps).toEqual([7000]);
  });

  it('does not repeat a non-idempotent request that may have reached the server', async () => {
    const fivexx = scripted([503, 200]);
    expect((await send(request(false), fivexx.options)).status).toBe(503);
    const dropped = scripted([reset(), 200]);
    await expect(send(request(false), dropped.options)).rejects.toBeInstanceOf(NetworkError);
    expect(dropped.calls).toHaveLength(1);
  });

  it('repeats any request whose connection was refused: it never arrived', async () => {
    const { calls, options } = scripted([refused(), 200]);
    expect((await send(request(false), options)).status).toBe(200);
    expect(calls).toHaveLength(2);
  });

  it('never retries other 4xx', async () => {
    for (const status of [400, 401, 403, 404, 409, 413, 422]) {
      const { calls, options } = scripted([status, 200]);
      expect((await send(request(true), options)).status).toBe(status);
      expect(calls).toHaveLength(1);
    }
  });

  it('stops after the last attempt and backs off exponentially with jitter', async () => {
    const { calls, sleeps, options } = scripted([500, 500, 500, 500, 500]);
    expect((await send(request(true), options)).status).toBe(500);
    expect(calls).toHaveLength(4);
    // random() = 0.5 → three quarters of base·2^(n-1)
    expect(sleeps).toEqual([300, 600, 1200]);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });
});
