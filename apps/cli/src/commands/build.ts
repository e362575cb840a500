// `hla-compass build`: validates the module, then builds its image with the Docker engine from the
// module's own Dockerfile or a generated one, labels it, records it in .hla-compass/build.json
// and, with --push, pushes it.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Manifest } from '@hla-compass/manifest';
import { parseImageReference } from '@hla-compass/registry-client';
import type Dockerode from 'dockerode';
import {
  type BuildRecord,
  type BuildReuse,
  readBuildRecord,
  recordPush,
  writeBuildRecord,
} from '../build-record.js';
import { type BuildResult, buildResultLines } from '../build-result.js';
import { buildStamp } from '../build-stamp.js';
import { defineCommand, type OptionSpec, option } from '../command.js';
import { CONFIG_FILE } from '../config/config-file.js';
import type { CommandContext } from '../context.js';
import {
  contextFilter,
  onlyPaths,
  packBuildContext,
  packModuleFiles,
  readDockerignore,
} from '../docker/build-context.js';
import {
  DEFAULT_BASE_IMAGE,
  GENERATED_DOCKERFILE,
  generateDockerfile,
  listsRequirements,
  MODULE_ARCHIVE,
  MODULE_DOCKERFILE,
} from '../docker/dockerfile.js';
import { connectDockerEngine } from '../docker/engine.js';
import { gitProvenance } from '../docker/git-provenance.js';
import { gitState } from '../docker/git-state.js';
import { type BuildTags, buildImage } from '../docker/image-build.js';
import { imageLabels } from '../docker/image-labels.js';
import { pushUnlessPresent } from '../docker/image-push.js';
import { defaultImageTag, imageTag } from '../docker/image-tags.js';
import { progressMode } from '../docker/progress.js';
import { type SourceDate, sourceDate } from '../docker/source-date.js';
import { UsageError } from '../errors.js';
import { asCliError } from '../library-errors.js';
import { defaultRegistry } from '../platform/publish-config.js';
import { readValidModule } from '../valid-module.js';
import { CLI_VERSION } from '../version.js';

const DEFAULT_PLATFORM = 'linux/amd64';
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

/** `--tag` may be given several times (`--tag a --tag b`, or `--tag a b`). */
const tagsOption: OptionSpec<readonly string[]> = {
  flags: '--tag <ref...>',
  description: 'image reference to build under, e.g. ghcr.io/your-org/my-module:1.0.0 (repeatable)',
  convert: (raw, flag) => {
    if (raw === undefined) return [];
    const values = Array.isArray(raw) ? raw : [raw];
    if (!values.every((value) => typeof value === 'string' && value.trim() !== '')) {
      throw new UsageError(`${flag} needs a non-empty image reference`);
    }
    return values as string[];
  },
};

