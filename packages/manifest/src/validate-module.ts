// validateModule: a module directory as `hla-compass validate`, `build` and `publish` see it.
// Reads the manifest, validates it, then checks the layout around it (SPEC §5 structure checks);
// a valid module comes with the strict document and its digest, so no command parses it again.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { JsonObject } from '@hla-compass/signing';
import { entrypointIssues } from './entrypoint.js';
import {
  concludeValidation,
  type ManifestIssue,
  type ManifestValidation,
  manifestIssue,
  type ValidationOptions,
} from './issue.js';
import { isJsonObject } from './json-value.js';
import { manifestDigest } from './manifest-digest.js';
import { parseManifestText } from './manifest-text.js';
import { checkRequirements, REQUIREMENTS_FILE } from './requirements.js';
import { checkManifest } from './validate.js';

export type ModuleValidationOptions = ValidationOptions & {
  /** The manifest file, resolved against the module directory; default `manifest.json`. */
  manifestPath?: string;
};

export type ModuleValidation = ManifestValidation & {
  /** Only when valid: the manifest as the JSON object in the file, what is digested and signed. */
  document?: JsonObject;
  /** Only when valid: `sha256:` of the document's canonical unsigned form (manifestDigest). */
  digest?: string;
};

/**
 * Validates the module in `dir`. When the manifest cannot be read or parsed, that one issue is
 * the whole result: there is nothing to check the layout against.
 */
export async function validateModule(
  dir: string,
  options: ModuleValidationOptions = {},
): Promise<ModuleValidation> {
  const strict = options.strict ?? false;
  const manifestFile = resolve(dir, options.manifestPath ?? 'manifest.json');
  const text = await readManifestFile(manifestFile);
  if (typeof text !== 'string') return concludeValidation([text], strict, undefined);
  const parsed = parseManifestText(text);
  if (!parsed.ok) return concludeValidation([parsed.issue], strict, undefined);

  const { issues, manifest } = checkManifest(parsed.value, strict);
  const document = isJsonObject(parsed.value) ? parsed.value : {};
  const execution = isJsonObject(document.execution) ? document.execution : {};
  issues.push(...(await structureIssues(dir, document.type === 'with-ui', execution.entrypoint)));
  const validation = concludeValidation(issues, strict, manifest);
  // The schema only passes an object, so a validated manifest always has its document.
  return validation.manifest === undefined
    ? validation
    : { ...validation, document, digest: manifestDigest(document) };
}

async function readManifestFile(file: string): Promise<string | ManifestIssue> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = errorCode(error);
    return reason === 'ENOENT' || reason === 'ENOTDIR'
      ? manifestIssue('manifest.not_found', 'error', [], `manifest file not found at ${file}`)
      : manifestIssue(
          'manifest.read_error',
          'error',
          [],
          `cannot read the manifest at ${file}: ${describeReadError(error)}`,
        );
  }
}

async function structureIssues(
  dir: string,
  withUi: boolean,
  entrypoint: unknown,
): Promise<ManifestIssue[]> {
  const issues: ManifestIssue[] = [];
  if (!(await isDirectory(join(dir, 'backend')))) {
    issues.push(
      manifestIssue(
        'structure.backend_missing',
        'error',
        [],
        'backend/ directory not found: a module keeps its backend code in backend/ next to manifest.json',
      ),
    );
  } else {
    issues.push(...(await requirementsIssues(join(dir, REQUIREMENTS_FILE))));
    issues.push(...(await entrypointIssues(dir, entrypoint)));
  }
  if (withUi && !(await isDirectory(join(dir, 'frontend')))) {
    issues.push(
      manifestIssue(
        'ui.frontend_missing',
        'error',
        [],
        'frontend/ directory not found: a with-ui module needs its UI in frontend/ (or set "type": "no-ui")',
      ),
    );
  }
  return issues;
}

// Without requirements.txt the image installs nothing beyond the SDK; the platform's SDK warns
// about that, and so do we (so strict mode insists on the file).
async function requirementsIssues(file: string): Promise<ManifestIssue[]> {
  try {
    return checkRequirements(await readFile(file, 'utf8'));
  } catch (error) {
    const issue =
      errorCode(error) === 'ENOENT'
        ? manifestIssue(
            'structure.requirements_missing',
            'warning',
            [],
            `${REQUIREMENTS_FILE} not found: list the backend's dependencies there, pinned with ==`,
          )
        : manifestIssue(
            'structure.requirements_read_error',
            'warning',
            [],
            `unable to read ${REQUIREMENTS_FILE}: ${describeReadError(error)}`,
          );
    return [issue];
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function describeReadError(error: unknown): string {
  if (errorCode(error) === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}
