// A small draft-07 validator for exactly the keywords manifest.schema.json uses, so the tests
// can check that the JSON Schema and the zod schema accept the same manifests. A keyword it
// does not know fails loudly rather than passing silently.

type Schema = Record<string, unknown>;

// Annotations: they never make a value invalid (`format` included, as draft-07 allows).
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'default',
  'format',
  'contentEncoding',
]);

export function conformsTo(schema: Schema, value: unknown): boolean {
  return Object.entries(schema).every(([keyword, argument]) => {
    if (ANNOTATIONS.has(keyword)) return true;
    const check = KEYWORDS[keyword];
    if (check === undefined)
      throw new Error(`json-schema-subset: keyword "${keyword}" is not supported`);
    return check(argument, value, schema);
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const TYPES: Record<string, (value: unknown) => boolean> = {
  object: isObject,
  array: Array.isArray,
  string: (value) => typeof value === 'string',
  number: (value) => typeof value === 'number' && Number.isFinite(value),
  integer: (value) => Number.isInteger(value),
  boolean: (value) => typeof value === 'boolean',
  null: (value) => value === null,
};

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
// JSON Schema counts string length in code points.
const length = (value: string) => [...value].length;

const KEYWORDS: Record<string, (argument: unknown, value: unknown, schema: Schema) => boolean> = {
  type: (argument, value) =>
    (Array.isArray(argument) ? argument : [argument]).some((type) => TYPES[String(type)]?.(value)),
  enum: (argument, value) => (argument as unknown[]).some((option) => sameJson(option, value)),
  const: (argument, value) => sameJson(argument, value),
  pattern: (argument, value) =>
    typeof value !== 'string' || new RegExp(String(argument), 'u').test(value),
  minLength: (argument, value) => typeof value !== 'string' || length(value) >= Number(argument),
  maxLength: (argument, value) => typeof value !== 'string' || length(value) <= Number(argument),
  minimum: (argument, value) => typeof value !== 'number' || value >= Number(argument),
  maximum: (argument, value) => typeof value !== 'number' || value <= Number(argument),
  maxItems: (argument, value) => !Array.isArray(value) || value.length <= Number(argument),
  uniqueItems: (argument, value) =>
    argument !== true ||
    !Array.isArray(value) ||
    new Set(value.map((item) => JSON.stringify(item))).size === value.length,
  items: (argument, value) =>
    !Array.isArray(value) || value.every((item) => conformsTo(argument as Schema, item)),
  anyOf: (argument, value) => (argument as Schema[]).some((option) => conformsTo(option, value)),
  required: (argument, value) =>
    !isObject(value) || (argument as string[]).every((name) => Object.hasOwn(value, name)),
  properties: (argument, value) =>
    !isObject(value) ||
    Object.entries(argument as Record<string, Schema>).every(
      ([name, property]) => !Object.hasOwn(value, name) || conformsTo(property, value[name]),
    ),
  propertyNames: (argument, value) =>
    !isObject(value) || Object.keys(value).every((name) => conformsTo(argument as Schema, name)),
  additionalProperties: (argument, value, schema) => {
    if (!isObject(value)) return true;
    const declared = (schema.properties ?? {}) as Record<string, unknown>;
    return Object.entries(value).every(
      ([name, item]) =>
        Object.hasOwn(declared, name) ||
        (typeof argument === 'boolean' ? argument : conformsTo(argument as Schema, item)),
    );
  },
};
