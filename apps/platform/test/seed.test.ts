import { findAllowlistMatch } from '@hla-compass/registry-client';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/services/passwords.js';
import { defaultPolicy } from '../src/services/policy.js';
import { prepareSeed, SeedError, seededPolicy } from '../src/services/seed.js';
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
    const org = { id: 'o', name: 'O', registry: '127.0.0.1:5000/o' };
    expect(() => prepareSeed({ orgs: [org, org], users: [] })).toThrow(SeedError);
    expect(() =>
      prepareSeed({ orgs: [org], users: [{ email: 'a@o.test', name: 'A', org: 'x', roles: [] }] }),
    ).toThrow(/unknown org/);
    expect(() => prepareSeed({ orgs: [{ ...org, allowlist: ['your-org/*'] }], users: [] })).toThrow(
      /invalid seed: orgs\[0\]\.allowlist\[0\]: org o: invalid allowlist pattern/,
    );
  });

  it('allows both default tags in every org: ours ({registry}/{name}:{version}) and the Python SDK’s ({registry}:{name}-{version})', () => {
    const { seed } = prepareSeed(defaultSeed);
    for (const org of seed.orgs) {
      const entries = org.allowlist.map((entry) =>
        typeof entry === 'string' ? { pattern: entry } : entry,
      );
      for (const registry of [org.registry, org.registry.replace('127.0.0.1:', 'localhost:')]) {
        for (const tag of [`${registry}/sdk-interop:1.0.0`, `${registry}:sdk-interop-1.0.0`]) {
          expect(findAllowlistMatch(entries, tag), `${org.id}: ${tag}`).toBeDefined();
        }
      }
      // The exact entries admit the org's namespace itself, nothing beside it.
      expect(findAllowlistMatch(entries, `${org.registry}-evil:x`)).toBeUndefined();
      expect(findAllowlistMatch(entries, '127.0.0.1:5000/someone-else:x')).toBeUndefined();
    }
  });

  it('seeds legacySignatureKeys "any" in local, dev and staging, "registered" in prod', () => {
    const { seed } = prepareSeed(defaultSeed);
    expect(
      (['local', 'dev', 'staging', 'prod'] as const).map(
        (env) => seededPolicy(seed, env).legacySignatureKeys,
      ),
    ).toEqual(['any', 'any', 'any', 'registered']);
  });

  it('gives an env the built-in policy for what its seed leaves out', () => {
    const { seed } = prepareSeed({
      environments: { prod: { requireSignature: false, publicScopeRequiresApproval: false } },
      orgs: [],
      users: [],
    });
    expect(seededPolicy(seed, 'prod')).toEqual({
      requireSignature: false,
      publicScopeRequiresApproval: false,
      legacySignatureKeys: 'registered',
    });
    expect(seededPolicy(seed, 'dev')).toEqual(defaultPolicy('dev'));
    expect(() =>
      prepareSeed({
        environments: {
          dev: {
            requireSignature: true,
            publicScopeRequiresApproval: true,
            legacySignatureKeys: 'sometimes',
          },
        },
        orgs: [],
        users: [],
      }),
    ).toThrow(SeedError);
  });
});
