// Turns zod's issues into manifest issues: a stable code per kind of failure and a one-line
// message naming the field, the value found and what is expected.
import * as z from 'zod';
import { type FieldPath, toFieldLabel } from './field-path.js';
import { type ManifestIssue, type ManifestIssueCode, manifestIssue } from './issue.js';
import { manifestSchema, type SchemaCheckParams } from './schema.js';

type ZodIssue = z.core.$ZodIssue;

/**
 * Schema failures the platform's SDK reports under a code of its own; users know these codes.
 * `*` stands for any array index.
 */
const SDK_CODES: readonly {
  path: FieldPath;
  from: readonly ManifestIssueCode[];
  code: ManifestIssueCode;
}[] = [
  { path: ['execution', 'entrypoint'], from: ['schema.required'], code: 'entrypoint.missing' },
  {
    path: ['pricing', 'tiers', '*', 'amountAct'],
    from: ['schema.required'],
    code: 'pricing.amount_missing',
  },
  {
    path: ['resources', 'timeout'],
    from: ['schema.too_small', 'schema.too_large'],
    code: 'security.timeout_out_of_range',
  },
];

export function toSchemaIssues(issues: readonly ZodIssue[]): ManifestIssue[] {
  return issues.map((issue) => {
    const path = issue.path.map((segment) =>
      typeof segment === 'number' ? segment : String(segment),
    );
    const { code, message } = explain(issue, toFieldLabel(path), describeField(path));
    return manifestIssue(sdkCode(path, code), 'error', path, message);
  });
}

export type Explanation = { code: ManifestIssueCode; message: string };

/** What the schema declares about a field: it completes messages with what is expected. */
export type Field = { description?: string | undefined; nullable: boolean; integer: boolean };

/**
 * One zod issue as a code and a one-line message about the field `label`; also used for run
 * payloads checked against a module's own JSON Schemas (payload-schema.ts).
 */
export function explain(issue: ZodIssue, label: string, field: Field): Explanation {
  // The description says what the field holds; messages that only list allowed values skip it.
  const hint = field.description === undefined ? '' : `: ${field.description}`;
  // JSON has no undefined: a field the schema got as undefined is a missing one, whatever
  // check noticed it (a type, an enum, a literal).
  if (issue.input === undefined)
    return { code: 'schema.required', message: `${label} is required${hint}` };
  switch (issue.code) {
    case 'invalid_type': {
      const type = field.integer ? 'an integer' : typeName(issue.expected);
      const expected = field.nullable ? `${type} or null` : type;
      return {
        code: 'schema.invalid_type',
        message: `${label} must be ${expected}, got ${show(issue.input)}${hint}`,
      };
    }
    case 'invalid_union': {
      // Only `resources.environment` values are a union: string, number or boolean.
      const expected = issue.errors.flatMap((branch) =>
        branch.map((inner) => (inner.code === 'invalid_type' ? typeName(inner.expected) : '')),
      );
      if (expected.includes('')) return invalid(label, issue.input, hint);
      return {
        code: 'schema.invalid_type',
        message: `${label} must be ${listOf(expected, 'or')}, got ${show(issue.input)}`,
      };
    }
    case 'invalid_value': {
      const allowed = issue.values.map((value) => JSON.stringify(value));
      const expected = allowed.length === 1 ? allowed.join('') : `one of ${allowed.join(', ')}`;
      return {
        code: 'schema.invalid_value',
        message: `${label} ${show(issue.input)} must be ${expected}`,
      };
    }
    case 'invalid_format': {
      if (issue.format === 'regex') {
        const pattern = issue.pattern?.slice(1, issue.pattern.lastIndexOf('/')) ?? '';
        return {
          code: 'schema.pattern',
          message: `${label} ${show(issue.input)} must match ${pattern}${hint}`,
        };
      }
      const format = FORMATS[issue.format] ?? `a valid ${issue.format}`;
      return {
        code: 'schema.invalid_format',
        message: `${label} ${show(issue.input)} is not ${format}${hint}`,
      };
    }
    case 'too_small':
    case 'too_big': {
      const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const below = issue.code === 'too_small';
      const side = issue.inclusive === false ? (below ? 'more than' : 'less than') : undefined;
      return bound(below, issue.origin, limit, label, issue.input, hint, side);
    }
    case 'unrecognized_keys': {
      // Only a JSON Schema with additionalProperties: false says this; the manifest's objects are loose.
      const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
      return {
        code: 'schema.unknown_field',
        message: `${label} has ${issue.keys.length === 1 ? 'a field' : 'fields'} the schema does not allow: ${keys}`,
      };
    }
    case 'custom':
      return checked(issue.params, label, issue.input, hint);
    default:
      return invalid(label, issue.input, hint);
  }
}

