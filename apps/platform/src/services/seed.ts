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
import * as z from 'zod';
import { type EnvContext, isoTime } from '../env-context.js';
import { addRegistryEntry, validatePattern } from './allowlist.js';
import { hashPassword, parsePasswordHash } from './passwords.js';
import {
  defaultPolicy,
  type EnvPolicy,
  LEGACY_SIGNATURE_KEY_POLICIES,
  writePolicy,
} from './policy.js';
import { hashSecret } from './secrets.js';

// Every object is strict and every string bounded: a seed is refused whole, naming the field,
// before anything is written, rather than crashing a later sign-in or publish.
const policySchema = z.strictObject({
  requireSignature: z.boolean(),
  publicScopeRequiresApproval: z.boolean(),
  /** Optional so that seeds written before it keep working: the env's built-in default then. */
  legacySignatureKeys: z.enum(LEGACY_SIGNATURE_KEY_POLICIES).optional(),
});

const allowlistEntrySchema = z.union([
  z.string().min(1).max(512),
  z.strictObject({
    pattern: z.string().min(1).max(512),
    provider: registryProviderSchema.optional(),
    credentials: registryCredentialsSchema.optional(),
  }),
]);

const passwordHashSchema = z
  .string()
  .max(512)
  .superRefine((value, context) => {
    const parsed = parsePasswordHash(value);
    if (typeof parsed === 'string') context.addIssue({ code: 'custom', message: parsed });
  });

export const seedSchema = z.strictObject({
  $comment: z.string().max(10_000).optional(),
  environments: z.partialRecord(environmentSchema, policySchema).default({}),
  orgs: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'an org id is a lowercase slug'),
        name: z.string().min(1).max(200),
        /** Default registry namespace, e.g. `127.0.0.1:5000/your-org`. */
        registry: z.string().min(1).max(512),
        allowlist: z.array(allowlistEntrySchema).max(1000).default([]),
      }),
    )
    .max(1000),
  users: z
    .array(
      z.strictObject({
        id: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a user id is 1 to 64 of A-Z a-z 0-9 _ -')
          .optional(),
        email: z.email().max(254),
        name: z.string().min(1).max(200),
        org: z.string().min(1).max(63),
        roles: z.array(roleSchema).max(3),
        superuser: z.boolean().default(false),
        /** Dev-only: stored as a scrypt hash; printed at start-up. Bounded: scrypt reads it all. */
        password: z.string().min(1).max(1024).optional(),
        /**
         * The scrypt hash of `password`, precomputed so that a start in memory does not spend
         * its first few hundred milliseconds hashing well-known passwords.
         */
        passwordHash: passwordHashSchema.optional(),
        /** Dev-only: stored as a sha256 hash. */
        apiKey: z.string().min(20).max(512).optional(),
      }),
    )
    .max(10_000),
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

/** `users[0].passwordHash: has N 1048576: …`: the field first, as a seed's author looks for it. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`,
    )
    .join('');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

export function prepareSeed(input: unknown): PreparedSeed {
  // Parsed once per start (and per reset): without the JIT, which compiles a parser per object
  // schema on first use, the parse costs less than the compile it would save later.
  const parsed = seedSchema.safeParse(input, { jitless: true });
  if (!parsed.success) {
    throw new SeedError(`invalid seed: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  }
  const seed = parsed.data;
  const orgIds = new Set(seed.orgs.map((org) => org.id));
  if (orgIds.size !== seed.orgs.length) throw new SeedError('invalid seed: duplicate org id');
  const emails = new Set(seed.users.map((user) => user.email.toLowerCase()));
  if (emails.size !== seed.users.length) throw new SeedError('invalid seed: duplicate user email');
  const userIds = new Set(seed.users.map((user) => user.id ?? userIdOf(user.email)));
  if (userIds.size !== seed.users.length) throw new SeedError('invalid seed: duplicate user id');
  const apiKeys = seed.users.flatMap((user) => (user.apiKey === undefined ? [] : [user.apiKey]));
  if (new Set(apiKeys).size !== apiKeys.length) {
    throw new SeedError('invalid seed: two users have the same apiKey');
  }
  for (const [index, user] of seed.users.entries()) {
    if (!orgIds.has(user.org)) {
      throw new SeedError(
        `invalid seed: users[${index}].org: user ${user.email} names unknown org ${user.org}`,
      );
    }
    if (new Set(user.roles).size !== user.roles.length) {
      throw new SeedError(`invalid seed: users[${index}].roles: a role is named twice`);
    }
  }
  for (const [index, org] of seed.orgs.entries()) {
    const patterns = new Set<string>();
    const check = (field: string, pattern: string) => {
      try {
        validatePattern(pattern);
      } catch (error) {
        if (!(error instanceof PlatformError)) throw error;
        throw new SeedError(
          `invalid seed: orgs[${index}].${field}: org ${org.id}: ${error.message}`,
        );
      }
    };
    check('registry', org.registry);
    for (const [position, entry] of org.allowlist.entries()) {
      const pattern = typeof entry === 'string' ? entry : entry.pattern;
      check(`allowlist[${position}]`, pattern);
      if (patterns.has(pattern)) {
        throw new SeedError(
          `invalid seed: orgs[${index}].allowlist[${position}]: org ${org.id} lists ${pattern} twice`,
        );
      }
      patterns.add(pattern);
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
