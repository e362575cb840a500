// validateManifest: the schema and the file-free checks over a manifest value. Pure, no I/O.
import {
  concludeValidation,
  type ManifestIssue,
  type ManifestValidation,
  type ValidationOptions,
} from './issue.js';
import { isJsonObject } from './json-value.js';
import { manifestChecks } from './manifest-checks.js';
import { type Manifest, manifestSchema } from './schema.js';
import { toSchemaIssues } from './schema-issues.js';

export function validateManifest(
  value: unknown,
  options: ValidationOptions = {},
): ManifestValidation {
  const { issues, manifest } = checkManifest(value, options.strict ?? false);
  return concludeValidation(issues, options.strict ?? false, manifest);
}

/** The issues before strict mode is applied, so validateModule can add its own first. */
export function checkManifest(
  value: unknown,
  strict: boolean,
): { issues: ManifestIssue[]; manifest?: Manifest } {
  // reportInput puts the offending value on each issue, for the messages.
  const parsed = manifestSchema.safeParse(value, { reportInput: true });
  const issues = [
    ...(parsed.success ? [] : toSchemaIssues(parsed.error.issues)),
    ...(isJsonObject(value) ? manifestChecks(value, strict) : []),
  ];
  return parsed.success ? { issues, manifest: parsed.data } : { issues };
}