export default defineCommand({
  description:
    'Builds the module in this directory into a Docker image, with the engine at DOCKER_HOST (default ' +
    'unix:///var/run/docker.sock). manifest.json is validated first. A module with its own Dockerfile ' +
    "is built from it; otherwise hla-compass writes one to .hla-compass/Dockerfile: the platform's " +
    `Python runtime image (${DEFAULT_BASE_IMAGE}; --base-image or config "build.baseImage" to change ` +
    'it), backend/requirements.txt installed when it lists anything, backend/ and manifest.json copied, ' +
    'frontend/dist/ for with-ui modules (build the UI first), HLA_COMPASS_MODULE set from ' +
    'execution.entrypoint. Every image gets the OCI labels (title, version, created, and revision and ' +
    'source from git) and io.hla-compass.manifest.digest. The context honours .dockerignore and never ' +
    'holds .git, node_modules, .hla-compass or __pycache__. The tag is --tag, else ' +
    '<registry>/<name>:<version> with --registry, else with the default registry of the selected ' +
    "environment's publish config (that needs a login). The result is recorded in .hla-compass/build.json " +
    'for push and publish.',
  options: {
    tag: tagsOption,
    registry: option.string(
      '--registry <registry>',
      'registry (and namespace) for the default tag <registry>/<name>:<version>',
    ),
    platform: {
      ...option.string('--platform <os/arch>', 'target platform of the image'),
      defaultValue: DEFAULT_PLATFORM,
    },
    baseImage: option.string(
      '--base-image <image>',
      `base image of a generated Dockerfile (default: ${DEFAULT_BASE_IMAGE})`,
    ),
    cache: option.negatable('--no-cache', 'build every step again, without the layer cache'),
    push: option.flag('--push', 'push the image after the build, as `hla-compass push` does'),
  },
  examples: [
    {
      command: 'hla-compass build --registry ghcr.io/your-org',
      description: 'tag ghcr.io/your-org/<name>:<version>',
    },
    {
      command: 'hla-compass build --tag 127.0.0.1:5000/your-org/my-module:dev --push',
      description: 'build, then push to a local registry',
    },
    {
      command: 'hla-compass build --registry ghcr.io/your-org --base-image python:3.11-slim',
      description: 'another base image for the generated Dockerfile',
    },
  ],
  async run({ options }, context) {
    const warningsBefore = context.logger.warnings.length;
    const plan = await planBuild(options, context);
    const engine = await connectDockerEngine(context);
    const inputs = await readInputs(plan, options, context);
    const source = await prepareSource(plan, inputs, engine.docker, context);
    const previous = await readBuildRecord(plan.moduleDir).catch(() => undefined);
    const image = await buildOrReuse(plan, source, previous, engine.docker, context);
    const warnings = context.logger.warnings.slice(warningsBefore);
    const built = await recordBuild(plan, source, image, { previous, warnings }, engine.docker);
    const record = options.push
      ? await pushTags(plan, built.record, engine.docker, context)
      : built.record;
    reportBuild(context, { plan, source, image, record, upToDate: built.upToDate });
    return undefined;
  },
});

interface BuildOptions {
  readonly tag: readonly string[];
  readonly registry: string | undefined;
  readonly platform: string | undefined;
  readonly baseImage: string | undefined;
  readonly cache: boolean;
  readonly push: boolean;
}

/** What is built: the module, under which tags, for which platform, from which Dockerfile. */
interface BuildPlan {
  readonly moduleDir: string;
  readonly manifest: Manifest;
  readonly manifestDigest: string;
  readonly tags: BuildTags;
  readonly platform: string;
  readonly ownDockerfile: boolean;
  /** The base image of the generated Dockerfile; undefined for the module's own. */
  readonly baseImage: string | undefined;
  /** False with --no-cache: every step again, and no reuse of the last build. */
  readonly cache: boolean;
}

/** The image's labels and date, the context's files, and the stamp an unchanged rebuild reuses. */
interface BuildInputs {
  readonly created: SourceDate;
  readonly labels: Readonly<Record<string, string>>;
  readonly dockerfile: string;
  readonly moduleFilter: (path: string) => boolean;
  readonly stamp: string | undefined;
}

/** What the engine is given: the context's files, and for a generated build what it is made of. */
interface BuildSource extends BuildInputs {
  readonly contextFiles: (path: string) => boolean;
  /** The digest of a generated build's inputs with the base image's id; null when not known. */
  readonly inputsDigest: string | null;
  readonly baseImageId: string | undefined;
}

interface BuiltImage {
  readonly imageId: string;
  /** The platform the engine really built for (see imagePlatform). */
  readonly platform: string;
}

/** The module, checked, and every choice made from the options before the engine is asked. */
async function planBuild(options: BuildOptions, context: CommandContext): Promise<BuildPlan> {
  const moduleDir = context.cwd;
  const { manifest, digest } = await readValidModule(moduleDir, context, 'nothing was built');
  const registry =
    options.tag.length === 0 && options.registry === undefined
      ? await defaultRegistry(context)
      : options.registry;
  const tags = resolveTags(options.tag, registry, manifest);
  const platform = options.platform ?? DEFAULT_PLATFORM;
  if (platform.includes(',')) throw platformList(platform, tags[0].toString());
  if (!PLATFORM.test(platform)) {
    throw new UsageError(
      `--platform must be os/arch[/variant], e.g. linux/amd64, not "${platform}"`,
    );
  }
  const ownDockerfile = existsSync(join(moduleDir, MODULE_DOCKERFILE));
  const baseImage = ownDockerfile ? undefined : await chooseBaseImage(options.baseImage, context);
  if (ownDockerfile && options.baseImage !== undefined) {
    context.logger.warn(
      '--base-image is ignored: the module has its own Dockerfile, which names its base',
    );
  }
  return {
    moduleDir,
    manifest,
    manifestDigest: digest,
    tags,
    platform,
    ownDockerfile,
    baseImage,
    cache: options.cache,
  };
}

