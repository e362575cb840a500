// The checks beyond the schema that need only the manifest: security and pricing warnings, the
// entrypoint's form, and (under strict) unknown top-level fields. They read the raw value
// defensively, so they still run when the schema has found errors elsewhere.
import { toJsonPointer } from './field-path.js';
import type { ManifestIssue, ManifestIssueCode, ManifestIssueSeverity } from './issue.js';
import { isJsonObject, stringEntries } from './json-value.js';
import { manifestSchema } from './schema.js';
import { show } from './schema-issues.js';

/** `package.module:ClassName`, the form the container runner imports. */
const ENTRYPOINT_PATTERN = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$/;

const WILDCARD_NETWORKS: ReadonlySet<string> = new Set(['*', '0.0.0.0/0', '::/0']);

const KNOWN_FIELDS: readonly string[] = Object.keys(manifestSchema.shape);

export function manifestChecks(
  manifest: Record<string, unknown>,
  strict: boolean,
): ManifestIssue[] {
  const execution = isJsonObject(manifest.execution) ? manifest.execution : {};
  const permissions = isJsonObject(manifest.permissions) ? manifest.permissions : {};
  const pricing = isJsonObject(manifest.pricing) ? manifest.pricing : {};
  const issues: ManifestIssue[] = [];
  const report = (
    code: ManifestIssueCode,
    severity: ManifestIssueSeverity,
    path: readonly (string | number)[],
    message: string,
  ) => issues.push({ code, severity, path: toJsonPointer(path), message });

  if (manifest.schemaVersion === undefined) {
    report(
      'openapi.missing_required_field',
      'warning',
      ['schemaVersion'],
      'schemaVersion is missing: add "schemaVersion": "1.0" (the platform\'s publish contract requires it)',
    );
  }

  const { entrypoint, supports, defaultMode } = execution;
  // Shorter entrypoints already fail the schema's minimum length.
  if (
    typeof entrypoint === 'string' &&
    [...entrypoint].length >= 3 &&
    !ENTRYPOINT_PATTERN.test(entrypoint)
  ) {
    report(
      'entrypoint.invalid',
      'error',
      ['execution', 'entrypoint'],
      `execution.entrypoint ${show(entrypoint)} must be in module:ClassName form, e.g. backend.main:Module`,
    );
  }
  const modes = stringEntries(supports).map(([, mode]) => mode);
  if (typeof defaultMode === 'string' && Array.isArray(supports) && !modes.includes(defaultMode)) {
    report(
      'execution.default_mode_unsupported',
      'warning',
      ['execution', 'defaultMode'],
      `execution.defaultMode ${show(defaultMode)} is not in execution.supports: add it there or choose a supported mode`,
    );
  }

  for (const [index, access] of stringEntries(permissions.database)) {
    if (access.toLowerCase() === 'delete') {
      report(
        'security.database_delete',
        'warning',
        ['permissions', 'database', index],
        "database permission 'delete' requested: ensure this is intentional",
      );
    }
  }
  for (const [index, host] of stringEntries(permissions.network)) {
    if (WILDCARD_NETWORKS.has(host)) {
      report(
        'security.network_wildcard',
        'warning',
        ['permissions', 'network', index],
        `wildcard network access ${show(host)} requested: restrict it to specific domains`,
      );
    }
  }

  if (pricing.tiers === undefined || (Array.isArray(pricing.tiers) && pricing.tiers.length === 0)) {
    report(
      'pricing.tiers_missing',
      'warning',
      ['pricing', 'tiers'],
      'pricing tiers are required before publishing: add pricing.tiers, e.g. [{"tier": "developer", "amountAct": 0}]',
    );
  }

  if (strict) {
    for (const field of Object.keys(manifest)) {
      if (KNOWN_FIELDS.includes(field)) continue;
      const suggestion = closestField(field);
      report(
        'schema.unknown_field',
        'warning',
        [field],
        `unknown top-level field ${show(field)} is not part of manifest v1: ${suggestion === undefined ? 'remove it or check its spelling' : `did you mean ${show(suggestion)}?`}`,
      );
    }
  }
  return issues;
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
