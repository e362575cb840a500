// The stamp of a build: one digest of everything `hla-compass build` reads to make an image from a
// generated Dockerfile, taken before the build (make's and Cargo's idea of "fresh"). When the next
// build's stamp is the same, the base image is still the one built on and every tag still names the
// image, the build has nothing to do, and the fast path (fast-path.ts) says so without loading the
// validator or the Docker client. Node built-ins only: the fast path loads this.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Bumped when what the stamp covers changes: an older stamp then never matches. */
const STAMP_FORMAT = 'hla-compass build stamp 1';
const GENERATED_DIR = '.hla-compass';

export interface BuildStampInputs {
  readonly moduleDir: string;
  /** The context filter of the build (.dockerignore and the names never sent). */
  readonly include: (path: string) => boolean;
  /** The CLI's version: another version may validate or generate differently. */
  readonly cliVersion: string;
  /** The options as given: `--tag` values, `--registry`, `--base-image`, and the platform. */
  readonly options: {
    readonly tags: readonly string[];
    readonly registry: string | undefined;
    readonly baseImage: string | undefined;
    readonly platform: string;
  };
  /** config.json as text ('' when there is none): it can name the base image. */
  readonly config: string;
  /** SOURCE_DATE_EPOCH as set, and the engine's address. */
  readonly sourceDateEpoch: string | undefined;
  readonly dockerHost: string | undefined;
  /** The module's git state (git-state.ts), which decides its revision, source and time labels. */
  readonly git: string;
}

/**
 * `sha256:` of the inputs: the options, config and git state, then every file and directory the
 * context holds, in name order, each with its path, kind, whether it is executable (the only mode
 * bit an image keeps, see normalizedHeader) and the sha256 of its content or link target.
 */
export async function buildStamp(inputs: BuildStampInputs): Promise<string> {
  const hash = createHash('sha256');
  const field = (value: string | undefined) => hash.update(value ?? '\u0001').update('\0');
  field(STAMP_FORMAT);
  field(inputs.cliVersion);
  field(JSON.stringify(inputs.options));
  field(inputs.config);
  field(inputs.sourceDateEpoch);
  field(inputs.dockerHost);
  field(inputs.git);
  for await (const entry of contextEntries(inputs.moduleDir, '', inputs.include)) field(entry);
  return `sha256:${hash.digest('hex')}`;
}

/** The context's entries under `relativeDir`, depth first in name order, as one line each. */
async function* contextEntries(
  root: string,
  relativeDir: string,
  include: (path: string) => boolean,
): AsyncGenerator<string> {
  const names = (await readdir(join(root, relativeDir))).sort();
  for (const name of names) {
    const path = relativeDir === '' ? name : `${relativeDir}/${name}`;
    // The generated Dockerfile and archive are outputs of these inputs, not inputs.
    if (path === GENERATED_DIR || !include(path)) continue;
    const absolute = join(root, path);
    const info = await lstat(absolute);
    if (info.isDirectory()) {
      yield `d ${path}`;
      yield* contextEntries(root, path, include);
    } else if (info.isSymbolicLink()) {
      yield `l ${path} ${await readlink(absolute)}`;
    } else if (info.isFile()) {
      const executable = (info.mode & 0o111) !== 0 ? 'x' : '-';
      const content = createHash('sha256')
        .update(await readFile(absolute))
        .digest('hex');
      yield `f ${path} ${executable} ${content}`;
    } else {
      // A socket or a FIFO: the engine cannot send one, its time stands for it.
      yield `? ${path} ${info.mtimeMs}`;
    }
  }
}