async function readInputs(
  plan: BuildPlan,
  options: BuildOptions,
  context: CommandContext,
): Promise<BuildInputs> {
  const { moduleDir, manifest } = plan;
  const { committedAt, ...provenance } = await gitProvenance(moduleDir, context.settings.raw);
  const created = sourceDate({
    sourceDateEpoch: context.settings.get('SOURCE_DATE_EPOCH'),
    committedAt,
  });
  context.logger.debug(`created ${created.time.toISOString()} (from ${created.origin})`);
  const labels = imageLabels({
    name: manifest.name,
    version: manifest.version,
    manifestDigest: plan.manifestDigest,
    created: created.time,
    ...provenance,
  });
  const dockerfile = plan.ownDockerfile ? MODULE_DOCKERFILE : GENERATED_DOCKERFILE;
  const moduleFilter = contextFilter(await readDockerignore(moduleDir), [dockerfile]);
  const stamp = await reuseStamp(plan, options, moduleFilter, context);
  return { created, labels, dockerfile, moduleFilter, stamp };
}

/**
 * The stamp of everything a generated build reads, for the fast path to know it unchanged. Taken
 * before anything is read for the build: a file changed during it changes the stamp. Only when
 * the options alone decide the tags (not the platform's default registry).
 */
async function reuseStamp(
  plan: BuildPlan,
  options: BuildOptions,
  moduleFilter: (path: string) => boolean,
  context: CommandContext,
): Promise<string | undefined> {
  const { moduleDir } = plan;
  const git =
    plan.baseImage !== undefined &&
    options.cache &&
    (options.tag.length > 0 || options.registry !== undefined)
      ? await gitState(moduleDir, context.settings.raw)
      : undefined;
  if (git === undefined) return undefined;
  return buildStamp({
    moduleDir,
    include: moduleFilter,
    cliVersion: CLI_VERSION,
    options: {
      tags: options.tag,
      registry: options.registry,
      baseImage: options.baseImage,
      platform: plan.platform,
    },
    config: await readFile(join(context.configDir, CONFIG_FILE), 'utf8').catch(() => ''),
    sourceDateEpoch: context.settings.get('SOURCE_DATE_EPOCH'),
    dockerHost: context.settings.get('DOCKER_HOST'),
    git,
  });
}

/** The module's own context as it is; for a generated Dockerfile, the files written for it. */
async function prepareSource(
  plan: BuildPlan,
  inputs: BuildInputs,
  docker: Dockerode,
  context: CommandContext,
): Promise<BuildSource> {
  const { baseImage } = plan;
  if (baseImage === undefined) {
    return {
      ...inputs,
      contextFiles: inputs.moduleFilter,
      inputsDigest: null,
      baseImageId: undefined,
    };
  }
  const generated = await writeGeneratedFiles(
    plan.moduleDir,
    {
      baseImage,
      manifest: plan.manifest,
      labels: inputs.labels,
      include: inputs.moduleFilter,
      mtime: inputs.created.time,
    },
    context,
  );
  const baseImageId = await localImageId(docker, baseImage);
  const inputsDigest =
    baseImageId === undefined
      ? null
      : buildInputsDigest(generated.inputs, {
          baseImageId,
          platform: plan.platform,
          tags: plan.tags,
        });
  return { ...inputs, contextFiles: generated.include, inputsDigest, baseImageId };
}

