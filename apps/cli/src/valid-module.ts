// The module a command builds or publishes: manifest.json validated exactly as `validate` does
// (the issues printed, exit 2 when invalid), with the strict JSON object that is digested and
// signed and its digest, both from that one validation.
import { type Manifest, validateModule } from '@hla-compass/manifest';
import type { JsonObject } from '@hla-compass/signing';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';
import { describeValidation } from './manifest-report.js';

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
  const { valid, issues, manifest, document, digest } = await validateModule(dir);
  if (!valid || manifest === undefined || document === undefined || digest === undefined) {
    const style = context.logger.style;
    for (const line of describeValidation('manifest.json', { valid, issues }, false, style)) {
      context.logger.info(line);
    }
    throw new UsageError(`manifest.json is invalid; ${consequence}`, {
      code: 'INVALID_MANIFEST',
      hint: 'fix the issues above (`hla-compass validate` lists them too)',
      details: { issues },
    });
  }
  for (const issue of issues) context.logger.warn(issue.message);
  return { manifest, document, digest };
}
