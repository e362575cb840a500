// The build context: the module directory as a tar stream, read file by file as the engine takes
// it (never held whole), without what .dockerignore excludes and never with .git, node_modules,
// .hla-compass or __pycache__ (at any depth), except the Dockerfile the build uses.
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import ignore from 'ignore';
import { type PackOptions, pack as packTar } from 'tar-fs';

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

/**
 * tar-fs's pack with its entries in name order: readdir order differs between file systems, and
 * the same files must be the same bytes (tar-fs 3 has `sort`; its types lag).
 */
function pack(dir: string, options: PackOptions): Readable {
  return packTar(dir, { ...options, sort: true } as PackOptions);
}

/** The part of a tar header the normalisation reads and writes (tar-fs's header). */
interface EntryHeader {
  name: string;
  type?: string | null;
  mode?: number;
  mtime?: Date;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
}

/**
 * The header as the same file has it on every machine. The classic builder keeps a context file's
 * mode bits and mtime in COPY and ADD layers, and those come from the checkout (umask, time of
 * clone): owner root (uid and gid 0, no names, as `docker build` sends them), permissions 0755 for
 * directories and files with an execute bit, else 0644, and one time for everything.
 */
export function normalizedHeader<H extends EntryHeader>(header: H, mtime: Date): H {
  const mode = header.mode ?? 0;
  const executable = header.type === 'directory' || (mode & 0o111) !== 0;
  return {
    ...header,
    mode: (mode & ~0o7777) | (executable ? 0o755 : 0o644),
    mtime,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
  };
}

/**
 * Packs `dir` as the engine's build context, as `docker build` does, filtered, in name order and
 * with normalised headers (see {@link normalizedHeader}).
 */
export function packBuildContext(
  dir: string,
  include: (path: string) => boolean,
  mtime: Date,
): Readable {
  return pack(dir, {
    ignore: (name) => !include(relative(dir, name).split(sep).join('/')),
    map: (header) => normalizedHeader(header, mtime),
  });
}

/** A filter that lets through exactly `paths` and the directories above them. */
export function onlyPaths(paths: readonly string[]): (path: string) => boolean {
  return (path) =>
    path === '' || paths.some((kept) => kept === path || kept.startsWith(`${path}/`));
}

/** Where a module's files go in the image, by their path in the module: see {@link packModuleFiles}. */
function imagePath(path: string): string | undefined {
  if (path === '') return 'app';
  if (path === 'manifest.json' || path === 'backend' || path.startsWith('backend/')) {
    return `app/${path}`;
  }
  if (path === 'frontend') return 'app/ui';
  if (path === 'frontend/dist' || path.startsWith('frontend/dist/')) {
    return `app/ui/${path.slice('frontend/'.length)}`;
  }
  return undefined;
}

/**
 * The module's files as one tar laid out as the image has them: `app/manifest.json`,
 * `app/backend/…` and, for a module with a UI, `app/ui/dist/…` from `frontend/dist/`. Filtered
 * like the context, in name order, every header normalised, directories included: a
 * generated Dockerfile ADDs it, which (unlike COPY, which gives the directories it creates the
 * time of the build) keeps the directories' metadata too, so the layer holding the module's files
 * is the same bytes on every engine.
 */
export function packModuleFiles(
  dir: string,
  include: (path: string) => boolean,
  options: { readonly mtime: Date; readonly ui: boolean },
): Readable {
  const moduleFile = (path: string) =>
    path === '' ||
    (imagePath(path) !== undefined &&
      include(path) &&
      (options.ui || !(path === 'frontend' || path.startsWith('frontend/'))));
  return pack(dir, {
    ignore: (name) => !moduleFile(relative(dir, name).split(sep).join('/')),
    map: (header) => {
      const path = header.name === '.' ? '' : header.name;
      return normalizedHeader({ ...header, name: imagePath(path) ?? path }, options.mtime);
    },
  });
}
