// The two commands users run over and over on a module that has not changed, answered without
// loading the command framework, the validator or the Docker client (most of what they cost):
// `build` whose stamp (build-stamp.ts) is the one of the last build, with the same base image in
// the engine and every tag still naming the image; and `push` of the image the last push sent,
// which the registry still holds under its tag. Anything the fast path is not sure of (an option
// it does not know, a record without `reuse`, an engine or registry that does not answer at once,
// any error) returns undefined, and the full command runs, decides and reports as it always does.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseImageReference } from '@hla-compass/registry-client/reference';
import { writeFileAtomically } from './atomic-file.js';
import { type PushResult, pushResultLines } from './build-result.js';
import { Settings } from './config/variables.js';
import { type DockerEndpoint, dockerEndpoint } from './docker/engine.js';
import { http1 } from './http1.js';
import { colorEnabled, createStyle, type TextStream } from './terminal.js';

export interface FastPathSystem {
  readonly cwd: string;
  readonly homeDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: TextStream;
  readonly stderr: TextStream;
}

export const RECORD_PATH = '.hla-compass/build.json';
/** An engine or registry slower than this is left to the full command and its timeouts. */
const ANSWER_TIMEOUT_MS = 2_000;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The exit code when the fast path answered the command; undefined when the full command must. */
export async function fastPath(
  argv: readonly string[],
  system: FastPathSystem,
): Promise<number | undefined> {
  try {
    if (argv[0] === 'build') {
      // No record, no earlier build to reuse (a module's first build, every build of a fresh
      // clone): the build's own part (hashing, git) is then not even loaded.
      if (!existsSync(join(system.cwd, RECORD_PATH))) return undefined;
      const { fastBuild } = await import('./fast-build.js');
      return await fastBuild(argv.slice(1), system);
    }
    if (argv[0] === 'push') return await fastPush(argv.slice(1), system);
  } catch {
    // Whatever went wrong, the full command meets it again and reports it properly.
  }
  return undefined;
}

async function fastPush(args: readonly string[], system: FastPathSystem): Promise<undefined | 0> {
  const json = args.length === 1 && args[0] === '--json';
  if (args.length > 0 && !json) return undefined;
  const dir = system.cwd;
  const record = await readRecord(dir);
  if (
    record === undefined ||
    record.pushed !== true ||
    typeof record.digest !== 'string' ||
    !DIGEST.test(record.digest)
  ) {
    return undefined;
  }
  // Parsed first: a reference the grammar refuses is the full command's to report.
  const reference = parseImageReference(record.imageRef);
  const settings = new Settings(system.env);
  const engine = dockerEndpoint(settings.raw, {
    homeDir: system.homeDir,
    exists: existsSync,
  });
  // A TLS engine needs certificates the fast path's plain HTTP does not carry.
  if (engine.tls) return undefined;
  const [localId, registryDigest] = await Promise.all([
    engineImageId(engine, record.imageRef),
    registryManifestDigest(record.imageRef),
  ]);
  if (localId !== record.imageId || registryDigest !== record.digest) return undefined;

  await writeRecord(dir, { ...record, pushedAt: new Date().toISOString() });
  system.stderr.write(`${record.imageRef} is already at the registry: nothing to push\n`);
  const result: PushResult = {
    imageRef: record.imageRef,
    repository: reference.repository,
    digest: record.digest,
    pinnedRef: reference.atDigest(record.digest).toString(),
    pushed: false,
    recorded: true,
  };
  writeResult(system, settings, json, result, pushResultLines);
  return 0;
}

