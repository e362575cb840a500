// Reading a manifest's text: JSON, or one `manifest.invalid` issue that points at the fault.
import { type ManifestIssue, manifestIssue } from './issue.js';
import { findJsonSyntaxError } from './json-syntax.js';

export type ManifestText = { ok: true; value: unknown } | { ok: false; issue: ManifestIssue };

/** Parses manifest JSON. A leading byte order mark is ignored: some Windows editors write one. */
export function parseManifestText(text: string): ManifestText {
  const json = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(json) };
  } catch (error) {
    const fault = findJsonSyntaxError(json);
    const where = fault === undefined ? '' : ` at line ${fault.line}, column ${fault.column}`;
    // JSON.parse and the grammar agree on every text; its own message stands in should they not.
    const why = fault?.message ?? (error instanceof Error ? error.message : String(error));
    const message = `invalid JSON in manifest${where}: ${why.slice(0, 200)}`;
    return { ok: false, issue: manifestIssue('manifest.invalid', 'error', [], message) };
  }
}
