import { describe, expect, it } from 'vitest';
import {
  ERROR_STATUS,
  publishAcceptedSchema,
  publishRequestSchema,
  routeList,
  routePath,
  routes,
  tokensSchema,
} from '../src/index.js';

describe('route table', () => {
  it('holds every route of SPEC §7 once', () => {
    const keys = routeList.map((route) => `${route.method} ${route.path}`).sort();
    expect(keys).toEqual(
      [
        'POST /v1/auth/login',
        'POST /v1/auth/token',
        'POST /v1/auth/refresh',
        'POST /v1/auth/logout',
        'GET /v1/auth/me',
        'GET /v1/modules/publish/config',
        'POST /v1/modules/publish',
        'GET /v1/modules/publish/{publishId}',
        'POST /v1/modules/publish/{publishId}/approve',
        'POST /v1/modules/publish/{publishId}/reject',
        'GET /v1/modules',
        'GET /v1/modules/{moduleId}',
        'GET /v1/modules/{moduleId}/versions',
        'GET /v1/orgs/{orgId}/registries',
        'POST /v1/orgs/{orgId}/registries',
        'DELETE /v1/orgs/{orgId}/registries/{entryId}',
        'POST /v1/keys',
        'GET /v1/keys',
        'DELETE /v1/keys/{fingerprint}',
        'GET /v1/admin/publishes',
      ].sort(),
    );
    expect(new Set(routeList.map((route) => route.operationId)).size).toBe(routeList.length);
  });

  it('declare for every path parameter a params schema field', () => {
    for (const route of routeList) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = Object.keys(route.request.params?.shape ?? {});
      expect(declared.sort(), route.operationId).toEqual(names.sort());
    }
  });

  it('name only known error codes, and UNAUTHENTICATED wherever a user is required', () => {
    for (const route of routeList) {
      for (const code of route.errors) expect(ERROR_STATUS).toHaveProperty(code);
      if (route.auth !== 'none')
        expect(route.errors, route.operationId).toContain('UNAUTHENTICATED');
    }
  });

  it('percent-encode parameters so fingerprints stay one path segment', () => {
    expect(routePath(routes.revokeKey, { fingerprint: 'SHA256:a/b+c=' })).toBe(
      '/v1/keys/SHA256%3Aa%2Fb%2Bc%3D',
    );
    expect(routePath(routes.publishStatus, { publishId: 'pub_1' })).toBe(
      '/v1/modules/publish/pub_1',
    );
    expect(routePath(routes.listModules)).toBe('/v1/modules');
  });

  it('refuse to build a path with a missing parameter', () => {
    expect(() => routePath(routes.deleteRegistry, { orgId: 'your-org' })).toThrow(/entryId/);
  });

  it('default the publish scope to org and keep the manifest as sent', () => {
    const parsed = publishRequestSchema.parse({
      imageRef: '127.0.0.1:5000/your-org/m:1.0.0',
      manifest: { name: 'm', extra: [1] },
    });
    expect(parsed.scope).toBe('org');
    expect(parsed.manifest).toEqual({ name: 'm', extra: [1] });
    expect(
      publishRequestSchema.safeParse({ imageRef: 'x', manifest: [], scope: 'org' }).success,
    ).toBe(false);
    expect(
      publishRequestSchema.safeParse({ imageRef: 'x', manifest: {}, scope: 'private' }).success,
    ).toBe(false);
  });

  it('parse the response shapes the CLI relies on', () => {
    expect(
      tokensSchema.parse({
        accessToken: 'a',
        refreshToken: 'r',
        expiresIn: 3600,
        tokenType: 'Bearer',
        access_token: 'a',
        refresh_token: 'r',
        expires_in: 3600,
        token_type: 'Bearer',
      }),
    ).toBeTruthy();
    const accepted = {
      publishId: 'pub_1',
      moduleId: 'mod_1',
      versionId: 'ver_1',
      moduleName: 'm',
      version: '1.0.0',
      environment: 'dev',
      scope: 'public',
      state: 'SUBMITTED',
      status: 'pending',
      image: { repository: '127.0.0.1:5000/your-org/m', digest: `sha256:${'a'.repeat(64)}` },
      imageRef: `127.0.0.1:5000/your-org/m@sha256:${'a'.repeat(64)}`,
    };
    expect(publishAcceptedSchema.parse(accepted)).toEqual(accepted);
    expect(publishAcceptedSchema.safeParse({ ...accepted, state: 'DONE' }).success).toBe(false);
  });
});
