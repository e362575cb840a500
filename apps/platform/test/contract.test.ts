import { openApiDocument, routeList, routes } from '@hla-compass/platform-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { honoPath } from '../src/http/implement.js';
import { createEnvApp } from '../src/index.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(() => platform?.stop());

describe('the emulator implements the platform-api contract', () => {
  it('registers every route of the contract, and no other API route', () => {
    // Registration reads nothing from the context; handlers would.
    const context = {} as Parameters<typeof createEnvApp>[0];
    const implemented = createEnvApp(context)
      .routes.filter((route) => route.path !== '/cli-login')
      .map((route) => `${route.method} ${route.path}`)
      .sort();
    const contract = routeList.map((route) => `${route.method} ${honoPath(route)}`).sort();
    expect(implemented).toEqual(contract);
  });

  it('serves the OpenAPI document at /openapi.json', async () => {
    const response = await fetch(`${platform.url}/openapi.json`);
    expect(response.status).toBe(200);
    const served = (await response.json()) as { paths: object; servers: { url: string }[] };
    expect(served.paths).toEqual(JSON.parse(JSON.stringify(openApiDocument().paths)));
    expect(served.servers[0]?.url).toBe(`${platform.url}/{environment}`);
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${platform.url}/healthz`);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      environments: ['local', 'dev', 'staging', 'prod'],
    });
  });

  it('puts X-Request-Id on every response, echoing a sane client id, also in error bodies', async () => {
    const echoed = await platform.call('dev', routes.me, {
      headers: { 'x-request-id': 'cli-attempt-1' },
    });
    expect(echoed.headers.get('x-request-id')).toBe('cli-attempt-1');
    expect(echoed.body.requestId).toBe('cli-attempt-1');
    const generated = await platform.call('dev', routes.me, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^req_/);
    expect(generated.body.requestId).toBe(generated.headers.get('x-request-id'));
    const health = await fetch(`${platform.url}/healthz`);
    expect(health.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('answers unknown routes and envs with NOT_FOUND in the error shape', async () => {
    for (const path of ['/dev/v1/nope', '/qa/v1/modules', '/v1/modules']) {
      const response = await fetch(`${platform.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('answers a bad path parameter or query with INVALID_REQUEST', async () => {
    const token = await platform.login('dev', 'viewer');
    const result = await platform.call('dev', routes.listModules, { token, query: { limit: '0' } });
    expect([result.status, result.body.code]).toEqual([400, 'INVALID_REQUEST']);
  });
});
