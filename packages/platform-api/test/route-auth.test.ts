import { describe, expect, it } from 'vitest';
import { routeList } from '../src/index.js';

describe('route roles', () => {
  it('name, for every orgAdmin and superuser route, what the role is needed for', () => {
    for (const route of routeList) {
      const refusedByRole = route.auth === 'orgAdmin' || route.auth === 'superuser';
      expect(route.task !== undefined && route.task !== '', route.operationId).toBe(refusedByRole);
    }
  });
});
