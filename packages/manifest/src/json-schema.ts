// The manifest's JSON Schema (draft-07), generated from the zod schema so the two cannot drift;
// `pnpm generate` writes it to manifest.schema.json for editors.
import { z } from 'zod';
import { manifestSchema } from './schema.js';

/**
 * The JSON Schema of what users write: `io: 'input'` describes optional fields as optional.
 * It is stricter than the zod schema nowhere and looser in one place: a version whose MAJOR,
 * MINOR or PATCH exceeds 2^53 − 1 matches the pattern but fails validation.
 */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(manifestSchema, { target: 'draft-7', io: 'input' });
}
