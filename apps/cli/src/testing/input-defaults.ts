// The payload `hla-compass test` runs a module with when no --input is given: every `default` the
// manifest's `inputs` JSON Schema declares, nested ones included. Pure.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** How deep `$ref`s and nested objects are followed: a recursive schema must end somewhere. */
const MAX_DEPTH = 32;

/**
 * The defaults of `schema` (a JSON Schema, already in that form: see payloadJsonSchema) as a
 * payload object. A property's own `default` wins; an object property without one gets the
 * defaults of its properties when it has any (so `{options: {batch_size: 100}}`), else it is left
 * out; `allOf` branches add theirs; `anyOf`/`oneOf` are a choice, and are not guessed at. Local
 * `$ref`s (`#/definitions/…`, `#/$defs/…`) are followed.
 */
export function inputDefaults(schema: unknown): JsonObject {
  const derived = defaultsOf(schema, schema, 0);
  return isObject(derived) ? derived : {};
}

function defaultsOf(node: unknown, root: unknown, depth: number): Json | undefined {
  if (!isObject(node) || depth > MAX_DEPTH) return undefined;
  const resolved = typeof node.$ref === 'string' ? resolveRef(root, node.$ref) : undefined;
  if (resolved !== undefined) {
    // Keywords beside a $ref (draft 2019+) add to it; draft-07 ignores them, the default included.
    const { $ref: _, ...beside } = node;
    return defaultsOf({ ...resolved, ...beside }, root, depth + 1);
  }
  const own = node.default === undefined ? undefined : structuredClone(node.default);
  if (own !== undefined && !isObject(own)) return own;
  const properties = isObject(node.properties) ? node.properties : {};
  const branches = Array.isArray(node.allOf) ? node.allOf : [];
  const merged: JsonObject = { ...(own ?? {}) };
  for (const branch of branches) {
    const fromBranch = defaultsOf(branch, root, depth + 1);
    if (isObject(fromBranch)) fillMissing(merged, fromBranch);
  }
  for (const [name, property] of Object.entries(properties)) {
    if (Object.hasOwn(merged, name)) continue;
    const value = defaultsOf(property, root, depth + 1);
    if (value !== undefined) merged[name] = value;
  }
  return own !== undefined || Object.keys(merged).length > 0 ? merged : undefined;
}

function fillMissing(target: JsonObject, source: JsonObject): void {
  for (const [name, value] of Object.entries(source)) {
    if (!Object.hasOwn(target, name)) target[name] = value;
  }
}

/** A JSON pointer fragment into the same document, e.g. `#/definitions/peptide`; else undefined. */
function resolveRef(root: unknown, ref: string): JsonObject | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const segment = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return isObject(node) ? node : undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
