// Every route's role, as the contract declares it and as the emulator enforces it: for each
// route, over HTTP, a caller below the role is refused before the request's shape is looked at,
// and a caller with the role gets past the gate.
import {
  type OperationId,
  type RouteAuth,
  type RouteDefinition,
  routes,
} from '@hla-compass/platform-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNTS,
  type AccountName,
  type CallOptions,
  startTestPlatform,
  type TestPlatform,
} from './support/platform.js';

/** Written out, not read from the routes: a route added without an entry here fails the test. */
const ROLES = {
  login: 'none',
  exchangeCode: 'none',
  refresh: 'none',
  logout: 'none',
  me: 'user',
  publishConfig: 'user',
  publish: 'developer',
  publishStatus: 'user',
  approvePublish: 'superuser',
  rejectPublish: 'superuser',
  listReviewPublishes: 'superuser',
  listModules: 'user',
  getModule: 'user',
  listModuleVersions: 'user',
  listRegistries: 'orgAdmin',
  createRegistry: 'orgAdmin',
  deleteRegistry: 'orgAdmin',
  registerKey: 'user',
  listKeys: 'user',
  revokeKey: 'user',
} as const satisfies Record<OperationId, RouteAuth>;

type Caller = AccountName | 'anonymous';

/** Who is below each role and who holds it (for `orgAdmin`, of your-org, the org in the path). */
const CALLERS: Record<RouteAuth, { below: Caller[]; holding: Caller[] }> = {
  none: { below: [], holding: ['anonymous'] },
  user: { below: ['anonymous'], holding: ['viewer'] },
  developer: { below: ['anonymous', 'viewer'], holding: ['developer'] },
  orgAdmin: {
    below: ['anonymous', 'viewer', 'developer', 'other'],
    holding: ['admin', 'superuser'],
  },
  superuser: { below: ['anonymous', 'developer', 'admin'], holding: ['superuser'] },
};

/** A refusal by role: 401 for no credentials, else 403 with the role's code. */
const refusal = (auth: RouteAuth, caller: Caller) =>
  caller === 'anonymous'
    ? [401, 'UNAUTHENTICATED']
    : [403, auth === 'developer' ? 'DEVELOPER_ROLE_REQUIRED' : 'FORBIDDEN'];

/**
 * A request that names things that do not exist and sends a body that is not JSON: whoever gets
 * past the gate is answered by what follows it (400, 404, or 200 for a plain read), never 401 or
 * 403; whoever is below the role is refused before the body, so with the role's answer.
 */
function probe(route: RouteDefinition, caller: Caller): CallOptions {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
  const params = Object.fromEntries(
    names.map((name) => [name, name === 'orgId' ? 'your-org' : `no-such-${name}`]),
  );
  return {
    params,
    ...(route.request.body === undefined ? {} : { rawBody: '[' }),
    ...(caller === 'anonymous' ? {} : { apiKey: ACCOUNTS[caller].apiKey }),
  };
}

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(() => platform?.stop());

describe('route roles', () => {
  it('list every route of the contract with the role it declares', () => {
    expect(Object.keys(ROLES).sort()).toEqual(Object.keys(routes).sort());
    for (const [operationId, route] of Object.entries(routes)) {
      expect(route.auth, operationId).toBe(ROLES[operationId as OperationId]);
    }
  });

  describe.each(Object.entries(routes))('%s', (operationId, route: RouteDefinition) => {
    const { below, holding } = CALLERS[ROLES[operationId as OperationId]];

    // Nobody is below `none`.
    if (below.length > 0) {
      it.each(below)('refuses %s before reading the request', async (caller) => {
        const result = await platform.call('dev', route, probe(route, caller));
        expect([result.status, result.body.code]).toEqual(refusal(route.auth, caller));
      });
    }

    it.each(holding)('lets %s past the role gate', async (caller) => {
      const result = await platform.call('dev', route, probe(route, caller));
      expect([401, 403], JSON.stringify(result.body)).not.toContain(result.status);
    });
  });

  it("refuses an org admin another org's registries, and lets a superuser manage them", async () => {
    for (const route of [routes.listRegistries, routes.createRegistry, routes.deleteRegistry]) {
      const options = probe(route, 'admin');
      const params = { ...options.params, orgId: 'other-org' };
      const refused = await platform.call('dev', route, { ...options, params });
      expect([refused.status, refused.body.code], route.operationId).toEqual([403, 'FORBIDDEN']);
      expect(refused.body.message).toBe(
        'Forbidden: only admins of other-org (or a platform superuser) manage its registries',
      );
      const superuser = { ...probe(route, 'superuser'), params };
      const passed = await platform.call('dev', route, superuser);
      expect([401, 403], route.operationId).not.toContain(passed.status);
    }
  });

  it('say in the refusal what the role is needed for', async () => {
    const approve = await platform.call(
      'dev',
      routes.approvePublish,
      probe(routes.approvePublish, 'admin'),
    );
    expect(approve.body.message).toBe(
      'Forbidden: only a platform superuser can approve public modules; org admins cannot',
    );
    const publish = await platform.call('dev', routes.publish, probe(routes.publish, 'viewer'));
    expect(publish.body.message).toBe(
      `Module publish requires developer access: ${ACCOUNTS.viewer.email} is viewer in your-org (dev); ask an org admin for the developer role`,
    );
  });
});
