// What a registry holds under a reference, read with the user's own Docker credentials: its
// digest, the image manifest for a platform (through an index), its config, and whether it is a
// given local image. Failures carry the seed's troubleshooting hints.
import {
  CredentialHelperError,
  DockerConfigError,
  type ImageReference,
  type ManifestResolution,
  manifestContent,
  type RegistryClient,
  RegistryError,
} from '@hla-compass/registry-client';
import { dockerPushCommand, manifestInspectCommand } from './docker-commands.js';
import { CliError, RejectedError, ServiceUnavailableError, UsageError } from './errors.js';
import { asCliError } from './library-errors.js';
import { registryLoginHint } from './registry-login-hint.js';

/** The image manifest of `pinned`, through an index to the entry for `platform` if need be. */
export async function imageManifest(
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
    reference = pinned.atDigest(entry.digest);
  }
  throw new RejectedError(
    `${pinned.toString()} is an index of indexes, which publish does not read`,
    {
      code: 'REGISTRY_INVALID_RESPONSE',
    },
  );
}

/** Runs a registry read; an answer that cannot be trusted becomes the user's error to see. */
export async function read<T>(reference: ImageReference, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // The registry answered, but not with something to trust: a body that does not hash to its
    // digest, an oversized or malformed manifest, a location on another host.
    if (!(error instanceof RegistryError)) throw error;
    throw asCliError(error, {
      about: `${reference.registry} gave an unusable answer for ${reference.toString()}`,
      hint: 'check the registry (and any proxy in front of it), then try again',
    });
  }
}

/** The found answer, or the failure with the seed's troubleshooting hints. */
export function found<T extends { status: string }>(
  reference: ImageReference,
  resolution: T | Exclude<ManifestResolution, { status: 'found' }>,
): Extract<T, { status: 'found' }> {
  const image = reference.toString();
  switch (resolution.status) {
    case 'not_found':
      throw new RejectedError(`Image not found: ${image} is not in its registry`, {
        code: 'IMAGE_NOT_FOUND',
        hint: `push it first (\`hla-compass push\` or \`${dockerPushCommand(reference)}\`${reference.digest !== undefined && reference.tag === undefined ? ', TAG being the tag it was built with: a digest only names what the registry already holds' : ''}), then check with \`${manifestInspectCommand(reference)}\``,
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

/** What the registry holds under a tag, as far as a push cares. */
export type RegistryImageState =
  | { readonly status: 'present'; readonly digest: string }
  | { readonly status: 'absent' }
  /** No answer, or 5xx after the retries: what the CLI saw, for the push's failure to quote. */
  | { readonly status: 'unavailable'; readonly message: string }
  /** Refused, or an answer that could not be read: the push finds out for itself. */
  | { readonly status: 'unknown'; readonly message: string };

/**
 * Whether the registry's image under `reference` is the local image `imageId` (built for
 * `platform`): the digest it answers is `knownDigest` (what our last push of it recorded), or its
 * config digest is the image id. A registry that answers nothing usable is no answer, never a
 * failure: the caller pushes, and the push reports what is wrong.
 */
export async function registryImageState(
  registry: RegistryClient,
  reference: ImageReference,
  local: {
    readonly imageId: string;
    readonly platform: string;
    readonly knownDigest?: string | null;
  },
): Promise<RegistryImageState> {
  try {
    const resolution = await registry.resolveManifest(reference);
    if (resolution.status === 'not_found') return { status: 'absent' };
    if (resolution.status === 'unavailable') return resolution;
    if (resolution.status !== 'found') return { status: 'unknown', message: resolution.message };
    if (resolution.digest === local.knownDigest) {
      return { status: 'present', digest: resolution.digest };
    }
    const image = await imageManifest(
      registry,
      reference.atDigest(resolution.digest),
      local.platform,
    );
    return image.configDigest === local.imageId
      ? { status: 'present', digest: resolution.digest }
      : { status: 'absent' };
  } catch (error) {
    // The manifest read after a found digest can go unanswered too.
    if (error instanceof ServiceUnavailableError) {
      return { status: 'unavailable', message: error.message };
    }
    // A registry that answers strangely is the push's to report; a bug is not swallowed.
    const expected = [RegistryError, CliError, CredentialHelperError, DockerConfigError];
    if (expected.some((kind) => error instanceof kind)) {
      return { status: 'unknown', message: (error as Error).message };
    }
    throw error;
  }
}
