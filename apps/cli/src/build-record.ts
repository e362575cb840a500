// .hla-compass/build.json: which image the last `build` made from which manifest and, after
// `push`, the digest the registry stored, so that `push` and `publish` know the image without
// being told. Versioned, validated on read and write, written atomically.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseImageReference } from '@hla-compass/registry-client';
import { writeFileAtomically } from './atomic-file.js';
import { UsageError } from './errors.js';

/** Relative to the module directory. */
export const BUILD_RECORD_PATH = '.hla-compass/build.json';

export const BUILD_RECORD_VERSION = 1;

export interface BuildRecord {
  readonly version: typeof BUILD_RECORD_VERSION;
  /** The tag the image was built (and pushed) as, in full, e.g. `127.0.0.1:5000/your-org/scorer:1.0.0`. */
  readonly imageRef: string;
  /** The engine's image id, `sha256:…`. */
  readonly imageId: string;
  /** The digest of the manifest the registry stored; null until pushed. */
  readonly digest: string | null;
  readonly pushed: boolean;
  /** `os/arch[/variant]`, e.g. `linux/amd64`. */
  readonly platform: string;
  /** `sha256:` of the canonical manifest the image was built from (manifestDigest of @hla-compass/manifest). */
  readonly manifestDigest: string;
  /**
   * The uncompressed digest of the layer holding the module's files (a generated Dockerfile's
   * reproducible ADD layer), null for a module's own Dockerfile or a record written before it.
   */
  readonly moduleLayer: string | null;
  /**
   * `sha256:` of everything a generated Dockerfile's build reads (the Dockerfile, the module
   * archive, the requirements, the base image's id, platform and tags): when it is the same and
   * the tag still names `imageId`, build has nothing to do. Null for a module's own Dockerfile.
   */
  readonly inputsDigest: string | null;
  /**
   * What the next build needs to tell that nothing changed (build-stamp.ts) and to answer as this
   * one did; null when a build cannot be reused this way (a module's own Dockerfile, the default
   * tag from the platform, --no-cache, a base image the engine did not have) or an older record.
   */
  readonly reuse: BuildReuse | null;
  /** ISO 8601 times. */
  readonly builtAt: string;
  readonly pushedAt: string | null;
}

export interface BuildReuse {
  /** The stamp of the inputs the build read. */
  readonly stamp: string;
  /** The base image as named, and the id it had: a re-pulled base is a change. */
  readonly baseImage: string;
  readonly baseImageId: string;
  /** Every tag given, in full; each must still name `imageId`. */
  readonly tags: readonly string[];
  /** The image's `created` time and where it came from (source-date.ts). */
  readonly created: string;
  readonly createdFrom: string;
  /** The warnings the build printed, printed again by an unchanged build. */
  readonly warnings: readonly string[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

/**
 * The module's build record, or undefined when it has none (never built in `moduleDir`). A file
 * that is not a record of this version (corrupt, hand-edited, from another tool) is a UsageError
 * saying what is wrong and to build again.
 */
export async function readBuildRecord(moduleDir: string): Promise<BuildRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(moduleDir, BUILD_RECORD_PATH), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRecord('it is not JSON');
  }
  return parseBuildRecord(value);
}

/** Writes the record (checked first) atomically: a temp file, then a rename. Returns its path. */
export async function writeBuildRecord(moduleDir: string, record: BuildRecord): Promise<string> {
  const path = join(moduleDir, BUILD_RECORD_PATH);
  const checked = parseBuildRecord(record);
  await mkdir(join(moduleDir, '.hla-compass'), { recursive: true });
  await writeFileAtomically(path, `${JSON.stringify(checked, null, 2)}\n`);
  return path;
}

/** The record after `imageRef`, an image of this build, was pushed and the registry stored `digest`. */
export function recordPush(
  record: BuildRecord,
  push: { imageRef: string; digest: string; at: Date },
): BuildRecord {
  return {
    ...record,
    imageRef: push.imageRef,
    digest: push.digest,
    pushed: true,
    pushedAt: push.at.toISOString(),
  };
}

/** Checks a parsed build.json against the record shape; any mismatch is a UsageError. */
export function parseBuildRecord(value: unknown): BuildRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRecord('it is not a JSON object');
  }
  const record = value as Record<string, unknown>;
  if (record.version !== BUILD_RECORD_VERSION) {
    throw invalidRecord(
      `its version is ${JSON.stringify(record.version) ?? 'missing'}; this hla-compass reads version ${BUILD_RECORD_VERSION}`,
    );
  }
  const text = (field: string, pattern?: RegExp): string => {
    const found = record[field];
    if (typeof found !== 'string' || (pattern !== undefined && !pattern.test(found))) {
      throw invalidRecord(`"${field}" is missing or malformed`);
    }
    return found;
  };
  const time = (field: string): string => {
    const found = text(field);
    if (Number.isNaN(Date.parse(found))) throw invalidRecord(`"${field}" is not a time`);
    return found;
  };
  const imageRef = text('imageRef');
  if (!isTaggedReference(imageRef)) {
    throw invalidRecord('"imageRef" is not a tagged image reference');
  }
  if (typeof record.pushed !== 'boolean') throw invalidRecord('"pushed" is not true or false');
  if (!record.pushed && (record.digest !== null || record.pushedAt !== null)) {
    throw invalidRecord('an image that was not pushed has a null "digest" and "pushedAt"');
  }
  return {
    version: BUILD_RECORD_VERSION,
    imageRef,
    imageId: text('imageId', DIGEST),
    digest: record.pushed ? text('digest', DIGEST) : null,
    pushed: record.pushed,
    platform: text('platform', PLATFORM),
    manifestDigest: text('manifestDigest', DIGEST),
    // Added later in version 1: a record without it is read as not knowing the layer.
    moduleLayer:
      record.moduleLayer === undefined || record.moduleLayer === null
        ? null
        : text('moduleLayer', DIGEST),
    inputsDigest:
      record.inputsDigest === undefined || record.inputsDigest === null
        ? null
        : text('inputsDigest', DIGEST),
    reuse: record.reuse === undefined || record.reuse === null ? null : parseReuse(record.reuse),
    builtAt: time('builtAt'),
    pushedAt: record.pushed ? time('pushedAt') : null,
  };
}

function parseReuse(value: unknown): BuildReuse {
  const reuse = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const strings = (field: string): string[] => {
    const found = reuse[field];
    if (!Array.isArray(found) || !found.every((item) => typeof item === 'string')) {
      throw invalidRecord(`"reuse.${field}" is not a list of strings`);
    }
    return found;
  };
  const text = (field: string, pattern?: RegExp): string => {
    const found = reuse[field];
    if (typeof found !== 'string' || (pattern !== undefined && !pattern.test(found))) {
      throw invalidRecord(`"reuse.${field}" is missing or malformed`);
    }
    return found;
  };
  return {
    stamp: text('stamp', DIGEST),
    baseImage: text('baseImage'),
    baseImageId: text('baseImageId', DIGEST),
    tags: strings('tags'),
    created: text('created'),
    createdFrom: text('createdFrom'),
    warnings: strings('warnings'),
  };
}

function isTaggedReference(text: string): boolean {
  try {
    return parseImageReference(text).tag !== undefined;
  } catch {
    return false;
  }
}

function invalidRecord(reason: string): UsageError {
  return new UsageError(
    `${BUILD_RECORD_PATH} is not a build record hla-compass can read: ${reason}`,
    {
      code: 'BUILD_RECORD_INVALID',
      hint: `delete ${BUILD_RECORD_PATH} and run \`hla-compass build\` again`,
    },
  );
}
