// Reading a manifest's text: the strict JSON document, or one `manifest.invalid` issue that
// points at the fault.
//
// The parser is @hla-compass/signing's parseJson, the one that reads what gets digested and
// signed, so `validate` refuses exactly what `build` and `publish` refuse (a duplicate key, a lone
// surrogate, a number beyond binary64). It lives in signing, not here: signing depends on no
// workspace package and this one needs it anyway for the manifest digest, so manifest → signing
// is the only direction without a cycle.
import { JsonParseError, type JsonValue, parseJson } from '@hla-compass/signing';
import { type ManifestIssue, manifestIssue } from './issue.js';

export type ManifestText = { ok: true; value: JsonValue } | { ok: false; issue: ManifestIssue };

/** Parses manifest JSON. A leading byte order mark is ignored: some Windows editors write one. */
export function parseManifestText(text: string): ManifestText {
  try {
    return { ok: true, value: parseJson(text.startsWith('\uFEFF') ? text.slice(1) : text) };
  } catch (error) {
    if (!(error instanceof JsonParseError)) throw error;
    const message = `invalid JSON in manifest at line ${error.line}, column ${error.column}: ${error.reason.slice(0, 200)}`;
    return { ok: false, issue: manifestIssue('manifest.invalid', 'error', [], message) };
  }
}
