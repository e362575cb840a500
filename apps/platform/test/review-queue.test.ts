import { errorBodySchema, reviewPublishListSchema, routes } from '@hla-compass/platform-api';
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

const publishAs = async (...args: Parameters<typeof world.publishAs>) =>
  (await world.publishAs(...args)).publishId;

const queue = async (query: Record<string, string> = {}) => {
  const result = await platform.call('dev', routes.listReviewPublishes, {
    token: tokens.superuser,
    query,
  });
  expect(result.status).toBe(200);
  return reviewPublishListSchema.parse(result.body);
};

describe('the review queue', () => {
  it('lists every org’s SUBMITTED public publishes, oldest first, with org, submitter and digest', async () => {
    const first = await publishAs('developer', 'queued-first', '1.0.0', 'public');
    await publishAs('developer', 'org-only', '1.0.0', 'org');
    const second = await publishAs('other', 'queued-second', '2.0.0', 'public');

    const { items, total } = await queue();
    expect(items.map((item) => item.publishId)).toEqual([first, second]);
    expect(total).toBe(2);
    expect(items[0]).toMatchObject({
      moduleName: 'queued-first',
      version: '1.0.0',
      scope: 'public',
      state: 'SUBMITTED',
      orgId: 'your-org',
      submittedBy: { email: 'developer@your-org.test' },
      keyFingerprint: null,
      signature: null,
    });
    expect(items[0]?.image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(items[1]).toMatchObject({
      orgId: 'other-org',
      submittedBy: { email: 'developer@other-org.test' },
    });
  });

  it('drops a publish once decided, and lists it under its new state', async () => {
    const publishId = await publishAs('developer', 'decided-soon', '1.0.0', 'public');
    const rejected = await platform.call('dev', routes.rejectPublish, {
      token: tokens.superuser,
      params: { publishId },
      body: { reason: 'no README' },
    });
    expect(rejected.status).toBe(200);
    expect((await queue()).items.map((item) => item.publishId)).not.toContain(publishId);
    const history = await queue({ state: 'REJECTED' });
    expect(history.items.find((item) => item.publishId === publishId)).toMatchObject({
      state: 'REJECTED',
      failureReason: 'no README',
    });
  });

  it('pages with limit and offset over the total', async () => {
    const all = await queue();
    const page = await queue({ limit: '1', offset: '1' });
    expect(page).toMatchObject({ total: all.total, limit: 1, offset: 1 });
    expect(page.items.map((item) => item.publishId)).toEqual([all.items[1]?.publishId]);
  });

  it.each(['developer', 'admin', 'viewer'] as const)(
    'refuses a %s with 403 FORBIDDEN',
    async (account) => {
      const result = await platform.call('dev', routes.listReviewPublishes, {
        token: tokens[account],
      });
      expect(result.status).toBe(403);
      expect(errorBodySchema.parse(result.body)).toMatchObject({ code: 'FORBIDDEN' });
    },
  );

  it('refuses an unknown state with 400 INVALID_REQUEST and no caller with 401', async () => {
    const bad = await platform.call('dev', routes.listReviewPublishes, {
      token: tokens.superuser,
      query: { state: 'PENDING' },
    });
    expect(bad.status).toBe(400);
    expect(errorBodySchema.parse(bad.body).code).toBe('INVALID_REQUEST');
    const anonymous = await platform.call('dev', routes.listReviewPublishes);
    expect(anonymous.status).toBe(401);
  });
});
