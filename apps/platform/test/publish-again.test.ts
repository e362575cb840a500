// Sending a publish again after its answer was lost: the caller's very same publish (same image
// digest, manifest, scope and key) is answered 200 with the publish it made, as it stands now,
// whatever its Idempotency-Key; any difference, or another user, is still VERSION_EXISTS.
import { routes } from '@hla-compass/platform-api';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, startTestPlatform, type TestPlatform } from './support/platform.js';
import {
  loopbackOnlyResolver,
  pushImage,
  startTestRegistries,
  type TestRegistries,
  testSeed,
} from './support/registries.js';

let registries: TestRegistries;
let platform: TestPlatform;
let developer: string;
let admin: string;
let superuser: string;

beforeAll(async () => {
  registries = await startTestRegistries();
  platform = await startTestPlatform({
    persistent: true,
    seed: { document: testSeed(registries) },
    images: loopbackOnlyResolver(),
  });
  developer = await platform.login('dev', 'developer');
  admin = await platform.login('dev', 'admin');
  superuser = await platform.login('dev', 'superuser');
});

afterAll(async () => {
  await platform?.stop();
  await registries?.stop();
});

let counter = 0;
const uniqueName = (label: string) => `${label}-${++counter}`;

async function pushedModule(label: string) {
  const name = uniqueName(label);
  const repository = `${registries.plain.host}/your-org/${name}`;
  const digest = await pushImage(registries.plain, `your-org/${name}`, '1.0.0');
  const body = { imageRef: `${repository}:1.0.0`, manifest: manifest(name, '1.0.0'), scope: 'org' };
  return { name, digest, body };
}

function publish(token: string, body: unknown, headers: Record<string, string> = {}) {
  return platform.call('dev', routes.publish, { token, body, headers });
}

function versionCount(): number {
  const db = new Database(platform.running.databaseFile('dev') as string, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM versions').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('the same publish again', () => {
  it('is answered 200 with the publish it made, with another Idempotency-Key or none, and writes nothing', async () => {
    const module = await pushedModule('again');
    const first = await publish(developer, module.body, { 'idempotency-key': 'first-attempt' });
    expect(first.status).toBe(202);
    const before = versionCount();

    const unkeyed = await publish(developer, module.body);
    expect(unkeyed.status).toBe(200);
    expect(unkeyed.body).toEqual(first.body);

    // Its own key is recorded with that answer, so a retry of the rerun is a replay.
    const rerun = await publish(developer, module.body, { 'idempotency-key': 'second-run' });
    expect([rerun.status, rerun.body]).toEqual([200, first.body]);
    const replayed = await publish(developer, module.body, { 'idempotency-key': 'second-run' });
    expect([replayed.status, replayed.body]).toEqual([200, first.body]);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(versionCount()).toBe(before);
  });

  it('counts the manifest as JSON: the same fields in another order are the same publish', async () => {
    const module = await pushedModule('reordered');
    expect((await publish(developer, module.body)).status).toBe(202);
    const reordered = Object.fromEntries(Object.entries(module.body.manifest).reverse());
    const again = await publish(developer, { ...module.body, manifest: reordered });
    expect(again.status).toBe(200);
  });

  it('answers the publish as it stands now: a rejected one is REJECTED', async () => {
    const module = await pushedModule('decided');
    const body = { ...module.body, scope: 'public' };
    const first = await publish(developer, body);
    expect([first.status, first.body.state]).toEqual([202, 'SUBMITTED']);
    const rejected = await platform.call('dev', routes.rejectPublish, {
      token: superuser,
      params: { publishId: first.body.publishId },
      body: { reason: 'no README' },
    });
    expect(rejected.status).toBe(200);
    const again = await publish(developer, body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ publishId: first.body.publishId, state: 'REJECTED' });
  });

  it('is still VERSION_EXISTS with another manifest, scope, image or submitter', async () => {
    const module = await pushedModule('different');
    expect((await publish(developer, module.body)).status).toBe(202);
    const before = versionCount();
    const rebuilt = await pushImage(
      registries.plain,
      `your-org/${module.name}`,
      '1.0.0-rebuilt',
      'rebuilt',
    );
    expect(rebuilt).not.toBe(module.digest);
    const variants = {
      manifest: {
        ...module.body,
        manifest: manifest(module.name, '1.0.0', { description: 'edited' }),
      },
      scope: { ...module.body, scope: 'public' },
      image: { ...module.body, imageRef: module.body.imageRef.replace(':1.0.0', ':1.0.0-rebuilt') },
    };
    for (const [what, body] of Object.entries(variants)) {
      const again = await publish(developer, body);
      expect([what, again.status, again.body.code]).toEqual([what, 409, 'VERSION_EXISTS']);
    }
    // An admin of the same org, with the developer role: not the submitter.
    const byOther = await publish(admin, module.body);
    expect([byOther.status, byOther.body.code]).toEqual([409, 'VERSION_EXISTS']);
    expect(versionCount()).toBe(before);
  });
});
