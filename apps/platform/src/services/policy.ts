// An environment's publish policy (SPEC §3), kept in its database so that reset, seed and
// restarts agree on it.
import type { EnvContext } from '../env-context.js';

export interface EnvPolicy {
  requireSignature: boolean;
  publicScopeRequiresApproval: boolean;
}

const KEYS = {
  requireSignature: 'policy.requireSignature',
  publicScopeRequiresApproval: 'policy.publicScopeRequiresApproval',
} as const;

export function readPolicy(context: EnvContext): EnvPolicy {
  const { orgs } = context.store;
  // Absent settings take the strict side.
  return {
    requireSignature: orgs.getSetting(KEYS.requireSignature) !== 'false',
    publicScopeRequiresApproval: orgs.getSetting(KEYS.publicScopeRequiresApproval) !== 'false',
  };
}

export function writePolicy(context: Pick<EnvContext, 'store'>, policy: EnvPolicy): void {
  context.store.orgs.setSetting(KEYS.requireSignature, String(policy.requireSignature));
  context.store.orgs.setSetting(
    KEYS.publicScopeRequiresApproval,
    String(policy.publicScopeRequiresApproval),
  );
}
