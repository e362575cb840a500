// The image `publish` sends: chosen (--image-ref, else the tag the last build here recorded,
// whoever pushed it, else the default tag), resolved to its digest with the user's own Docker
// credentials, and, for a recorded build, checked to be the image built here from this
// manifest.json, all before anything reaches the platform.
import {
  type ImageReference,
  InvalidReferenceError,
  imageConfigLabels,
  imageReference,
  type ManifestResolution,
  manifestContent,
  parseImageReference,
  RegistryClient,
  RegistryError,
  resolveDockerCredentials,
} from '@hla-compass/registry-client';
import { BUILD_RECORD_PATH, type BuildRecord, readBuildRecord } from './build-record.js';
import type { CommandContext } from './context.js';
import { MANIFEST_DIGEST_LABEL } from './docker/image-labels.js';
import { RejectedError, ServiceUnavailableError, UsageError } from './errors.js';
import { leanFetch } from './lean-fetch.js';
import { registryLoginHint } from './registry-login-hint.js';

export type ImageSource = '--image-ref' | typeof BUILD_RECORD_PATH | 'publish config';

/** How publish knows the registry's image is the one built here (null when it was not asked). */
export type BuiltHere = 'pushed digest' | 'image id' | 'manifest label' | null;

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

export async function publishedImage(
  context: CommandContext,
  choice: ImageChoice,
): Promise<PublishedImage> {
  const record = choice.imageRef === undefined ? await readBuildRecord(context.cwd) : undefined;
  const { reference, source } = chooseImage(context, choice, record);
  const registry = registryClient(context);
  const resolution = await read(reference, () => registry.resolveManifest(reference));
  const digest = found(reference, resolution).digest;
  const builtHere =
    record === undefined
      ? null
      : await checkBuiltHere(context, registry, reference, digest, record, choice.manifestDigest);
  const pinned = `${reference.repository}${reference.tag ? `:${reference.tag}` : ''}@${digest}`;
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
    if (!(error instanceof InvalidReferenceError)) throw error;
    throw new UsageError(`invalid image reference from ${source}: ${error.message}`, {
      code: 'INVALID_IMAGE_REF',
      hint: 'use a reference like ghcr.io/your-org/my-module:1.0.0',
    });
  }
}

function registryClient(context: CommandContext): RegistryClient {
  return new RegistryClient({
    fetch: leanFetch,
    credentials: async (registry) =>
      (
        await resolveDockerCredentials(registry, {
          env: context.settings.raw,
          homeDir: context.homeDir,
        })
      ).credentials,
  });
}

/**
 * Whether the image at the registry is the build recorded here: the digest our own push
 * recorded, else a manifest whose config is the local image id (docker push, build --push),
 * else a config whose manifest-digest label is this manifest.json's (the same manifest built
 * elsewhere, or an earlier build of it: said as a warning). Anything else is refused.
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
  const pinned = atDigest(reference, digest);
  const image = await imageManifest(registry, pinned, record.platform);
  if (image.configDigest === record.imageId) return 'image id';
  const config = found(
    pinned,
    await read(pinned, () => registry.getBlob(pinned, image.configDigest)),
  );
  const label = imageConfigLabels(config.body)[MANIFEST_DIGEST_LABEL];
  const shown = reference.toString();
  if (label === manifestDigest) {
    context.logger.warn(
      `${shown} at the registry is not the image the last build here made (${record.imageId}), but it was built from this manifest.json; publishing it. If you changed backend/ since, push the new build first.`,
    );
    return 'manifest label';
  }
  throw new UsageError(
    `${shown} at the registry is not the image built here: its config is ${image.configDigest} (the last build is ${record.imageId}) and ${label === undefined ? `it has no ${MANIFEST_DIGEST_LABEL} label` : `its ${MANIFEST_DIGEST_LABEL} label is ${label}, not ${manifestDigest}`}`,
    {
      code: 'IMAGE_NOT_BUILT_HERE',
      hint: `push the last build (\`hla-compass push\` or \`docker push ${shown}\`), or publish the registry's image on purpose with --image-ref ${shown}`,
    },
  );
}

/** The image manifest of `pinned`, through an index to the entry for `platform` if need be. */
async function imageManifest(
  registry: RegistryClient,
  pinned: ImageReference,
  platform: string,
): Promise<{ configDigest: string }> {
  let reference = pinned;
  for (let depth = 0; depth < 2; depth++) {
    const manifest = found(reference, await read(reference, () => registry.getManifest(reference)));
    const content = manifestContent(manifest.body, manifest.mediaType);
    if (typeof content === 'string') {
      throw new RejectedError(`${reference.toString()} cannot be checked: ${content}`, {
        code: 'REGISTRY_INVALID_RESPONSE',
      });
    }
    if (content.kind === 'image') return content;
    const entry = content.manifests.find((candidate) => candidate.platform === platform);
    if (entry === undefined) {
      throw new UsageError(
        `${pinned.toString()} is an index without a ${platform} image, the platform the last build here was for`,
        {
          code: 'IMAGE_NOT_BUILT_HERE',
          hint: 'push the last build, or publish that image on purpose with --image-ref',
        },
      );
    }
    reference = atDigest(pinned, entry.digest);
  }
  throw new RejectedError(
    `${pinned.toString()} is an index of indexes, which publish does not read`,
    {
      code: 'REGISTRY_INVALID_RESPONSE',
    },
  );
}

function atDigest(reference: ImageReference, digest: string): ImageReference {
  return imageReference({ registry: reference.registry, path: reference.path, digest });
}

/** Runs a registry read; an answer that cannot be trusted becomes the user's error to see. */
async function read<T>(reference: ImageReference, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // The registry answered, but not with something to trust: a body that does not hash to its
    // digest, an oversized or malformed manifest, a location on another host.
    if (!(error instanceof RegistryError)) throw error;
    const Failure = error.code === 'unavailable' ? ServiceUnavailableError : RejectedError;
    throw new Failure(
      `${reference.registry} gave an unusable answer for ${reference.toString()}: ${error.message}`,
      {
        code: `REGISTRY_${error.code.toUpperCase()}`,
        hint: 'check the registry (and any proxy in front of it), then try again',
      },
    );
  }
}

/** The found answer, or the failure with the seed's troubleshooting hints. */
function found<T extends { status: string }>(
  reference: ImageReference,
  resolution: T | Exclude<ManifestResolution, { status: 'found' }>,
): Extract<T, { status: 'found' }> {
  const image = reference.toString();
  switch (resolution.status) {
    case 'not_found':
      throw new RejectedError(`Image not found: ${image} is not in its registry`, {
        code: 'IMAGE_NOT_FOUND',
        hint: `push it first (\`hla-compass push\` or \`docker push ${image}\`), then check with \`docker manifest inspect ${image}\``,
      });
    case 'unauthorized':
    case 'forbidden':
      throw new RejectedError(
        `Forbidden: ${reference.registry} refused to show ${reference.repository}: ${(resolution as { message: string }).message}`,
        { code: 'IMAGE_FORBIDDEN', hint: registryLoginHint(reference.registry, 'pull') },
      );
    case 'unavailable':
      throw new ServiceUnavailableError(
        `cannot reach the registry ${reference.registry}: ${(resolution as { message: string }).message}`,
        {
          code: 'REGISTRY_UNAVAILABLE',
          hint: `check that ${reference.registry} is up (for the local one: \`npm run platform\` starts it)`,
        },
      );
    default:
      return resolution as Extract<T, { status: 'found' }>;
  }
}
