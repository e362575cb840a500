import { registryEntryListSchema, registryEntrySchema, routes } from '@hla-compass/platform-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform.js';

let platform: TestPlatform;
let admin: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  admin = await platform.login('dev', 'admin');
});

afterAll(() => platform?.stop());

const registries = (token: string, orgId = 'your-org') =>
  platform.call('dev', routes.listRegistries, { token, params: { orgId } });

describe('registry allowlist administration', () => {
  it('lists the seeded allowlist for the org admin', async () => {
    const result = await registries(admin);
    expect(result.status).toBe(200);
    expect(registryEntryListSchema.parse(result.body).items.map((entry) => entry.pattern)).toEqual([
      'localhost:5000/your-org/*',
      '127.0.0.1:5000/your-org/*',
      'ghcr.io/your-org/*',
      'localhost:5000/your-org',
      '127.0.0.1:5000/your-org',
    ]);
  });

  it('adds an entry with write-only credentials, infers its provider, and deletes it', async () => {
    const created = await platform.call('dev', routes.createRegistry, {
      token: admin,
      params: { orgId: 'your-org' },
      body: {
        pattern: 'ghcr.io/your-org/hla-modules/*',
        credentials: { username: 'bot', password: 's3cret-pull-token' },
      },
    });
    expect(created.status).toBe(201);
    const entry = registryEntrySchema.parse(created.body);
    expect(entry).toMatchObject({ provider: 'ghcr', hasCredentials: true });
    const listed = await registries(admin);
    expect(JSON.stringify(listed.body)).not.toContain('s3cret-pull-token');
    expect(JSON.stringify(created.body)).not.toContain('s3cret-pull-token');
    const config = await platform.call('dev', routes.publishConfig, { token: admin });
    expect(config.body.allowlist).toContain('ghcr.io/your-org/hla-modules/*');

    const deleted = await platform.call('dev', routes.deleteRegistry, {
      token: admin,
      params: { orgId: 'your-org', entryId: entry.id },
    });
    expect(deleted.status).toBe(204);
    const again = await platform.call('dev', routes.deleteRegistry, {
      token: admin,
      params: { orgId: 'your-org', entryId: entry.id },
    });
    expect([again.status, again.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('refuses patterns that are not normalized repositories', async () => {
    for (const pattern of [
      'your-org/*',
      'GHCR.IO/your-org/*',
      'ghcr.io/*',
      'ghcr.io',
      'ghcr.io/your-org/*/x',
      'ghcr.io/your-org:1.0',
    ]) {
      const result = await platform.call('dev', routes.createRegistry, {
        token: admin,
        params: { orgId: 'your-org' },
        body: { pattern },
      });
      expect([result.status, result.body.code], pattern).toEqual([400, 'INVALID_REQUEST']);
    }
  });

  it('accepts Docker Hub namespaces in the normalized form its hints suggest', async () => {
    const refused = await platform.call('dev', routes.createRegistry, {
      token: admin,
      params: { orgId: 'your-org' },
      body: { pattern: 'some-org/*' },
    });
    expect([refused.status, refused.body.code]).toEqual([400, 'INVALID_REQUEST']);
    const suggested = /write "([^"]+)"/.exec(refused.body.message)?.[1];
    expect(suggested).toBe('docker.io/some-org/*');

    for (const pattern of [suggested ?? '', 'docker.io/library/*']) {
      const created = await platform.call('dev', routes.createRegistry, {
        token: admin,
        params: { orgId: 'your-org' },
        body: { pattern },
      });
      expect(created.status, pattern).toBe(201);
      const entry = registryEntrySchema.parse(created.body);
      expect(entry.pattern).toBe(pattern);
      const deleted = await platform.call('dev', routes.deleteRegistry, {
        token: admin,
        params: { orgId: 'your-org', entryId: entry.id },
      });
      expect(deleted.status).toBe(204);
    }
  });

  it('forbids developers and other orgs’ admins; superusers may manage any org', async () => {
    const developer = await platform.login('dev', 'developer');
    expect((await registries(developer)).body.code).toBe('FORBIDDEN');
    const other = await platform.login('dev', 'other');
    const create = await platform.call('dev', routes.createRegistry, {
      token: other,
      params: { orgId: 'your-org' },
      body: { pattern: 'ghcr.io/other-org-takeover/*' },
    });
    expect([create.status, create.body.code]).toEqual([403, 'FORBIDDEN']);
    const superuser = await platform.login('dev', 'superuser');
    expect((await registries(superuser, 'other-org')).status).toBe(200);
    expect((await registries(superuser, 'no-such-org')).status).toBe(404);
    expect((await registries(admin, 'no-such-org')).body.code).toBe('FORBIDDEN');
  });

  it('gives the publish config of the caller’s org and env', async () => {
    const developer = await platform.login('staging', 'developer');
    const config = await platform.call('staging', routes.publishConfig, { token: developer });
    expect(config.body).toEqual({
      environment: 'staging',
      registry: '127.0.0.1:5000/your-org',
      allowlist: [
        'localhost:5000/your-org/*',
        '127.0.0.1:5000/your-org/*',
        'ghcr.io/your-org/*',
        'localhost:5000/your-org',
        '127.0.0.1:5000/your-org',
      ],
      requireSignature: true,
      publicScopeRequiresApproval: true,
    });
  });
});