function checked(
  params: Record<string, unknown> | undefined,
  label: string,
  input: unknown,
  hint: string,
): Explanation {
  const check = params as SchemaCheckParams | undefined;
  switch (check?.code) {
    case 'schema.too_short':
    case 'schema.too_long':
      return bound(check.code === 'schema.too_short', 'string', check.limit, label, input, hint);
    case 'schema.not_unique':
      return {
        code: check.code,
        message: `${label} ${show(input)} is listed more than once: list each value once`,
      };
    case 'schema.too_large':
      return {
        code: check.code,
        message: `${label} ${show(input)} is out of range: MAJOR, MINOR and PATCH must be at most ${Number.MAX_SAFE_INTEGER}`,
      };
    default:
      return invalid(label, input, hint);
  }
}

function bound(
  below: boolean,
  origin: string,
  limit: number,
  label: string,
  input: unknown,
  hint: string,
  exclusiveSide?: string,
): Explanation {
  const side = exclusiveSide ?? (below ? 'at least' : 'at most');
  if (origin === 'string' || origin === 'array') {
    const size =
      typeof input === 'string' ? [...input].length : Array.isArray(input) ? input.length : 0;
    const unit = origin === 'string' ? 'character' : 'item';
    return {
      code: below ? 'schema.too_short' : 'schema.too_long',
      message: `${label} has ${plural(size, unit)}, expected ${side} ${plural(limit, unit)}${hint}`,
    };
  }
  return {
    code: below ? 'schema.too_small' : 'schema.too_large',
    message: `${label} must be ${side} ${limit}, got ${show(input)}${hint}`,
  };
}

function invalid(label: string, input: unknown, hint: string): Explanation {
  return { code: 'schema.invalid', message: `${label} ${show(input)} is not valid${hint}` };
}

function sdkCode(path: FieldPath, code: ManifestIssueCode): ManifestIssueCode {
  const match = SDK_CODES.find(
    (rule) =>
      rule.from.includes(code) &&
      rule.path.length === path.length &&
      rule.path.every((segment, index) =>
        segment === '*' ? typeof path[index] === 'number' : segment === path[index],
      ),
  );
  return match?.code ?? code;
}

const FORMATS: Readonly<Record<string, string>> = {
  base64: 'base64 (A–Z, a–z, 0–9, + and /, padded with =)',
};

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  record: 'an object',
  null: 'null',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function listOf(items: readonly string[], conjunction: string): string {
  return items.length < 2
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

const SHOWN_LENGTH = 60;

/** A value as a message quotes it: short, one line, its JSON type visible. */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const quoted = JSON.stringify(value);
      return quoted.length > SHOWN_LENGTH ? `${quoted.slice(0, SHOWN_LENGTH - 2)}…"` : quoted;
    }
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** What the schema declares for the field at `path`; nothing for fields it does not know. */
function describeField(path: FieldPath): Field {
  let field = unwrap(manifestSchema);
  for (const segment of path) {
    const child = childSchema(field.schema, segment);
    if (child === undefined) return { nullable: false, integer: false };
    field = unwrap(child);
  }
  const { schema, ...declared } = field;
  return { ...declared, integer: schema instanceof z.ZodNumber && schema.isInt };
}

// Optional and nullable wrap the declared type; a description may sit on either side.
function unwrap(schema: z.ZodType): Omit<Field, 'integer'> & { schema: z.ZodType } {
  let inner = schema;
  let description = schema.description;
  let nullable = false;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) {
    nullable ||= inner instanceof z.ZodNullable;
    inner = inner.unwrap() as z.ZodType;
    description ??= inner.description;
  }
  return { schema: inner, description, nullable };
}

function childSchema(schema: z.ZodType, segment: string | number): z.ZodType | undefined {
  if (schema instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = schema.shape;
    return typeof segment === 'string' && Object.hasOwn(shape, segment)
      ? shape[segment]
      : undefined;
  }
  if (schema instanceof z.ZodArray) return schema.element as z.ZodType;
  if (schema instanceof z.ZodRecord) return schema.valueType as z.ZodType;
  return undefined;
}
