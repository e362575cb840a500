// The manifest's JSON Schema (draft-07), generated from the zod schema so the two cannot drift;
// `pnpm generate` writes it to manifest.schema.json for editors.
import * as z from 'zod';
import { ENTRYPOINT_PATTERN } from './manifest-checks.js';
import { manifestSchema } from './schema.js';

const ENTRYPOINT_PATH = 'properties/execution/properties/entrypoint';

/**
 * The JSON Schema of what users write: `io: 'input'` describes optional fields as optional.
 * It accepts what validateManifest accepts (its errors, not its warnings), except a version whose
 * MAJOR, MINOR or PATCH exceeds 2^53 − 1, which matches the pattern but fails validation. It
 * refuses more than the zod schema alone in one place: the entrypoint's module:ClassName form,
 * which validateManifest checks after the schema (`entrypoint.invalid`), is a `pattern` here.
 * Strict validators (Ajv with `strict: true`) and VS Code read it as it is.
 */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(manifestSchema, {
    target: 'draft-7',
    io: 'input',
    override({ jsonSchema, path }) {
      // draft-07 has no `base64` format, and strict validators refuse a format they do not
      // know; the pattern and `contentEncoding` zod writes beside it already say base64.
      if (jsonSchema.format === 'base64') delete jsonSchema.format;
      if (path.join('/') === ENTRYPOINT_PATH) jsonSchema.pattern = ENTRYPOINT_PATTERN.source;
    },
  });
  return withoutTypeLists(schema) as Record<string, unknown>;
}

// zod writes a union of plain types as a `type` list, which Ajv's strict mode refuses
// (strictTypes); `anyOf` of one type each says the same to every validator.
function withoutTypeLists(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutTypeLists);
  if (typeof node !== 'object' || node === null) return node;
  const listed = 'anyOf' in node ? undefined : (node as { type?: unknown }).type;
  return Object.fromEntries(
    Object.entries(node).map(([keyword, value]) =>
      keyword === 'type' && Array.isArray(listed)
        ? ['anyOf', listed.map((type: unknown) => ({ type }))]
        : [keyword, withoutTypeLists(value)],
    ),
  );
}
