// The world the approval, review-queue and catalog-count suites publish in: the test registries,
// an emulator seeded for them, the accounts each suite needs signed in to dev, and a publish as
// any of them of an image really pushed under that account's org's namespace.
import { type PublishAccepted, routes } from '@hla-compass/platform-api';
import { expect } from 'vitest';
import { manifest, startTestPlatform, type TestPlatform } from './platform.js';
import {
  loopbackOnlyResolver,
  pushImage,
  startTestRegistries,
  type TestRegistries,
  testSeed,
} from './registries.js';

export type Account = 'developer' | 'admin' | 'other' | 'superuser' | 'viewer';

/** The namespace each account's org may push to (see testSeed). */
const NAMESPACE: Record<Account, string> = {
  developer: 'your-org',
  admin: 'your-org',
  viewer: 'your-org',
  other: 'other-org',
  superuser: 'platform',
};

export interface PublishingWorld<A extends Account> {
  readonly registries: TestRegistries;
  readonly platform: TestPlatform;
  /** Each account's access token in dev. */
  readonly tokens: Readonly<Record<A, string>>;
  /** Pushes `name:version` under the account's namespace and publishes it; expects 202. */
  publishAs(
    account: A,
    name: string,
    version: string,
    scope: 'org' | 'public',
  ): Promise<PublishAccepted>;
  stop(): Promise<void>;
}

export async function startPublishingWorld<A extends Account>(options: {
  accounts: readonly A[];
  /** Databases on disk (the suite reads the files), not in memory. */
  persistent?: boolean;
}): Promise<PublishingWorld<A>> {
  const registries = await startTestRegistries();
  const platform = await startTestPlatform({
    ...(options.persistent === true ? { persistent: true } : {}),
    seed: { document: testSeed(registries) },
    images: loopbackOnlyResolver(),
  });
  const tokens = {} as Record<A, string>;
  for (const account of options.accounts) tokens[account] = await platform.login('dev', account);
  return {
    registries,
    platform,
    tokens,
    async publishAs(account, name, version, scope) {
      const namespace = NAMESPACE[account];
      await pushImage(registries.plain, `${namespace}/${name}`, version);
      const result = await platform.call('dev', routes.publish, {
        token: tokens[account],
        body: {
          imageRef: `${registries.plain.host}/${namespace}/${name}:${version}`,
          manifest: manifest(name, version),
          scope,
        },
      });
      expect(result.status).toBe(202);
      return result.body as PublishAccepted;
    },
    async stop() {
      await platform.stop();
      await registries.stop();
    },
  };
}
