// The module a command builds or publishes: manifest.json validated exactly as `validate` does
// (the issues printed, exit 2 when invalid), then read as the strict JSON object that is digested
// and signed, with its digest.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Manifest, validateModule } from '@hla-compass/manifest';
import { type JsonObject, type JsonValue, parseJson } from '@hla-compass/signing';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';
import { manifestDigest } from './manifest-digest.js';
import { describeValidation } from './manifest-report.js';
import { asUserError } from './signing-keys.js';

export interface ValidModule {
  /** The validated manifest, typed. */
  readonly manifest: Manifest;
  /** The same manifest as the JSON object in the file (strict: no duplicate keys). */
  readonly document: JsonObject;
  /** `sha256:` of its canonical unsigned form. */
  readonly digest: string;
}

/**
 * Validates the module in `dir`; an invalid one has its issues printed on stderr and is a
 * UsageError (INVALID_MANIFEST, issues in `details`) saying `consequence`, e.g. "nothing was built".
 * Warnings are printed and let through.
 */
export async function readValidModule(
  dir: string,
  context: CommandContext,
  consequence: string,
): Promise<ValidModule> {
  const validation = await validateModule(dir);
  if (!validation.valid || validation.manifest === undefined) {
    const style = context.logger.style;
    for (const line of describeValidation('manifest.json', validation, false, style)) {
      context.logger.info(line);
    }
    throw new UsageError(`manifest.json is invalid; ${consequence}`, {
      code: 'INVALID_MANIFEST',
      hint: 'fix the issues above (`hla-compass validate` lists them too)',
      details: { issues: validation.issues },
    });
  }
  for (const issue of validation.issues) context.logger.warn(issue.message);
  const text = await readFile(join(dir, 'manifest.json'), 'utf8');
  let document: JsonValue;
  try {
    // Strict JSON: with a duplicate key, which value would the digest or a signature cover?
    document = parseJson(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    throw asUserError(error);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new UsageError('manifest.json is not a JSON object');
  }
  return { manifest: validation.manifest, document, digest: manifestDigest(document) };
}
