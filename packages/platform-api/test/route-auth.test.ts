import { describe, expect, it } from 'vitest';
import { routeList } from '../src/index.js';

describe('route roles', () => {
  it('name, for every orgAdmin and superuser route, what the role is needed for', () => {
    for (const route of routeList) {
      const refusedByRole = route.auth === 'orgAdmin' || route.auth === 'superuser';
      expect(route.task !== undefined && route.task !== '', route.operationId).toBe(refusedByRole);
    }
  });

  it('put the org an orgAdmin route acts on in its path', () => {
    for (const route of routeList.filter((candidate) => candidate.auth === 'orgAdmin')) {
      expect(route.path, route.operationId).toContain('{orgId}');
    }
  });
});
