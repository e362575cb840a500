// The emulator's seed for a run: its default seed moved to this run's plain registry, plus an
// allowlist entry under your-org for the htpasswd registry without pull credentials, so that an
// image there is IMAGE_FORBIDDEN to the platform while its owner can push and read it.
import { DEFAULT_SEED_FILE, type Seed, seedSchema } from '@hla-compass/platform';
import { seedForRegistry } from '@hla-compass/testkit';
import type { AccountRole, SeedAccount } from './world.js';

export async function e2eSeed(
  plainRegistryPort: number,
  guardedRegistryHost: string,
): Promise<Seed> {
  const seed = seedSchema.parse(await seedForRegistry(DEFAULT_SEED_FILE, plainRegistryPort));
  const yourOrg = seed.orgs.find((org) => org.id === 'your-org');
  if (yourOrg === undefined) throw new Error(`${DEFAULT_SEED_FILE} has no org your-org`);
  yourOrg.allowlist.push({ pattern: `${guardedRegistryHost}/your-org/*`, provider: 'generic' });
  return seed;
}

/** The accounts the scenarios act as, found by what they are rather than by their emails. */
export function seedAccounts(seed: Seed): Record<AccountRole, SeedAccount> {
  const find = (role: AccountRole, predicate: (user: Seed['users'][number]) => boolean) => {
    const user = seed.users.find(predicate);
    if (user?.password === undefined || user.apiKey === undefined) {
      throw new Error(`the seed has no ${role} account with a password and an API key`);
    }
    return { email: user.email, password: user.password, apiKey: user.apiKey };
  };
  type OrgRole = Seed['users'][number]['roles'][number];
  const inYourOrg = (role: OrgRole) => (user: Seed['users'][number]) =>
    user.org === 'your-org' && !user.superuser && user.roles.includes(role);
  return {
    viewer: find('viewer', inYourOrg('viewer')),
    developer: find('developer', inYourOrg('developer')),
    admin: find('admin', inYourOrg('admin')),
    other: find(
      'other',
      (user) => user.org === 'other-org' && user.roles.includes('developer') && !user.superuser,
    ),
    superuser: find('superuser', (user) => user.superuser),
  };
}

/** Every password and API key of the seed: no output of the CLI may contain one. */
export function seedSecrets(seed: Seed): string[] {
  return seed.users.flatMap((user) =>
    [user.password, user.apiKey].filter((secret): secret is string => secret !== undefined),
  );
}