/** The image of the last build when nothing changed since, else a new build; and its platform. */
async function buildOrReuse(
  plan: BuildPlan,
  source: BuildSource,
  previous: BuildRecord | undefined,
  docker: Dockerode,
  context: CommandContext,
): Promise<BuiltImage> {
  const { tags, platform } = plan;
  const unchanged =
    plan.cache && source.inputsDigest !== null && previous?.inputsDigest === source.inputsDigest
      ? await unchangedImage(docker, previous, tags, platform)
      : undefined;
  let imageId: string;
  if (unchanged !== undefined) {
    context.logger.debug(`nothing changed since the build of ${previous?.builtAt}`);
    imageId = unchanged;
  } else {
    context.logger.info(`Building ${tags[0].toString()} for ${platform}`);
    imageId = await buildImage(
      docker,
      {
        context: packBuildContext(plan.moduleDir, source.contextFiles, source.created.time),
        dockerfile: source.dockerfile,
        tags,
        platform,
        noCache: !plan.cache,
        // A generated Dockerfile carries the labels itself; the module's own gets them this way.
        ...(plan.ownDockerfile ? { labels: source.labels } : {}),
      },
      context.logger,
      progressMode(context.logger),
    );
  }
  // What the engine really built: the classic builder takes a base image of another platform
  // as it is, so --platform linux/arm64 on an amd64-only base gives an amd64 image.
  const builtPlatform = await imagePlatform(docker, imageId, platform);
  if (builtPlatform !== platform) {
    context.logger.warn(
      `the image is ${builtPlatform}, not ${platform}: ${plan.baseImage === undefined ? 'the base image of the Dockerfile' : `the base image ${plan.baseImage}`} is ${builtPlatform} in the engine, and the engine built on it as it is. build.json records ${builtPlatform}. For a ${platform} image, use a base image the engine has for ${platform} (\`docker pull --platform ${platform} IMAGE\`), or \`docker buildx build --platform ${platform}\``,
    );
  }
  return { imageId, platform: builtPlatform };
}

/** What the fast path needs to answer the same build again, with the warnings it must repeat. */
function reuseOf(
  plan: BuildPlan,
  source: BuildSource,
  warnings: BuildReuse['warnings'],
): BuildReuse | null {
  const { stamp, baseImageId, created } = source;
  const { baseImage, tags } = plan;
  if (stamp === undefined || baseImage === undefined || baseImageId === undefined) return null;
  return {
    stamp,
    baseImage,
    baseImageId,
    tags: tags.map(String),
    created: created.time.toISOString(),
    createdFrom: created.origin,
    warnings,
  };
}

/**
 * Writes build.json. The same sources, base and options give the same image id: then nothing
 * was rebuilt, and what the record knows of its push still holds.
 */
async function recordBuild(
  plan: BuildPlan,
  source: BuildSource,
  image: BuiltImage,
  before: { previous: BuildRecord | undefined; warnings: BuildReuse['warnings'] },
  docker: Dockerode,
): Promise<{ record: BuildRecord; upToDate: boolean }> {
  const { previous } = before;
  const { inputsDigest } = source;
  const reuse = reuseOf(plan, source, before.warnings);
  const imageRef = plan.tags[0].toString();
  const upToDate =
    previous !== undefined &&
    previous.imageId === image.imageId &&
    previous.imageRef === imageRef &&
    previous.platform === image.platform;
  const record: BuildRecord = upToDate
    ? { ...previous, inputsDigest, reuse, builtAt: new Date().toISOString() }
    : {
        version: 1,
        imageRef,
        imageId: image.imageId,
        digest: null,
        pushed: false,
        platform: image.platform,
        manifestDigest: plan.manifestDigest,
        moduleLayer: plan.ownDockerfile ? null : await topLayer(docker, image.imageId),
        inputsDigest,
        reuse,
        builtAt: new Date().toISOString(),
        pushedAt: null,
      };
  await writeBuildRecord(plan.moduleDir, record);
  return { record, upToDate };
}

/** --push: every tag, as `hla-compass push` does; the primary tag's digest goes into build.json. */
async function pushTags(
  plan: BuildPlan,
  built: BuildRecord,
  docker: Dockerode,
  context: CommandContext,
): Promise<BuildRecord> {
  let record = built;
  const [primary] = plan.tags;
  for (const tag of plan.tags) {
    const known = tag === primary ? record.digest : undefined;
    const { digest: pushed } = await pushUnlessPresent(docker, tag, context, {
      knownDigest: known,
    });
    if (tag !== primary) continue;
    record = recordPush(record, { imageRef: tag.toString(), digest: pushed, at: new Date() });
    await writeBuildRecord(plan.moduleDir, record);
  }
  return record;
}

