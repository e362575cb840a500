// @hla-compass/manifest: the module manifest v1 (SPEC §5): schema, types, validation and the
// JSON Schema export.
export { toJsonPointer } from './field-path.js';
export {
  MANIFEST_ISSUE_CODES,
  type ManifestIssue,
  type ManifestIssueCode,
  type ManifestIssueSeverity,
  type ManifestValidation,
  type ValidationOptions,
} from './issue.js';
export { manifestJsonSchema } from './json-schema.js';
export { manifestDigest } from './manifest-digest.js';
export { type ManifestText, parseManifestText } from './manifest-text.js';
export {
  isJsonSchema,
  type PayloadCheck,
  type PayloadIssue,
  payloadJsonSchema,
  validatePayload,
} from './payload-schema.js';
export {
  DEFAULT_COMPUTE_TYPE,
  MANIFEST_SCHEMA_ID,
  type Manifest,
  MODULE_NAME_PATTERN,
  manifestSchema,
} from './schema.js';
export { compareSemVer, formatSemVer, parseSemVer, SEMVER_PATTERN, type SemVer } from './semver.js';
export { validateManifest } from './validate.js';
export {
  type ModuleValidation,
  type ModuleValidationOptions,
  validateModule,
} from './validate-module.js';
