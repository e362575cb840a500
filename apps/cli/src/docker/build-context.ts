// The build context: the module directory as a tar stream, read file by file as the engine takes
// it (never held whole), without what .dockerignore excludes and never with .git, node_modules,
// .hla-compass or __pycache__ (at any depth), except the Dockerfile the build uses.
import { relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { type PackOptions, pack as packTar } from 'tar-fs';

export {
  ALWAYS_EXCLUDED,
  contextFilter,
  dockerignoreRules,
  readDockerignore,
} from './context-filter.js';

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
