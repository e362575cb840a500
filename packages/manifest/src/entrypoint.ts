// Whether `execution.entrypoint` names code the module has: its Python module is a file in the
// module directory and defines the class. A static check (hla-compass cannot import Python): the
// file is looked for, and its text for the class at top level.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ManifestIssue, manifestIssue } from './issue.js';
import { ENTRYPOINT_PATTERN } from './manifest-checks.js';

const ENTRYPOINT_PATH = ['execution', 'entrypoint'];

/**
 * Where the runner may find the Python module `dotted` (e.g. `backend.main`), relative to the
 * module directory. The image puts the module's files under /app, which is on PYTHONPATH, so
 * `backend.main` is `backend/main.py`; a module whose own Dockerfile puts backend/ itself on the
 * path names it `main`, which is `backend/main.py` too. A package is its `__init__.py`.
 */
export function entrypointCandidates(dotted: string): string[] {
  const path = dotted.split('.').join('/');
  return [`${path}.py`, `${path}/__init__.py`, `backend/${path}.py`, `backend/${path}/__init__.py`];
}

/**
 * True when `source` defines `name` at top level: `class Name` (what the templates do), or the
 * name bound by a top-level assignment or a one-line `from … import … Name` (a re-export). A
 * heuristic over text, so a miss is a warning, as the Python SDK's failed import is.
 */
export function definesClass(source: string, name: string): boolean {
  // `name` is a Python identifier (the entrypoint pattern): nothing in it needs escaping.
  return [
    new RegExp(`^class\\s+${name}\\b`, 'm'),
    new RegExp(`^${name}\\s*(?::[^=\\n]*)?=(?!=)`, 'm'),
    new RegExp(`^from\\s+\\S+\\s+import\\s+[^\\n#]*\\b${name}\\b`, 'm'),
  ].some((pattern) => pattern.test(source));
}

/** The issues of an entrypoint of the valid form in the module at `dir`; none when it resolves. */
export async function entrypointIssues(dir: string, entrypoint: unknown): Promise<ManifestIssue[]> {
  if (typeof entrypoint !== 'string' || !ENTRYPOINT_PATTERN.test(entrypoint)) return [];
  const [dotted = '', className = ''] = entrypoint.split(':');
  const candidates = entrypointCandidates(dotted);
  for (const candidate of candidates) {
    const source = await readPythonFile(join(dir, candidate));
    if (source === undefined) continue;
    if (definesClass(source, className)) return [];
    return [
      manifestIssue(
        'entrypoint.class_missing',
        'warning',
        ENTRYPOINT_PATH,
        `execution.entrypoint "${entrypoint}": ${candidate} does not define class ${className} at top level: define it there, or fix the class name`,
      ),
    ];
  }
  return [
    manifestIssue(
      'structure.entrypoint_missing',
      'error',
      ENTRYPOINT_PATH,
      `execution.entrypoint "${entrypoint}": no ${candidates[0]} (nor ${candidates.slice(1).join(', ')}) in the module: create it, or point the entrypoint at the file that defines ${className}`,
    ),
  ];
}

async function readPythonFile(path: string): Promise<string | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
