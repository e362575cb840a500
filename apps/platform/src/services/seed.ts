// The seed (SPEC §10): orgs, allowlists, users with dev-only passwords and API keys, and each
// env's policy, loaded into an empty database at first start and on /_emulator/reset|seed.
import { createHash } from 'node:crypto';
import {
  type Environment,
  environmentSchema,
  PlatformError,
  registryCredentialsSchema,
  registryProviderSchema,
  roleSchema,
} from '@hla-compass/platform-api';
import { z } from 'zod';
import { type EnvContext, isoTime } from '../env-context.js';
import { addRegistryEntry, validatePattern } from './allowlist.js';
import { hashPassword } from './passwords.js';
import {
  defaultPolicy,
  type EnvPolicy,
  LEGACY_SIGNATURE_KEY_POLICIES,
  writePolicy,
} from './policy.js';
import { hashSecret } from './secrets.js';

const policySchema = z.object({
  requireSignature: z.boolean(),
  publicScopeRequiresApproval: z.boolean(),
  /** Optional so that seeds written before it keep working: the env's built-in default then. */
  legacySignatureKeys: z.enum(LEGACY_SIGNATURE_KEY_POLICIES).optional(),
});

const allowlistEntrySchema = z.union([
  z.string().min(1),
  z.object({
    pattern: z.string().min(1),
    provider: registryProviderSchema.optional(),
    credentials: registryCredentialsSchema.optional(),
  }),
]);

export const seedSchema = z.object({
  $comment: z.string().optional(),
  environments: z.partialRecord(environmentSchema, policySchema).default({}),
  orgs: z.array(
    z.object({
      id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'an org id is a lowercase slug'),
      name: z.string().min(1),
      /** Default registry namespace, e.g. `127.0.0.1:5000/your-org`. */
      registry: z.string().min(1),
      allowlist: z.array(allowlistEntrySchema).default([]),
    }),
  ),
  users: z.array(
    z.object({
      id: z.string().min(1).optional(),
      email: z.email(),
      name: z.string().min(1),
      org: z.string().min(1),
      roles: z.array(roleSchema),
      superuser: z.boolean().default(false),
      /** Dev-only: stored as a scrypt hash; printed at start-up. */
      password: z.string().min(1).optional(),
      /**
       * The scrypt hash of `password`, precomputed so that a start in memory does not spend
       * its first few hundred milliseconds hashing well-known passwords.
       */
      passwordHash: z
        .string()
        .regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
        .optional(),
      /** Dev-only: stored as a sha256 hash. */
      apiKey: z.string().min(20).optional(),
    }),
  ),
});
export type Seed = z.output<typeof seedSchema>;

/** The policy `seed` gives `environment`: what it says, the built-in default for the rest. */
export function seededPolicy(seed: Seed, environment: Environment): EnvPolicy {
  const seeded = seed.environments[environment];
  const base = defaultPolicy(environment);
  return seeded === undefined
    ? base
    : {
        requireSignature: seeded.requireSignature,
        publicScopeRequiresApproval: seeded.publicScopeRequiresApproval,
        legacySignatureKeys: seeded.legacySignatureKeys ?? base.legacySignatureKeys,
      };
}

/**
 * A seed checked for consistency. Its passwords are hashed on first use only (scrypt is slow
 * on purpose), so a restart over databases that are already seeded does not pay for it.
 */
export interface PreparedSeed {
  readonly seed: Seed;
  passwordHashes(): Promise<ReadonlyMap<string, string>>;
}

export class SeedError extends Error {
  override readonly name = 'SeedError';
}

const userIdOf = (email: string): string =>
  `usr_${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 20)}`;

export function prepareSeed(input: unknown): PreparedSeed {
  const parsed = seedSchema.safeParse(input);
  if (!parsed.success) {
    throw new SeedError(`invalid seed: ${z.prettifyError(parsed.error)}`);
  }
  const seed = parsed.data;
  const orgIds = new Set(seed.orgs.map((org) => org.id));
  if (orgIds.size !== seed.orgs.length) throw new SeedError('invalid seed: duplicate org id');
  const emails = new Set(seed.users.map((user) => user.email.toLowerCase()));
  if (emails.size !== seed.users.length) throw new SeedError('invalid seed: duplicate user email');
  for (const user of seed.users) {
    if (!orgIds.has(user.org)) {
      throw new SeedError(`invalid seed: user ${user.email} names unknown org ${user.org}`);
    }
  }
  for (const org of seed.orgs) {
    for (const entry of org.allowlist) {
      try {
        validatePattern(typeof entry === 'string' ? entry : entry.pattern);
      } catch (error) {
        if (!(error instanceof PlatformError)) throw error;
        throw new SeedError(`invalid seed: org ${org.id}: ${error.message}`);
      }
    }
  }
  let hashes: Promise<ReadonlyMap<string, string>> | undefined;
  return {
    seed,
    passwordHashes() {
      hashes ??= Promise.all(
        seed.users.map(async (user) => {
          if (user.passwordHash !== undefined) return [user.email, user.passwordHash] as const;
          if (user.password === undefined) return undefined;
          return [user.email, await hashPassword(user.password)] as const;
        }),
      ).then((entries) => new Map(entries.filter((entry) => entry !== undefined)));
      return hashes;
    },
  };
}

/** Replaces everything `context`'s database holds with the seed, in one transaction. */
export async function applySeed(context: EnvContext, prepared: PreparedSeed): Promise<void> {
  const { seed } = prepared;
  const passwordHashes = await prepared.passwordHashes();
  const { store } = context;
  const createdAt = isoTime(context);
  store.transaction(() => {
    store.clear();
    writePolicy(context, seededPolicy(seed, context.name));
    for (const org of seed.orgs) {
      store.orgs.insert({ id: org.id, name: org.name, registry: org.registry, createdAt });
      for (const entry of org.allowlist) {
        addRegistryEntry(context, org.id, typeof entry === 'string' ? { pattern: entry } : entry);
      }
    }
    for (const user of seed.users) {
      const id = user.id ?? userIdOf(user.email);
      store.users.insert({
        id,
        orgId: user.org,
        email: user.email,
        name: user.name,
        passwordHash: passwordHashes.get(user.email) ?? null,
        roles: user.roles,
        superuser: user.superuser,
        createdAt,
      });
      if (user.apiKey !== undefined) {
        store.credentials.insertApiKey(hashSecret(user.apiKey), id, 'seed', createdAt);
      }
    }
  });
  context.loginLimiter.clear();
}
