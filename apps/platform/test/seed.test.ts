import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/services/passwords.js';
import { prepareSeed, SeedError } from '../src/services/seed.js';
import { defaultSeed } from './support/platform.js';

describe('the seed', () => {
  it('ships precomputed hashes that match the dev-only passwords it prints', async () => {
    const prepared = prepareSeed(defaultSeed);
    const hashes = await prepared.passwordHashes();
    for (const user of prepared.seed.users) {
      expect(user.password, user.email).toBeDefined();
      expect(
        await verifyPassword(user.password as string, hashes.get(user.email) ?? null),
        user.email,
      ).toBe(true);
      expect(await verifyPassword(`${user.password}x`, hashes.get(user.email) ?? null)).toBe(false);
    }
  });

  it('hashes passwords that come without a hash, each with its own salt', async () => {
    const seed = {
      orgs: [{ id: 'o', name: 'O', registry: '127.0.0.1:5000/o' }],
      users: [
        { email: 'a@o.test', name: 'A', org: 'o', roles: ['viewer'], password: 'same' },
        { email: 'b@o.test', name: 'B', org: 'o', roles: ['viewer'], password: 'same' },
      ],
    };
    const hashes = await prepareSeed(seed).passwordHashes();
    expect(hashes.get('a@o.test')).not.toBe(hashes.get('b@o.test'));
    expect(await verifyPassword('same', hashes.get('b@o.test') ?? null)).toBe(true);
  });

  it('refuses inconsistent seeds', () => {
    const org = { id: 'o', name: 'O', registry: 'r' };
    expect(() => prepareSeed({ orgs: [org, org], users: [] })).toThrow(SeedError);
    expect(() =>
      prepareSeed({ orgs: [org], users: [{ email: 'a@o.test', name: 'A', org: 'x', roles: [] }] }),
    ).toThrow(/unknown org/);
    expect(() => prepareSeed({ orgs: [{ ...org, allowlist: ['your-org/*'] }], users: [] })).toThrow(
      /invalid seed: org o: invalid allowlist pattern/,
    );
  });
});
