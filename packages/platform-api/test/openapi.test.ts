import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, openApiDocument, routeList } from '../src/index.js';

type Json = Record<string, unknown>;

describe('openApiDocument', () => {
  const document = openApiDocument({ baseUrl: 'http://127.0.0.1:4100' });
  const paths = document.paths as Record<string, Record<string, Json>>;
  const components = (document.components as Json).schemas as Record<string, Json>;

  it('is OpenAPI 3.1 with one server variable per environment', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(JSON.stringify(document.servers)).toContain('"enum":["local","dev","staging","prod"]');
  });

  it('describes every route of the table, and nothing else', () => {
    const described = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(described.sort()).toEqual(routeList.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of routeList) {
      const op = paths[route.path]?.[route.method.toLowerCase()];
      expect(op?.operationId).toBe(route.operationId);
    }
  });

  it('lists each error code under its status with the error schema', () => {
    for (const route of routeList) {
      const responses = paths[route.path]?.[route.method.toLowerCase()]?.responses as Record<
        string,
        Json
      >;
      for (const code of route.errors) {
        const response = responses[String(ERROR_STATUS[code])];
        expect(response?.['x-error-codes'], `${route.operationId} ${code}`).toContain(code);
      }
    }
  });

  it('resolves every $ref to a component schema', () => {
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(10);
    for (const [, id] of refs) expect(components, id).toHaveProperty(id as string);
  });

  it('describes request bodies as sent (defaults optional) and responses as returned', () => {
    expect(components.PublishRequest?.required).toEqual(['imageRef', 'manifest']);
    expect(components.PublishAccepted?.required).toContain('imageRef');
  });

  it('marks the sign-in routes as open and the others as needing credentials', () => {
    expect(paths['/v1/auth/login']?.post?.security).toEqual([]);
    expect(paths['/v1/modules']?.get?.security).toEqual([{ bearerAuth: [] }, { apiKey: [] }]);
  });
});
