// An environment's publish policy (SPEC §3, §6a), kept in its database so that reset, seed and
// restarts agree on it.
import type { Environment } from '@hla-compass/platform-api';
import type { EnvContext } from '../env-context.js';

/**
 * Which keys may make a legacy (Python SDK, RSA-PSS) signature: `any` takes the key the SDK sends
 * with every publish, as the hosted platform does (the SDK has no key registration); `registered`
 * takes only an RSA key registered to the publisher and not revoked, as Ed25519 keys always are.
 */
export const LEGACY_SIGNATURE_KEY_POLICIES = ['any', 'registered'] as const;
export type LegacySignatureKeyPolicy = (typeof LEGACY_SIGNATURE_KEY_POLICIES)[number];

export interface EnvPolicy {
  requireSignature: boolean;
  publicScopeRequiresApproval: boolean;
  legacySignatureKeys: LegacySignatureKeyPolicy;
}

/**
 * The built-in policy of each env: signatures are required where real modules run (local and dev
 * take unsigned publishes), and prod trusts no key it was not told about.
 */
export function defaultPolicy(environment: Environment): EnvPolicy {
  return {
    requireSignature: environment === 'staging' || environment === 'prod',
    publicScopeRequiresApproval: true,
    legacySignatureKeys: environment === 'prod' ? 'registered' : 'any',
  };
}

const KEYS = {
  requireSignature: 'policy.requireSignature',
  publicScopeRequiresApproval: 'policy.publicScopeRequiresApproval',
  legacySignatureKeys: 'policy.legacySignatureKeys',
} as const;

export function readPolicy(context: Pick<EnvContext, 'store' | 'name'>): EnvPolicy {
  const { settings } = context.store;
  const legacySignatureKeys = settings.get(KEYS.legacySignatureKeys);
  // Absent settings take the strict side, except one a database seeded before it existed lacks:
  // that env gets its built-in default rather than a change nobody asked for.
  return {
    requireSignature: settings.get(KEYS.requireSignature) !== 'false',
    publicScopeRequiresApproval: settings.get(KEYS.publicScopeRequiresApproval) !== 'false',
    legacySignatureKeys:
      legacySignatureKeys === undefined
        ? defaultPolicy(context.name).legacySignatureKeys
        : legacySignatureKeys === 'any'
          ? 'any'
          : 'registered',
  };
}

export function writePolicy(context: Pick<EnvContext, 'store'>, policy: EnvPolicy): void {
  const { settings } = context.store;
  settings.set(KEYS.requireSignature, String(policy.requireSignature));
  settings.set(KEYS.publicScopeRequiresApproval, String(policy.publicScopeRequiresApproval));
  settings.set(KEYS.legacySignatureKeys, policy.legacySignatureKeys);
}