function reportBuild(
  context: CommandContext,
  build: {
    plan: BuildPlan;
    source: BuildSource;
    image: BuiltImage;
    record: BuildRecord;
    upToDate: boolean;
  },
): void {
  const { plan, source, image, record } = build;
  const [primary] = plan.tags;
  const result: BuildResult = {
    imageRef: record.imageRef,
    imageId: image.imageId,
    tags: plan.tags.map((tag) => tag.toString()),
    baseImage: plan.baseImage ?? null,
    dockerfile: source.dockerfile,
    dockerfileGenerated: !plan.ownDockerfile,
    platform: image.platform,
    manifestDigest: plan.manifestDigest,
    created: source.created.time.toISOString(),
    createdFrom: source.created.origin,
    upToDate: build.upToDate,
    pushed: record.pushed,
    digest: record.digest,
    ...(record.digest === null ? {} : { pinnedRef: primary.atDigest(record.digest).toString() }),
  };
  context.output.result(result, (shown) => buildResultLines(shown, context.output.style));
}

/**
 * The id of the engine's image `name`; undefined when the engine has none: the build would pull
 * it, and only a build can tell what it gets.
 */
async function localImageId(docker: Dockerode, name: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(name).inspect()).Id;
  } catch {
    return undefined;
  }
}

/**
 * The digest of what a generated build reads: `inputs` (Dockerfile, archive, requirements), the
 * base image's id (a re-pulled base is a change) and the options.
 */
