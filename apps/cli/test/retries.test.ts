// Retries as SPEC §8 wants them, through a loopback proxy that injects failures in front of the
// emulator: 503 and 429 are retried with one Idempotency-Key and a new X-Request-Id per attempt,
// a response lost after the platform committed is replayed, other 4xx are never retried.

import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capturedOutput, createSandbox, type Sandbox } from './cli-process.js';
import { type PublishingWorld, startPublishingWorld } from './publishing-world.js';
import { login, storedTokens } from './sandbox-config.js';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  readonly requestId: string | undefined;
}

/** What the proxy does to the next matching requests: answer itself, or forward and drop the answer. */
type Fault = { status: number; retryAfter?: string } | 'lose-response';

let world: PublishingWorld;
let proxy: Server;
let proxyUrl: string;
let sandbox: Sandbox;
const seen: Seen[] = [];
const faults = new Map<string, Fault[]>();
const seenTokens: string[] = [];

beforeAll(async () => {
  world = await startPublishingWorld();
  proxy = createServer((request, response) => {
    void relay(request).then(
      ({ status, headers, body }) => {
        response.writeHead(status, headers);
        response.end(body);
      },
      () => {
        response.writeHead(500);
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  if (world === undefined) return;
  await world.stop();
  const secrets = [...world.secrets(), ...seenTokens];
  for (const output of capturedOutput)
    for (const secret of secrets) expect(output).not.toContain(secret);
});
beforeEach(async () => {
  seen.length = 0;
  faults.clear();
  sandbox = await createSandbox();
  await mkdir(sandbox.configDir, { recursive: true, mode: 0o700 });
  await writeFile(
    join(sandbox.configDir, 'config.json'),
    JSON.stringify({ environments: { dev: { apiUrl: `${proxyUrl}/dev` } } }),
  );
  await login(sandbox, world.users.developer, 'dev');
});
// afterEach also runs when beforeEach failed half-way, so no sandbox is left behind.
afterEach(async () => {
  if (sandbox === undefined) return;
  seenTokens.push(...(await storedTokens(sandbox, 'dev')));
  await sandbox.cleanup();
});

async function relay(request: IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const path = new URL(request.url ?? '/', 'http://proxy').pathname;
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  seen.push({
    method: request.method ?? '',
    path,
    idempotencyKey: header('idempotency-key'),
    requestId: header('x-request-id'),
  });
  const fault = faults.get(`${request.method} ${path}`)?.shift();
  if (fault !== undefined && fault !== 'lose-response') {
    return {
      status: fault.status,
      headers: {
        'content-type': 'text/plain',
        ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}),
      },
      body: 'injected failure',
    };
  }
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host',
    ),
  );
  const upstream = await fetch(`${world.emulator.url}${request.url}`, {
    method: request.method,
    headers,
    body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
  });
  const body = Buffer.from(await upstream.arrayBuffer());
  if (fault === 'lose-response') {
    return { status: 502, headers: { 'content-type': 'text/plain' }, body: 'the answer was lost' };
  }
  return {
    status: upstream.status,
    headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' },
    body,
  };
}

async function newModule(name: string) {
  expect((await sandbox.run(['init', name])).code).toBe(0);
  const image = `${world.plain.host}/your-org/${name}:0.1.0`;
  const digest = await world.pushImage(image);
  return { dir: join(sandbox.dir, name), image, digest };
}

const publishes = () =>
  seen.filter((request) => request.method === 'POST' && request.path === '/dev/v1/modules/publish');

describe('retries', () => {
  it('retries a 503 on publish with the same Idempotency-Key and a new X-Request-Id', async () => {
    const module = await newModule('retry-503');
    faults.set('POST /dev/v1/modules/publish', [{ status: 503 }, { status: 503 }]);
    const result = await sandbox.run(['publish', '--env', 'dev'], { cwd: module.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('request to the platform failed (HTTP 503); retrying in');
    const attempts = publishes();
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((attempt) => attempt.idempotencyKey)).size).toBe(1);
    // Derived from what is published, so a rerun of the same publish is a retry too.
    expect(attempts[0]?.idempotencyKey).toMatch(/^hlc-publish-[A-Za-z0-9_-]{43}$/);
    expect(new Set(attempts.map((attempt) => attempt.requestId)).size).toBe(3);
  });

  it('honours Retry-After on a 429', async () => {
    const module = await newModule('retry-429');
    faults.set('GET /dev/v1/modules/publish/config', [{ status: 429, retryAfter: '1' }]);
    const result = await sandbox.run(['publish', '--env', 'dev'], { cwd: module.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('request to the platform failed (HTTP 429); retrying in 1.0 s');
  });

  it('replays the first answer when the response to a committed publish was lost', async () => {
    const module = await newModule('lost-answer');
    faults.set('POST /dev/v1/modules/publish', ['lose-response']);
    const result = await sandbox.run(['publish', '--env', 'dev', '--json'], { cwd: module.dir });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      state: 'APPROVED',
      image: { digest: module.digest },
    });
    expect(publishes()).toHaveLength(2);
    const listed = await world.api('dev', world.users.developer.apiKey ?? '', 'GET', '/v1/modules');
    const mine = (listed.body as { items: { moduleName: string; id: string }[] }).items.filter(
      (item) => item.moduleName === 'lost-answer',
    );
    expect(mine).toHaveLength(1);
  });

  it('gives up with exit 4 when the platform keeps failing', async () => {
    const module = await newModule('always-503');
    faults.set(
      'POST /dev/v1/modules/publish',
      Array.from({ length: 10 }, () => ({ status: 503 })),
    );
    const result = await sandbox.run(['publish', '--env', 'dev'], { cwd: module.dir });
    expect(result.code).toBe(4);
    expect(publishes()).toHaveLength(4);
  });

  it('never retries a refusal such as VERSION_EXISTS', async () => {
    const module = await newModule('no-retry');
    expect((await sandbox.run(['publish', '--env', 'dev'], { cwd: module.dir })).code).toBe(0);
    // Another image for the version (the same one again would be the same publish, answered).
    await world.pushImage(module.image, 'rebuilt');
    seen.length = 0;
    const again = await sandbox.run(['publish', '--env', 'dev'], { cwd: module.dir });
    expect(again.code).toBe(1);
    expect(publishes()).toHaveLength(1);
  });
});