export function writeResult<T>(
  system: FastPathSystem,
  settings: Settings,
  json: boolean,
  result: T,
  lines: (result: T, style: ReturnType<typeof createStyle>) => readonly string[],
): void {
  if (json) {
    system.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const style = createStyle(colorEnabled(system.stdout, settings));
  system.stdout.write(`${lines(result, style).join('\n')}\n`);
}

/** The fields of build.json the fast path reads; the full commands check the whole record. */
export interface RecordFields {
  readonly version: unknown;
  readonly imageRef: string;
  readonly imageId: string;
  readonly digest: string | null;
  readonly pushed: boolean;
  readonly platform: string;
  readonly manifestDigest: string;
  readonly reuse?: unknown;
  readonly [field: string]: unknown;
}

export interface Reuse {
  readonly stamp: string;
  readonly baseImage: string;
  readonly baseImageId: string;
  readonly tags: readonly string[];
  readonly created: string;
  readonly createdFrom: string;
  readonly warnings: readonly string[];
}

export async function readRecord(dir: string): Promise<RecordFields | undefined> {
  const value: unknown = JSON.parse(readFileSync(join(dir, RECORD_PATH), 'utf8'));
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const ok =
    record.version === 1 &&
    typeof record.imageRef === 'string' &&
    typeof record.imageId === 'string' &&
    DIGEST.test(record.imageId) &&
    typeof record.platform === 'string' &&
    typeof record.manifestDigest === 'string' &&
    typeof record.pushed === 'boolean' &&
    (record.digest === null || typeof record.digest === 'string');
  return ok ? (record as RecordFields) : undefined;
}

export function isReuse(value: unknown): value is Reuse {
  if (typeof value !== 'object' || value === null) return false;
  const reuse = value as Record<string, unknown>;
  const strings = (field: unknown) =>
    Array.isArray(field) && field.every((item) => typeof item === 'string');
  return (
    typeof reuse.stamp === 'string' &&
    typeof reuse.baseImage === 'string' &&
    typeof reuse.baseImageId === 'string' &&
    typeof reuse.created === 'string' &&
    typeof reuse.createdFrom === 'string' &&
    strings(reuse.tags) &&
    (reuse.tags as unknown[]).length > 0 &&
    strings(reuse.warnings)
  );
}

/** As build-record.ts writes it. */
export async function writeRecord(dir: string, record: RecordFields): Promise<void> {
  await writeFileAtomically(join(dir, RECORD_PATH), `${JSON.stringify(record, null, 2)}\n`);
}

/** `registry/path` of a tagged reference as build.json holds it (`registry/path:tag`). */
export function repositoryOf(imageRef: string): string {
  const colon = imageRef.lastIndexOf(':');
  return colon > imageRef.lastIndexOf('/') ? imageRef.slice(0, colon) : imageRef;
}

/** The engine's id of image `name`, or undefined when it has none or does not answer at once. */
export async function engineImageId(
  endpoint: DockerEndpoint,
  name: string,
): Promise<string | undefined> {
  const { socketPath, host, port } = endpoint.options as {
    socketPath?: string;
    host?: string;
    port?: string | number;
  };
  const answer = await http1({
    ...(socketPath === undefined ? { host, port: Number(port) } : { socketPath }),
    method: 'GET',
    // Unescaped, as the Docker CLI sends it: the engine's route takes the rest of the path.
    path: `/images/${name}/json`,
    headers: { Accept: 'application/json' },
    timeoutMs: ANSWER_TIMEOUT_MS,
  });
  if (answer?.status !== 200) return undefined;
  const id: unknown = JSON.parse(answer.body).Id;
  return typeof id === 'string' ? id : undefined;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const LOOPBACK_REGISTRY = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$/;

/**
 * The digest a registry on loopback holds under the reference's tag, asked anonymously (HEAD, as
 * `docker push` asks before it sends anything); undefined when it needs credentials or has none.
 * Other registries (TLS, token auth, credential helpers) are the full push's: there the network,
 * not hla-compass, is what a no-op push costs.
 */
async function registryManifestDigest(imageRef: string): Promise<string | undefined> {
  const slash = imageRef.indexOf('/');
  const registry = LOOPBACK_REGISTRY.exec(imageRef.slice(0, slash));
  const repository = repositoryOf(imageRef);
  if (slash === -1 || registry === null || repository === imageRef) return undefined;
  const answer = await http1({
    host: registry[1] === 'localhost' ? '127.0.0.1' : registry[1],
    port: Number(registry[2]),
    method: 'HEAD',
    path: `/v2/${repository.slice(slash + 1)}/manifests/${imageRef.slice(repository.length + 1)}`,
    headers: { Accept: MANIFEST_TYPES },
    timeoutMs: ANSWER_TIMEOUT_MS,
  });
  const digest = answer?.headers['docker-content-digest'];
  return answer?.status === 200 && digest !== undefined && DIGEST.test(digest) ? digest : undefined;
}
