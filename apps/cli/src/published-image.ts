// The image `publish` sends: chosen (--image-ref, else the tag the last build here recorded,
// whoever pushed it, else the default tag), resolved to its digest with the user's own Docker
// credentials, and, for a recorded build, checked to be the image built here from this
// manifest.json, all before anything reaches the platform.

import {
  type ImageReference,
  imageConfigLabels,
  imageConfigLayers,
  imageReference,
  parseImageReference,
  type RegistryClient,
} from '@hla-compass/registry-client';
import { BUILD_RECORD_PATH, type BuildRecord, readBuildRecord } from './build-record.js';
import type { CommandContext } from './context.js';
import { MANIFEST_DIGEST_LABEL } from './docker/image-labels.js';
import { dockerPushCommand } from './docker-commands.js';
import { UsageError } from './errors.js';
import { asCliError } from './library-errors.js';
import { found, imageManifest, read } from './registry-image.js';

export type ImageSource = '--image-ref' | typeof BUILD_RECORD_PATH | 'publish config';

/** How publish knows the registry's image is the one built here (null when it was not asked). */
export type BuiltHere = 'pushed digest' | 'image id' | 'module layer' | 'manifest label' | null;

export interface PublishedImage {
  readonly reference: ImageReference;
  readonly source: ImageSource;
  readonly digest: string;
  /** `repository[:tag]@digest`: what is sent, so the platform resolves the same image. */
  readonly pinned: string;
  readonly builtHere: BuiltHere;
}

export interface ImageChoice {
  readonly imageRef: string | undefined;
  readonly registry: string;
  readonly name: string;
  readonly version: string;
  /** `sha256:` of manifest.json as it is now (valid-module.ts). */
  readonly manifestDigest: string;
}

/** The image publish would send, chosen but not yet looked up at its registry. */
export interface ChosenImage {
  readonly reference: ImageReference;
  readonly source: ImageSource;
  /** The build recorded here, when no --image-ref was given and there is one. */
  readonly record: BuildRecord | undefined;
}

export async function publishedImage(
  context: CommandContext,
  choice: ImageChoice,
): Promise<PublishedImage> {
  return resolvePublishedImage(
    context,
    await chooseImageToPublish(context, choice),
    choice.manifestDigest,
  );
}

/**
 * The first half of {@link publishedImage}, without a registry call: which image, and whether
 * manifest.json changed since the recorded build. The preflight takes the reference from here
 * for the allowlist, which needs no answer from the registry.
 */
export async function chooseImageToPublish(
  context: CommandContext,
  choice: ImageChoice,
): Promise<ChosenImage> {
  const record = choice.imageRef === undefined ? await readBuildRecord(context.cwd) : undefined;
  return { ...chooseImage(context, choice, record), record };
}

/** The second half of {@link publishedImage}: the chosen image's digest, and whether it was built here. */
export async function resolvePublishedImage(
  context: CommandContext,
  chosen: ChosenImage,
  manifestDigest: string,
): Promise<PublishedImage> {
  const { reference, source, record } = chosen;
  const registry = await context.registry();
  const resolution = await read(reference, () => registry.resolveManifest(reference));
  const digest = found(reference, resolution).digest;
  const builtHere =
    record === undefined
      ? null
      : await checkBuiltHere(context, registry, reference, digest, record, manifestDigest);
  const pinned = imageReference({ ...reference, digest }).toString();
  return { reference, source, digest, pinned, builtHere };
}

function chooseImage(
  context: CommandContext,
  choice: ImageChoice,
  record: BuildRecord | undefined,
): { reference: ImageReference; source: ImageSource } {
  if (choice.imageRef !== undefined) {
    return { reference: parse(choice.imageRef, '--image-ref'), source: '--image-ref' };
  }
  if (record === undefined) {
    const fallback = `${choice.registry}/${choice.name}:${choice.version}`;
    return { reference: parse(fallback, 'publish config'), source: 'publish config' };
  }
  if (record.manifestDigest !== choice.manifestDigest) {
    throw new UsageError(
      `rebuild and push: manifest.json changed since the image was built (${record.imageRef}, built ${record.builtAt})`,
      {
        code: 'MANIFEST_CHANGED',
        hint: `run \`hla-compass build\` and push the new image (\`hla-compass push\` or \`docker push\`), or publish another image on purpose with --image-ref`,
        details: {
          imageRef: record.imageRef,
          built: record.manifestDigest,
          now: choice.manifestDigest,
        },
      },
    );
  }
  const reference = parse(record.imageRef, BUILD_RECORD_PATH);
  if (reference.tag !== undefined && reference.tag !== choice.version) {
    context.logger.warn(
      `the last build (${record.imageRef}) is tagged ${reference.tag}, but manifest.json says ${choice.version}: build and push again if that is not what you mean`,
    );
  }
  return { reference, source: BUILD_RECORD_PATH };
}

function parse(value: string, source: ImageSource): ImageReference {
  try {
    return parseImageReference(value);
  } catch (error) {
    throw asCliError(error, {
      about: `invalid image reference from ${source}`,
      hint: 'use a reference like ghcr.io/your-org/my-module:1.0.0',
    });
  }
}

/**
 * Whether the image at the registry is the build recorded here: the digest our own push
 * recorded, else a manifest whose config is the local image id (docker push, build --push),
 * else a config with this manifest.json's manifest-digest label and the recorded module layer
 * (the same sources built reproducibly elsewhere), else one with the label alone (an earlier
 * build of this manifest: said as a warning). Anything else is refused.
 */
async function checkBuiltHere(
  context: CommandContext,
  registry: RegistryClient,
  reference: ImageReference,
  digest: string,
  record: BuildRecord,
  manifestDigest: string,
): Promise<Exclude<BuiltHere, null>> {
  if (record.digest === digest) return 'pushed digest';
  const pinned = reference.atDigest(digest);
  const image = await imageManifest(registry, pinned, record.platform);
  if (image.configDigest === record.imageId) return 'image id';
  const config = found(
    pinned,
    await read(pinned, () => registry.getBlob(pinned, image.configDigest)),
  );
  const label = imageConfigLabels(config.body)[MANIFEST_DIGEST_LABEL];
  const shown = reference.toString();
  if (label === manifestDigest) {
    // A reproducible build of the same sources elsewhere (CI, another engine) has another image
    // id but the same module layer: it is this module's image.
    if (
      record.moduleLayer !== null &&
      imageConfigLayers(config.body).at(-1) === record.moduleLayer
    ) {
      return 'module layer';
    }
    context.logger.warn(
      `${shown} at the registry is not the image the last build here made (${record.imageId}), but it was built from this manifest.json; publishing it. If you changed backend/ since, push the new build first.`,
    );
    return 'manifest label';
  }
  throw new UsageError(
    `${shown} at the registry is not the image built here: its config is ${image.configDigest} (the last build is ${record.imageId}) and ${label === undefined ? `it has no ${MANIFEST_DIGEST_LABEL} label` : `its ${MANIFEST_DIGEST_LABEL} label is ${label}, not ${manifestDigest}`}`,
    {
      code: 'IMAGE_NOT_BUILT_HERE',
      hint: `push the last build (\`hla-compass push\` or \`${dockerPushCommand(reference)}\`), or publish the registry's image on purpose with --image-ref ${shown}`,
    },
  );
}
