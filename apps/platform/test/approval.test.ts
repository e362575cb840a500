import { publishStatusSchema, routes } from '@hla-compass/platform-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPlatform } from './support/platform.js';
import { type PublishingWorld, startPublishingWorld } from './support/publishing-world.js';

type Accounts = 'developer' | 'admin' | 'other' | 'superuser' | 'viewer';
let world: PublishingWorld<Accounts>;
let platform: TestPlatform;
let tokens: PublishingWorld<Accounts>['tokens'];

beforeAll(async () => {
  world = await startPublishingWorld({
    accounts: ['developer', 'admin', 'other', 'superuser', 'viewer'],
  });
  ({ platform, tokens } = world);
});

afterAll(() => world?.stop());

const publishAs = (...args: Parameters<typeof world.publishAs>) => world.publishAs(...args);

const moduleNames = async (token: string) =>
  (await platform.call('dev', routes.listModules, { token })).body.items.map(
    (item: { moduleName: string }) => item.moduleName,
  );

describe('public scope approval', () => {
  it('keeps a public version SUBMITTED, visible to its org only, until a superuser approves it', async () => {
    const submitted = await publishAs('developer', 'shared-tool', '1.0.0', 'public');
    expect(submitted.state).toBe('SUBMITTED');
    const status = await platform.call('dev', routes.publishStatus, {
      token: tokens.developer,
      params: { publishId: submitted.publishId },
    });
    expect(publishStatusSchema.parse(status.body)).toMatchObject({
      state: 'SUBMITTED',
      status: 'pending',
      currentPhase: 'approval',
      endTime: null,
    });
    expect(await moduleNames(tokens.viewer)).toContain('shared-tool');
    expect(await moduleNames(tokens.other)).not.toContain('shared-tool');
    const direct = await platform.call('dev', routes.getModule, {
      token: tokens.other,
      params: { moduleId: submitted.moduleId },
    });
    expect(direct.status).toBe(404);

    const approved = await platform.call('dev', routes.approvePublish, {
      token: tokens.superuser,
      params: { publishId: submitted.publishId },
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      state: 'APPROVED',
      status: 'completed',
      currentPhase: 'done',
    });
    expect(approved.body.endTime).not.toBeNull();

    const seen = await platform.call('dev', routes.getModule, {
      token: tokens.other,
      params: { moduleId: submitted.moduleId },
    });
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ moduleName: 'shared-tool', currentVersion: '1.0.0' });
    expect(seen.body.versions.map((v: { state: string }) => v.state)).toEqual(['APPROVED']);
  });

  it('shows other orgs only approved public versions, never org-scope, pending or rejected ones', async () => {
    await publishAs('developer', 'mixed', '1.0.0', 'public');
    const rejected = await publishAs('developer', 'mixed', '1.1.0', 'public');
    const pending = await publishAs('developer', 'mixed', '1.2.0', 'public');
    await publishAs('developer', 'mixed', '2.0.0', 'org');
    const first = await platform.call('dev', routes.listModules, { token: tokens.developer });
    const mixed = first.body.items.find(
      (item: { moduleName: string }) => item.moduleName === 'mixed',
    );
    expect(mixed.currentVersion).toBe('2.0.0');

    expect(await moduleNames(tokens.other)).not.toContain('mixed');
    const list = await platform.call('dev', routes.listModuleVersions, {
      token: tokens.developer,
      params: { moduleId: mixed.id },
    });
    const approveFirst = list.body.items.find((v: { version: string }) => v.version === '1.0.0');
    await platform.call('dev', routes.approvePublish, {
      token: tokens.superuser,
      params: { publishId: approveFirst.publishId },
    });
    const reject = await platform.call('dev', routes.rejectPublish, {
      token: tokens.superuser,
      params: { publishId: rejected.publishId },
      body: { reason: 'bundles an unpinned dependency' },
    });
    expect(reject.body).toMatchObject({
      state: 'REJECTED',
      status: 'failed',
      failureReason: 'bundles an unpinned dependency',
    });

    const visible = await platform.call('dev', routes.listModuleVersions, {
      token: tokens.other,
      params: { moduleId: mixed.id },
    });
    expect(visible.body.items.map((v: { version: string }) => v.version)).toEqual(['1.0.0']);
    const summary = (
      await platform.call('dev', routes.listModules, { token: tokens.other })
    ).body.items.find((item: { moduleName: string }) => item.moduleName === 'mixed');
    expect(summary.currentVersion).toBe('1.0.0');
    const own = await platform.call('dev', routes.listModuleVersions, {
      token: tokens.viewer,
      params: { moduleId: mixed.id },
    });
    expect(
      own.body.items
        .map((v: { version: string; state: string }) => `${v.version} ${v.state}`)
        .sort(),
    ).toEqual(['1.0.0 APPROVED', '1.1.0 REJECTED', '1.2.0 SUBMITTED', '2.0.0 APPROVED']);
    const otherStatus = await platform.call('dev', routes.publishStatus, {
      token: tokens.other,
      params: { publishId: pending.publishId },
    });
    expect([otherStatus.status, otherStatus.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('forbids approval by the submitter, by an org admin and by a developer; a decision is final', async () => {
    const own = await publishAs('superuser', 'platform-tool', '1.0.0', 'public');
    const self = await platform.call('dev', routes.approvePublish, {
      token: tokens.superuser,
      params: { publishId: own.publishId },
    });
    expect([self.status, self.body.code]).toEqual([403, 'FORBIDDEN']);
    expect(self.body.message).toMatch(/^Forbidden: you submitted/);

    const submitted = await publishAs('developer', 'needs-review', '1.0.0', 'public');
    for (const account of ['admin', 'developer', 'other'] as const) {
      const result = await platform.call('dev', routes.approvePublish, {
        token: tokens[account],
        params: { publishId: submitted.publishId },
      });
      expect([result.status, result.body.code], account).toEqual([403, 'FORBIDDEN']);
      expect(result.body.message).toMatch(/^Forbidden: only a platform superuser/);
    }
    const noReason = await platform.call('dev', routes.rejectPublish, {
      token: tokens.superuser,
      params: { publishId: submitted.publishId },
      body: { reason: '  ' },
    });
    expect([noReason.status, noReason.body.code]).toEqual([400, 'INVALID_REQUEST']);
    await platform.call('dev', routes.rejectPublish, {
      token: tokens.superuser,
      params: { publishId: submitted.publishId },
      body: { reason: 'no' },
    });
    const late = await platform.call('dev', routes.approvePublish, {
      token: tokens.superuser,
      params: { publishId: submitted.publishId },
    });
    expect([late.status, late.body.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(await moduleNames(tokens.other)).not.toContain('needs-review');
  });

  it('lets the org admin and superusers see a publish job, and not another developer of the org', async () => {
    const submitted = await publishAs('developer', 'job-visibility', '1.0.0', 'org');
    for (const account of ['developer', 'admin', 'superuser'] as const) {
      const seen = await platform.call('dev', routes.publishStatus, {
        token: tokens[account],
        params: { publishId: submitted.publishId },
      });
      expect(seen.status, account).toBe(200);
    }
    const viewer = await platform.call('dev', routes.publishStatus, {
      token: tokens.viewer,
      params: { publishId: submitted.publishId },
    });
    expect(viewer.status).toBe(404);
    const unknown = await platform.call('dev', routes.approvePublish, {
      token: tokens.superuser,
      params: { publishId: 'pub_unknown' },
    });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
  });
});
