// The seed of a publishing test world, shared by the CLI's tests and e2e: the emulator's default
// seed moved to the test's plain registry, plus a your-org allowlist entry for the htpasswd
// registry without pull credentials (an image there is IMAGE_FORBIDDEN to the platform while its
// owner can push and read it); and the seeded accounts found by what they are, not by email.
import { seedForRegistry } from './emulator.js';

export type SeedRole = 'viewer' | 'developer' | 'admin' | 'other' | 'superuser';

export interface SeedUser {
  readonly email: string;
  readonly password?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly org: string;
  readonly roles: readonly string[];
  readonly superuser?: boolean | undefined;
}

export interface PublishingSeed {
  readonly orgs: { readonly id: string; readonly allowlist: unknown[] }[];
  readonly users: readonly SeedUser[];
}

/** A seeded account as a test signs in with it. */
export interface SeedAccount {
  readonly email: string;
  readonly password: string;
  readonly apiKey: string;
}

export async function publishingSeed(
  seedFile: string,
  plainRegistryPort: number,
  guardedRegistryHost: string,
): Promise<unknown> {
  const seed = (await seedForRegistry(seedFile, plainRegistryPort)) as PublishingSeed;
  const yourOrg = seed.orgs.find((org) => org.id === 'your-org');
  if (yourOrg === undefined) throw new Error(`${seedFile} has no org your-org`);
  yourOrg.allowlist.push({ pattern: `${guardedRegistryHost}/your-org/*`, provider: 'generic' });
  return seed;
}

/** One account per role the tests act as; a seed without one is an error naming the role. */
export function seedAccounts(seed: PublishingSeed): Record<SeedRole, SeedAccount> {
  const find = (role: SeedRole, predicate: (user: SeedUser) => boolean): SeedAccount => {
    const user = seed.users.find(predicate);
    if (user?.password === undefined || user.apiKey === undefined) {
      throw new Error(`the seed has no ${role} account with a password and an API key`);
    }
    return { email: user.email, password: user.password, apiKey: user.apiKey };
  };
  const inYourOrg = (role: string) => (user: SeedUser) =>
    user.org === 'your-org' && user.superuser !== true && user.roles.includes(role);
  return {
    viewer: find('viewer', inYourOrg('viewer')),
    developer: find('developer', inYourOrg('developer')),
    admin: find('admin', inYourOrg('admin')),
    other: find(
      'other',
      (user) =>
        user.org === 'other-org' && user.roles.includes('developer') && user.superuser !== true,
    ),
    superuser: find('superuser', (user) => user.superuser === true),
  };
}

/** Every password and API key of the seed: no output of the CLI may contain one. */
export function seedSecrets(seed: PublishingSeed): string[] {
  return seed.users.flatMap((user) =>
    [user.password, user.apiKey].filter((secret): secret is string => secret !== undefined),
  );
}
