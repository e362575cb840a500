// The CLI signs the v2 publish statement, which names the org GET /v1/auth/me answers with, so
// the body it sends is worth nothing in another org (issue 11, item 2). The built CLI against a
// loopback platform that keeps the body, verified here with @hla-compass/signing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { RegistryClient } from '@hla-compass/registry-client';
import { type JsonObject, verifyPublishStatement } from '@hla-compass/signing';
import { type RunningRegistry, startRegistry } from '@hla-compass/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSandbox } from './cli-process.js';

const TOKEN = 'v2-test-access-token';
let server: Server;
let url: string;
let registry: RunningRegistry;
const published: { imageRef: string; manifest: JsonObject; scope: 'org' | 'public' }[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const route = `${request.method} ${new URL(request.url ?? '/', 'http://x').pathname}`;
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return answer(401, {});
    if (route === 'GET /v1/auth/me') {
      return answer(200, {
        user: { id: 'u-7', email: 'dev@v2.test', name: 'Dev' },
        org: { id: 'org-signs', name: 'Org' },
        roles: ['developer'],
        superuser: false,
        environment: 'dev',
      });
    }
    if (route === 'GET /v1/modules/publish/config') {
      return answer(200, {
        environment: 'dev',
        registry: `${registry.host}/your-org`,
        allowlist: [`${registry.host}/your-org/*`],
        requireSignature: true,
        publicScopeRequiresApproval: true,
      });
    }
    if (route === 'POST /v1/modules/publish') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      published.push(body);
      const [repository, digest] = String(body.imageRef).split('@');
      return answer(202, {
        publishId: 'p-1',
        moduleId: 'm-1',
        versionId: 'v-1',
        state: 'APPROVED',
        status: 'completed',
        image: { repository, digest },
      });
    }
    return answer(404, { code: 'NOT_FOUND', message: route });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await registry?.stop();
});

it('signs the v2 statement with the org of GET /v1/auth/me, which no other org verifies', async () => {
  const sandbox = await createSandbox();
  try {
    const env = { HLA_ACCESS_TOKEN: TOKEN, HLA_API_ENDPOINT: url };
    expect((await sandbox.run(['init', 'org-bound'])).code).toBe(0);
    expect((await sandbox.run(['keys', 'init'])).code).toBe(0);
    const pushed = await new RegistryClient().pushImage(
      `${registry.host}/your-org/org-bound:0.1.0`,
      {
        layers: [Buffer.from('org-bound')],
      },
    );
    const result = await sandbox.run(['--env', 'dev', 'publish', '--json'], {
      env,
      cwd: join(sandbox.dir, 'org-bound'),
    });
    expect(result.code, result.stderr).toBe(0);
    const [body] = published;
    if (body === undefined) throw new Error('nothing was published');
    const statement = {
      environment: 'dev',
      repository: `${registry.host}/your-org/org-bound`,
      digest: pushed.digest,
      manifest: body.manifest,
      scope: body.scope,
    };
    const verified = verifyPublishStatement({ ...statement, org: 'org-signs' });
    expect(verified.valid && verified.statementType).toBe('hla-compass/publish-statement/v2');
    expect(verifyPublishStatement({ ...statement, org: 'other-org' }).valid).toBe(false);
    expect(verifyPublishStatement(statement).valid).toBe(false);
  } finally {
    await sandbox.cleanup();
  }
});
