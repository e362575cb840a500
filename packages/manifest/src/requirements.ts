// backend/requirements.txt must pin every dependency with == so that an image built today and
// one built next month install the same packages (SPEC §5). Pure: it reads text, not files.
import { type ManifestIssue, manifestIssue } from './issue.js';

export const REQUIREMENTS_FILE = 'backend/requirements.txt';

// pip's inline comment: a # at the start of a line or after whitespace (a # inside a URL,
// as in #egg=, is not one).
const COMMENT = /(^|\s)#.*$/;
const NESTED = /^(-r|--requirement)(\s|=|$)|^-r\S/;
const EDITABLE = /^(-e|--editable)(\s|=|$)|^-e\S/;
// Options that may follow a requirement on its line, such as --hash=sha256:….
const TRAILING_OPTIONS = /\s--?[A-Za-z].*$/;
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
const EXTRAS = /^\s*\[[^\]]*\]/;
const EXACT = /^===?\s*[^\s*,]+$/;

/**
 * One issue per requirement that is not pinned, in line order: a requirement is pinned when
 * one of its version clauses is `==V` (no wildcard) or `===V`. What a line holds decides:
 * - blank lines, comments and inline ` #` comments are skipped; `\` continues a line;
 * - an environment marker (`; python_version < "3.11"`) and per-requirement options
 *   (`--hash=…`) are ignored: the requirement before them must be pinned;
 * - option lines that install nothing (`--index-url`, `-c constraints.txt`, `--pre`, …) are
 *   skipped;
 * - `-e`/`--editable` installs pin nothing and are reported as unpinned;
 * - `-r`/`--requirement` includes another file this check does not follow, reported as
 *   `structure.requirements_nested`;
 * - direct references (`name @ https://…`, paths, URLs) are unpinned: they carry no `==`.
 */
export function checkRequirements(text: string): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  for (const { line, content } of logicalLines(text)) {
    const requirement = content.replace(COMMENT, '').trim();
    if (requirement === '') continue;
    const where = `${REQUIREMENTS_FILE} line ${line}`;
    const quoted = JSON.stringify(requirement);
    if (NESTED.test(requirement)) {
      issues.push(
        manifestIssue(
          'structure.requirements_nested',
          'warning',
          [],
          `${where}: ${quoted} includes a file whose requirements are not checked: list them in ${REQUIREMENTS_FILE}, pinned with ==`,
        ),
      );
    } else if (EDITABLE.test(requirement)) {
      issues.push(
        unpinned(
          where,
          quoted,
          'an editable install pins no version: install a release pinned with ==',
        ),
      );
    } else if (!requirement.startsWith('-') && !isPinned(requirement)) {
      const name = NAME.exec(requirement)?.[0] ?? 'package';
      issues.push(unpinned(where, quoted, `pin it with ==, e.g. ${name}==1.2.3`));
    }
  }
  return issues;
}

function unpinned(where: string, quoted: string, advice: string): ManifestIssue {
  return manifestIssue(
    'structure.requirements_unpinned',
    'warning',
    [],
    `unpinned dependency in ${where}: ${quoted} (${advice})`,
  );
}

function isPinned(requirement: string): boolean {
  const [beforeMarker = ''] = requirement.split(';', 1);
  const specification = beforeMarker.replace(TRAILING_OPTIONS, '');
  const name = NAME.exec(specification);
  if (name === null) return false;
  const clauses = specification
    .slice(name[0].length)
    .replace(EXTRAS, '')
    .replace(/[()]/g, '')
    .split(',');
  return clauses.some((clause) => EXACT.test(clause.trim()));
}

// Physical lines joined where one ends in a backslash, each numbered by its first line.
function logicalLines(text: string): { line: number; content: string }[] {
  const physical = text.split(/\r?\n/);
  const logical: { line: number; content: string }[] = [];
  for (let index = 0; index < physical.length; index += 1) {
    const line = index + 1;
    let content = physical[index] ?? '';
    while (content.endsWith('\\') && index + 1 < physical.length) {
      index += 1;
      content = content.slice(0, -1) + (physical[index] ?? '');
    }
    logical.push({ line, content });
  }
  return logical;
}
