// What a validation reports: issues with stable codes, and the rule that turns a list of
// issues into a verdict (strict mode, order, validity).
import { compareJsonPointers, type FieldPath, toJsonPointer } from './field-path.js';
import { compareValues } from './order.js';
import type { Manifest } from './schema.js';

/** Every code an issue can carry; see the package README for when each is raised. */
export const MANIFEST_ISSUE_CODES = [
  'manifest.not_found',
  'manifest.read_error',
  'manifest.invalid',
  'schema.required',
  'schema.invalid_type',
  'schema.invalid_value',
  'schema.pattern',
  'schema.invalid_format',
  'schema.too_short',
  'schema.too_long',
  'schema.too_small',
  'schema.too_large',
  'schema.not_unique',
  'schema.unknown_field',
  'schema.invalid',
  'openapi.missing_required_field',
  'entrypoint.missing',
  'entrypoint.invalid',
  'entrypoint.class_missing',
  'execution.default_mode_unsupported',
  'security.database_delete',
  'security.network_wildcard',
  'security.timeout_out_of_range',
  'pricing.tiers_missing',
  'pricing.amount_missing',
  'structure.backend_missing',
  'structure.entrypoint_missing',
  'structure.requirements_missing',
  'structure.requirements_read_error',
  'structure.requirements_unpinned',
  'structure.requirements_nested',
  'ui.frontend_missing',
] as const;

export type ManifestIssueCode = (typeof MANIFEST_ISSUE_CODES)[number];

export type ManifestIssueSeverity = 'error' | 'warning';

export type ManifestIssue = {
  code: ManifestIssueCode;
  severity: ManifestIssueSeverity;
  /** RFC 6901 JSON pointer into the manifest; '' for the manifest as a whole and for files. */
  path: string;
  /** One line: what is wrong and what is expected. */
  message: string;
};

export type ManifestValidation = {
  /** False when any issue is an error; under strict mode, when there is any issue at all. */
  valid: boolean;
  issues: ManifestIssue[];
  /** The validated manifest, exactly as given (no defaults filled in); only when valid. */
  manifest?: Manifest;
};

export type ValidationOptions = {
  /** Every warning becomes an error, and unknown top-level fields are reported. */
  strict?: boolean;
};

/** An issue about the field at `path`; the empty path is the manifest as a whole, or a file. */
export function manifestIssue(
  code: ManifestIssueCode,
  severity: ManifestIssueSeverity,
  path: FieldPath,
  message: string,
): ManifestIssue {
  return { code, severity, path: toJsonPointer(path), message };
}

/** Applies strict mode, puts the issues in order (path, then code) and decides validity. */
export function concludeValidation(
  issues: readonly ManifestIssue[],
  strict: boolean,
  manifest: Manifest | undefined,
): ManifestValidation {
  const concluded = issues
    .map((issue): ManifestIssue => (strict ? { ...issue, severity: 'error' } : issue))
    // Array#sort is stable: issues of one path and code keep the order they were found in
    // (unpinned requirements by line number, for instance).
    .sort((a, b) => compareJsonPointers(a.path, b.path) || compareValues(a.code, b.code));
  const valid = concluded.every((issue) => issue.severity !== 'error');
  return valid && manifest !== undefined
    ? { valid, issues: concluded, manifest }
    : { valid, issues: concluded };
}
