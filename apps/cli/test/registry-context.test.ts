// context.registry(): the registry client every command gets, against a real loopback server. It
// sends the CLI's user agent, times each attempt out after HLA_COMPASS_HTTP_TIMEOUT_SECONDS, says
// why it retries on stderr, logs each attempt under --verbose, and is built once per context.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CommandContext, createContext } from '../src/context.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

let server: Server;
let registry: string;
let homeDir: string;
const seen: IncomingMessage[] = [];
/** Manifest requests to answer 503 before the registry answers properly. */
let unavailable = 0;

beforeAll(async () => {
  homeDir = await mkdtemp(join(tmpdir(), 'hla-registry-context-'));
  server = createServer((request, response) => {
    seen.push(request);
    if (request.url === '/v2/') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else if (request.url?.startsWith('/v2/your-org/silent/')) {
      // Never answers: only the client's timeout ends the wait.
    } else if (unavailable > 0) {
      unavailable--;
      response.writeHead(503).end();
    } else {
      response
        .writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'docker-content-digest': DIGEST,
          'content-length': '2',
        })
        .end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(homeDir, { recursive: true, force: true });
});
beforeEach(() => {
  seen.length = 0;
  unavailable = 0;
});

function context(
  env: Record<string, string> = {},
  verbose = false,
): { context: CommandContext; stderr: string[] } {
  const stderr: string[] = [];
  const created = createContext(
    {
      cwd: homeDir,
      homeDir,
      env,
      stdout: { write: () => true },
      stderr: { write: (chunk: string) => stderr.push(chunk) },
      stdin: (async function* () {})(),
    },
    { json: false, verbose },
    'push',
  );
  return { context: created, stderr };
}

describe('context.registry()', () => {
  it("sends the CLI's user agent and is built once per context", async () => {
    const { context: ctx } = context();
    const client = await ctx.registry();
    expect(await ctx.registry()).toBe(client);
    const resolved = await client.resolveManifest(`${registry}/your-org/module:1.0.0`);
    expect(resolved).toMatchObject({ status: 'found', digest: DIGEST });
    expect(seen.length).toBeGreaterThan(0);
    for (const request of seen) {
      expect(request.headers['user-agent']).toMatch(
        new RegExp(`^hla-compass/\\S+ node/${process.versions.node} ${process.platform}$`),
      );
    }
  });

  it('gives up an attempt after HLA_COMPASS_HTTP_TIMEOUT_SECONDS', async () => {
    const { context: ctx } = context({ HLA_COMPASS_HTTP_TIMEOUT_SECONDS: '1' });
    const client = await ctx.registry({ retry: { attempts: 1 } });
    const resolved = await client.resolveManifest(`${registry}/your-org/silent:1.0.0`);
    expect(resolved).toMatchObject({ status: 'unavailable' });
    expect((resolved as { message: string }).message).toContain('no answer within 1000 ms');
  });

  it('says on stderr why it retries', async () => {
    unavailable = 1;
    const { context: ctx, stderr } = context();
    const client = await ctx.registry();
    const resolved = await client.resolveManifest(`${registry}/your-org/module:1.0.0`);
    expect(resolved).toMatchObject({ status: 'found', digest: DIGEST });
    expect(stderr.join('')).toMatch(
      new RegExp(`request to ${registry.replace(/\./g, '\\.')} failed \\(HTTP 503\\); retrying in`),
    );
  });

  it('logs each attempt under --verbose, and none without', async () => {
    unavailable = 1;
    const verbose = context({}, true);
    await (await verbose.context.registry()).resolveManifest(`${registry}/your-org/module:1.0.0`);
    const lines = verbose.stderr.join('').split('\n');
    const manifest = `HEAD http://${registry}/v2/your-org/module/manifests/1.0.0`;
    expect(lines).toContainEqual(
      expect.stringMatching(/^debug: GET http:\/\/\S+\/v2\/ → 200 in \d+ ms$/),
    );
    expect(lines.filter((line) => line.startsWith(`debug: ${manifest} → `))).toEqual([
      expect.stringMatching(/→ 503 in \d+ ms$/),
      expect.stringMatching(/→ 200 in \d+ ms \(attempt 2\)$/),
    ]);
    const quiet = context();
    await (await quiet.context.registry()).resolveManifest(`${registry}/your-org/module:1.0.0`);
    expect(quiet.stderr.join('')).not.toContain('debug:');
  });
});
