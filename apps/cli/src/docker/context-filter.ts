// Which module files go into the build context: .dockerignore read as Docker reads it, and never
// .git, node_modules, .hla-compass or __pycache__. Apart from the packing (build-context.ts) so
// that the up-to-date check of an unchanged build can walk the same files without loading tar-fs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore from 'ignore';

/** Left out of every context, whatever .dockerignore says: VCS data, dependencies, our own state. */
export const ALWAYS_EXCLUDED: readonly string[] = [
  '.git',
  'node_modules',
  '.hla-compass',
  '__pycache__',
];

/**
 * `.dockerignore` lines as `ignore` (gitignore syntax) rules with Docker's meaning: Docker reads
 * every pattern from the context root (`*.pyc` matches top-level files only; a leading `**`
 * reaches below), cleaned like a path (`./a/`, `/a` and `a` are one pattern), so each becomes an
 * anchored `/pattern`.
 */
export function dockerignoreRules(text: string): string[] {
  const rules: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = index === 0 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    const negated = pattern.startsWith('!');
    if (negated) pattern = pattern.slice(1).trim();
    pattern = cleanPattern(pattern);
    if (pattern === '') continue;
    rules.push(`${negated ? '!' : ''}/${pattern}`);
  }
  return rules;
}

/** Go's filepath.Clean for a pattern relative to the root: no `.`, empty or trailing segments. */
function cleanPattern(pattern: string): string {
  const segments: string[] = [];
  for (const segment of pattern.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..' && segments.length > 0 && segments.at(-1) !== '..') segments.pop();
    else segments.push(segment);
  }
  return segments.join('/');
}

/**
 * Whether a context path (relative, `/`-separated) goes into the context: `keep` paths and the
 * directories above them always do; then anything under an ALWAYS_EXCLUDED name never does; then
 * .dockerignore decides. One limit of gitignore rules: a `!pattern` cannot bring back a file below
 * a directory that an earlier pattern excluded (Docker can); exclude the files instead.
 */
export function contextFilter(
  dockerignore: string,
  keep: readonly string[],
): (path: string) => boolean {
  const rules = ignore().add(dockerignoreRules(dockerignore));
  return (path) => {
    if (keep.some((kept) => kept === path || kept.startsWith(`${path}/`))) return true;
    if (path.split('/').some((segment) => ALWAYS_EXCLUDED.includes(segment))) return false;
    return !rules.ignores(path);
  };
}

/** The module's `.dockerignore`, or '' when it has none. */
export async function readDockerignore(dir: string): Promise<string> {
  try {
    return await readFile(join(dir, '.dockerignore'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}
