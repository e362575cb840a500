// The platform's environments (SPEC §3), in the order they are listed. Zod-free, because the
// CLI needs the names at start-up (global options, completion) and must not load the schemas
// for that; `@hla-compass/platform-api/environments` is that entry, and the schemas build
// `environmentSchema` from this same list.
export const ENVIRONMENTS = ['local', 'dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export function isEnvironment(value: string): value is Environment {
  return (ENVIRONMENTS as readonly string[]).includes(value);
}
