// The checks beyond the schema that need only the manifest: security and pricing warnings, the
// entrypoint's form, and (under strict) unknown top-level fields. They read the raw value
// defensively, so they still run when the schema has found errors elsewhere.
import { type ManifestIssue, manifestIssue } from './issue.js';
import { isJsonObject, stringEntries } from './json-value.js';
import { manifestSchema } from './schema.js';
import { show } from './schema-issues.js';

/** `package.module:ClassName`, the form the container runner imports. */
export const ENTRYPOINT_PATTERN = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$/;

const WILDCARD_NETWORKS: ReadonlySet<string> = new Set(['*', '0.0.0.0/0', '::/0']);

const KNOWN_FIELDS: readonly string[] = Object.keys(manifestSchema.shape);

export function manifestChecks(
  manifest: Record<string, unknown>,
  strict: boolean,
): ManifestIssue[] {
  return [
    ...schemaVersionIssues(manifest),
    ...executionIssues(objectAt(manifest, 'execution')),
    ...securityIssues(objectAt(manifest, 'permissions')),
    ...pricingIssues(objectAt(manifest, 'pricing')),
    ...(strict ? unknownFieldIssues(manifest) : []),
  ];
}

function schemaVersionIssues(manifest: Record<string, unknown>): ManifestIssue[] {
  if (manifest.schemaVersion !== undefined) return [];
  return [
    manifestIssue(
      'openapi.missing_required_field',
      'warning',
      ['schemaVersion'],
      'schemaVersion is missing: add "schemaVersion": "1.0" (the platform\'s publish contract requires it)',
    ),
  ];
}

function executionIssues({
  entrypoint,
  supports,
  defaultMode,
}: Record<string, unknown>): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  // Shorter entrypoints already fail the schema's minimum length.
  if (
    typeof entrypoint === 'string' &&
    [...entrypoint].length >= 3 &&
    !ENTRYPOINT_PATTERN.test(entrypoint)
  ) {
    issues.push(
      manifestIssue(
        'entrypoint.invalid',
        'error',
        ['execution', 'entrypoint'],
        `execution.entrypoint ${show(entrypoint)} must be in module:ClassName form, e.g. backend.main:Module`,
      ),
    );
  }
  const modes = stringEntries(supports).map(([, mode]) => mode);
  if (typeof defaultMode === 'string' && Array.isArray(supports) && !modes.includes(defaultMode)) {
    issues.push(
      manifestIssue(
        'execution.default_mode_unsupported',
        'warning',
        ['execution', 'defaultMode'],
        `execution.defaultMode ${show(defaultMode)} is not in execution.supports: add it there or choose a supported mode`,
      ),
    );
  }
  return issues;
}

// Each offending entry is reported at its own index, so a user sees every one of them.
function securityIssues({ database, network }: Record<string, unknown>): ManifestIssue[] {
  const deletes = stringEntries(database)
    .filter(([, access]) => access.toLowerCase() === 'delete')
    .map(([index]) =>
      manifestIssue(
        'security.database_delete',
        'warning',
        ['permissions', 'database', index],
        "database permission 'delete' requested: ensure this is intentional",
      ),
    );
  const wildcards = stringEntries(network)
    .filter(([, host]) => WILDCARD_NETWORKS.has(host))
    .map(([index, host]) =>
      manifestIssue(
        'security.network_wildcard',
        'warning',
        ['permissions', 'network', index],
        `wildcard network access ${show(host)} requested: restrict it to specific domains`,
      ),
    );
  return [...deletes, ...wildcards];
}

function pricingIssues({ tiers }: Record<string, unknown>): ManifestIssue[] {
  if (tiers !== undefined && !(Array.isArray(tiers) && tiers.length === 0)) return [];
  return [
    manifestIssue(
      'pricing.tiers_missing',
      'warning',
      ['pricing', 'tiers'],
      'pricing tiers are required before publishing: add pricing.tiers, e.g. [{"tier": "developer", "amountAct": 0}]',
    ),
  ];
}

function unknownFieldIssues(manifest: Record<string, unknown>): ManifestIssue[] {
  return Object.keys(manifest)
    .filter((field) => !KNOWN_FIELDS.includes(field))
    .map((field) => {
      const suggestion = closestField(field);
      const advice =
        suggestion === undefined
          ? 'remove it or check its spelling'
          : `did you mean ${show(suggestion)}?`;
      return manifestIssue(
        'schema.unknown_field',
        'warning',
        [field],
        `unknown top-level field ${show(field)} is not part of manifest v1: ${advice}`,
      );
    });
}

// A section of the manifest, or an empty one when it is absent or not an object (which the
// schema reports).
function objectAt(manifest: Record<string, unknown>, field: string): Record<string, unknown> {
  const value = manifest[field];
  return isJsonObject(value) ? value : {};
}

// A known field a few edits away (one per three characters, ignoring case) is probably what
// was meant; a looser bound would suggest `ui` for `gpu`.
function closestField(field: string): string | undefined {
  const tolerance = Math.max(1, Math.floor(field.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of KNOWN_FIELDS) {
    const distance = editDistance(field.toLowerCase(), name.toLowerCase());
    if (distance <= tolerance && (best === undefined || distance < best.distance)) {
      best = { name, distance };
    }
  }
  return best?.name;
}

// Levenshtein distance, one row at a time.
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