function buildInputsDigest(
  inputs: string,
  options: { baseImageId: string; platform: string; tags: BuildTags },
): string {
  const hash = createHash('sha256');
  for (const part of [inputs, options.baseImageId, options.platform, ...options.tags.map(String)]) {
    hash.update(part).update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}

/** The image the last build made, when every tag still names it: then there is nothing to build. */
async function unchangedImage(
  docker: Dockerode,
  previous: BuildRecord,
  tags: BuildTags,
  platform: string,
): Promise<string | undefined> {
  if (previous.imageRef !== tags[0].toString() || previous.platform !== platform) return undefined;
  try {
    for (const tag of tags) {
      if ((await docker.getImage(tag.toString()).inspect()).Id !== previous.imageId) {
        return undefined;
      }
    }
  } catch {
    return undefined;
  }
  return previous.imageId;
}

/**
 * The platform of the built image as the engine records it (Os/Architecture/Variant): `requested`
 * when it is that one (a variant the request leaves open does not count), else what it is.
 */
async function imagePlatform(
  docker: Dockerode,
  imageId: string,
  requested: string,
): Promise<string> {
  const image = (await docker.getImage(imageId).inspect()) as {
    Os?: string;
    Architecture?: string;
    Variant?: string;
  };
  if (!image.Os || !image.Architecture) return requested;
  const built = [image.Os, image.Architecture, ...(image.Variant ? [image.Variant] : [])];
  const wanted = requested.split('/');
  const same =
    wanted[0] === built[0] &&
    wanted[1] === built[1] &&
    (wanted[2] === undefined || wanted[2] === built[2]);
  return same ? requested : built.join('/');
}

/** --platform with a list: the classic builder makes one image for one platform. */
function platformList(platforms: string, tag: string): UsageError {
  return new UsageError(
    `--platform takes one platform, not a list ("${platforms}"): the Docker engine's builder makes an image for one platform`,
    {
      code: 'PLATFORM_LIST_UNSUPPORTED',
      hint: `build and push the multi-platform image with buildx (\`docker buildx build --platform ${platforms} --tag ${tag} --push .\`; for a module without a Dockerfile, run \`hla-compass build\` once and add \`--file .hla-compass/Dockerfile\`), then publish it: \`hla-compass publish --image-ref ${tag}\``,
    },
  );
}

/** The uncompressed digest of an image's top layer: a generated Dockerfile's module layer. */
async function topLayer(docker: Dockerode, imageId: string): Promise<string | null> {
  return (await docker.getImage(imageId).inspect()).RootFS.Layers?.at(-1) ?? null;
}

/**
 * --tag as given, else <registry>/<name>:<version> (--registry, or the environment's default
 * registry); all checked before anything is built.
 */
function resolveTags(
  tags: readonly string[],
  registry: string | undefined,
  module: { readonly name: string; readonly version: string },
): BuildTags {
  const [first, ...others] = tags;
  if (first !== undefined && registry !== undefined) {
    throw new UsageError('give --tag or --registry, not both', {
      hint: '--tag names the whole image; --registry makes <registry>/<name>:<version>',
    });
  }
  if (first !== undefined) {
    return [imageTag(first, '--tag'), ...others.map((tag) => imageTag(tag, '--tag'))];
  }
  if (registry === undefined) throw new Error('resolveTags needs --tag or a registry');
  return [defaultImageTag(registry, module)];
}

async function chooseBaseImage(flag: string | undefined, context: CommandContext): Promise<string> {
  const image = flag ?? (await context.config()).build?.baseImage ?? DEFAULT_BASE_IMAGE;
  try {
    parseImageReference(image);
  } catch (error) {
    throw asCliError(error, { about: `base image "${image}"` });
  }
  return image;
}

/**
 * Writes .hla-compass/Dockerfile (for the build and for people) and the module archive it ADDs,
 * for a module without a Dockerfile of its own; returns what the context then needs to hold.
 */
async function writeGeneratedFiles(
  moduleDir: string,
  input: {
    baseImage: string;
    manifest: Manifest;
    labels: Readonly<Record<string, string>>;
    include: (path: string) => boolean;
    mtime: Date;
  },
  context: CommandContext,
): Promise<{ include: (path: string) => boolean; inputs: string }> {
  const installRequirements =
    (await requirementsToInstall(moduleDir)) && input.include(REQUIREMENTS_FILE);
  const ui = input.manifest.type === 'with-ui' && (await builtUi(moduleDir, context));
  const dockerfile = generateDockerfile({
    baseImage: input.baseImage,
    entrypoint: input.manifest.execution.entrypoint,
    installRequirements,
    labels: input.labels,
  });
  await mkdir(join(moduleDir, '.hla-compass'), { recursive: true });
  await writeFile(join(moduleDir, GENERATED_DOCKERFILE), dockerfile);
  const archive = await writeAtomically(
    join(moduleDir, MODULE_ARCHIVE),
    packModuleFiles(moduleDir, input.include, { mtime: input.mtime, ui }),
  );
  context.logger.info(`Generated ${GENERATED_DOCKERFILE} (FROM ${input.baseImage})`);
  const requirements = installRequirements
    ? await readFile(join(moduleDir, REQUIREMENTS_FILE), 'utf8')
    : '';
  return {
    include: onlyPaths([
      GENERATED_DOCKERFILE,
      MODULE_ARCHIVE,
      ...(installRequirements ? [REQUIREMENTS_FILE] : []),
    ]),
    inputs: [dockerfile, archive, requirements].join('\0'),
  };
}

/**
 * A stream written to `path` through a temp file and a rename (never half a file at `path`);
 * returns the sha256 of what was written.
 */
async function writeAtomically(path: string, content: Readable): Promise<string> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const hash = createHash('sha256');
  try {
    await pipeline(
      content,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(temporary),
    );
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
  return hash.digest('hex');
}

const REQUIREMENTS_FILE = 'backend/requirements.txt';

async function requirementsToInstall(moduleDir: string): Promise<boolean> {
  try {
    return listsRequirements(await readFile(join(moduleDir, REQUIREMENTS_FILE), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** A with-ui module ships its built UI (frontend/dist/); without it the image has no UI. */
async function builtUi(moduleDir: string, context: CommandContext): Promise<boolean> {
  const built = await stat(join(moduleDir, 'frontend', 'dist')).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!built) {
    context.logger.warn(
      'frontend/dist/ not found: the image will have no UI; build it first (`npm run build` in frontend/)',
    );
  }
  return built;
}
