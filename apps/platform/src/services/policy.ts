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
  const { settings } = context.store;
  // Absent settings take the strict side.
  return {
    requireSignature: settings.get(KEYS.requireSignature) !== 'false',
    publicScopeRequiresApproval: settings.get(KEYS.publicScopeRequiresApproval) !== 'false',
  };
}

export function writePolicy(context: Pick<EnvContext, 'store'>, policy: EnvPolicy): void {
  const { settings } = context.store;
  settings.set(KEYS.requireSignature, String(policy.requireSignature));
  settings.set(KEYS.publicScopeRequiresApproval, String(policy.publicScopeRequiresApproval));
}
