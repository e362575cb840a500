// A run's payload checked against the module's own schemas (`inputs`, `outputs`): the JSON Schema
// (draft-07) compiled by zod's `fromJSONSchema`, its failures explained as the manifest's are. The
// SDK's "flat" form of `inputs` (`{field: {type, required, min, max, …}}`) is read as it reads it.
import * as z from 'zod';
import { type FieldPath, toFieldLabel, toJsonPointer } from './field-path.js';
import type { ManifestIssueCode } from './issue.js';
import { isJsonObject } from './json-value.js';
import { explain, type Field } from './schema-issues.js';

export type PayloadIssue = {
  /** The manifest's `schema.*` codes: `schema.required`, `schema.invalid_type`, … */
  code: ManifestIssueCode;
  /** RFC 6901 pointer into the payload; '' for the payload itself. */
  path: string;
  message: string;
};

export type PayloadCheck =
  | { checked: true; valid: boolean; issues: PayloadIssue[] }
  /** The schema uses what the checker cannot apply (if/then/else, not, an external $ref…). */
  | { checked: false; reason: string };

/** Keywords that make an object a JSON Schema rather than the SDK's flat `{field: spec}` form. */
const SCHEMA_KEYWORDS = [
  '$schema',
  '$ref',
  'type',
  'properties',
  'items',
  'allOf',
  'anyOf',
  'oneOf',
  'enum',
  'const',
  'required',
  'additionalProperties',
] as const;

/** Whether `declared` is a JSON Schema (it uses one of its keywords), not the SDK's flat form. */
export function isJsonSchema(declared: unknown): declared is Record<string, unknown> {
  return (
    isJsonObject(declared) && SCHEMA_KEYWORDS.some((keyword) => Object.hasOwn(declared, keyword))
  );
}

/**
 * `inputs`/`outputs` as a JSON Schema: absent or null accepts anything; a JSON Schema stays as it
 * is; the flat form becomes an object schema (`min`/`max` are `minimum`/`maximum`, `required:
 * true` lists the field), as the SDK converts it.
 */
export function payloadJsonSchema(declared: unknown): Record<string, unknown> {
  if (!isJsonObject(declared)) return {};
  if (isJsonSchema(declared)) return declared;
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, spec] of Object.entries(declared)) {
    if (!isJsonObject(spec)) continue;
    const { required: isRequired, min, max, ...rest } = spec;
    properties[name] = {
      ...rest,
      ...(min === undefined ? {} : { minimum: min }),
      ...(max === undefined ? {} : { maximum: max }),
    };
    if (isRequired === true) required.push(name);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

/**
 * Checks `value` against `schema` (a JSON Schema); messages name fields from `root`, e.g.
 * `input.peptides[0]`. Formats (`email`, `date-time`, …) are checked, as zod does.
 */
export function validatePayload(schema: unknown, value: unknown, root: string): PayloadCheck {
  let compiled: z.ZodType;
  try {
    compiled = z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema, {
      defaultTarget: 'draft-7',
    });
  } catch (error) {
    return { checked: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const parsed = compiled.safeParse(value, { reportInput: true });
  if (parsed.success) return { checked: true, valid: true, issues: [] };
  const issues = parsed.error.issues.map((issue): PayloadIssue => {
    const path: FieldPath = issue.path.map((segment) =>
      typeof segment === 'number' ? segment : String(segment),
    );
    const label = toFieldLabel([root, ...path]);
    const explained = explain(issue, label, describe(schema, path));
    // zod's own words where the manifest's explanations have nothing more specific to say.
    const message =
      explained.code === 'schema.invalid' ? `${label}: ${issue.message}` : explained.message;
    return { code: explained.code, path: toJsonPointer(path), message };
  });
  return { checked: true, valid: false, issues };
}

/** What the schema says of the field at `path` (description, integer, nullable), for messages. */
function describe(schema: unknown, path: FieldPath): Field {
  let node: unknown = schema;
  for (const segment of path) {
    if (!isJsonObject(node)) break;
    const properties = isJsonObject(node.properties) ? node.properties : {};
    node = typeof segment === 'number' ? node.items : properties[segment];
  }
  if (!isJsonObject(node)) return { nullable: false, integer: false };
  const types = Array.isArray(node.type) ? node.type : [node.type];
  return {
    description: typeof node.description === 'string' ? node.description : undefined,
    nullable: types.includes('null'),
    integer: types.includes('integer'),
  };
}
