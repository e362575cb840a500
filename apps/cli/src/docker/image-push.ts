// One push through the engine: the auth config always attached, per-layer progress on stderr, a
// failure the engine reports inside the stream turned into an error that says what to do, and
// the digest the registry stored (the stream's `aux.Digest`) handed back.
import type { ImageReference } from '@hla-compass/registry-client';
import type Dockerode from 'dockerode';
import type { CommandContext } from '../context.js';
import { type CliError, RejectedError, ServiceUnavailableError, UsageError } from '../errors.js';
import { registryClient, registryHoldsImage } from '../registry-image.js';
import { registryLoginHint } from '../registry-login-hint.js';
import type { Logger } from '../terminal.js';
import { engineMessage } from './engine.js';
import { type ProgressMode, PushLog, progressEvents, progressMode } from './progress.js';
import { registryAuthConfig } from './registry-auth.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface LocalImage {
  /** The engine's image id, `sha256:…`: the digest of its config. */
  readonly id: string;
  /** `os/arch[/variant]` the image is for. */
  readonly platform: string;
}

/** The engine's image that `reference` names; a UsageError when there is none. */
export async function localImage(
  docker: Dockerode,
  reference: ImageReference,
): Promise<LocalImage> {
  try {
    const info = await docker.getImage(reference.toString()).inspect();
    const variant = (info as { Variant?: string }).Variant;
    return {
      id: info.Id,
      platform: `${info.Os}/${info.Architecture}${variant ? `/${variant}` : ''}`,
    };
  } catch (error) {
    if (isNotFound(error)) throw imageNotBuilt(reference.toString());
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'statusCode' in error && error.statusCode === 404;
}

function imageNotBuilt(image: string): UsageError {
  return new UsageError(`the Docker engine has no image ${image}`, {
    code: 'IMAGE_NOT_BUILT',
    hint: 'build it first (`hla-compass build`), or tag an existing image with that name',
  });
}

/**
 * Pushes one tag as `push` and `build --push` do, unless the registry already has this very image
 * under it (its digest is `knownDigest`, the one our last push of it recorded, or its config is the
 * local image): then nothing is streamed, as `docker push` of an unchanged image sends nothing.
 */
export async function pushUnlessPresent(
  docker: Dockerode,
  reference: ImageReference,
  context: CommandContext,
  knownDigest?: string | null,
): Promise<{ image: LocalImage; digest: string; pushed: boolean }> {
  const image = await localImage(docker, reference);
  const present = await registryHoldsImage(registryClient(context), reference, {
    imageId: image.id,
    platform: image.platform,
    knownDigest,
  });
  if (present !== undefined) {
    context.logger.info(`${reference.toString()} is already at the registry: nothing to push`);
    return { image, digest: present, pushed: false };
  }
  return { image, digest: await pushTag(docker, reference, context), pushed: true };
}

/** Pushes one tag as `push` and `build --push` do: with the user's credentials, progress on stderr. */
export async function pushTag(
  docker: Dockerode,
  reference: ImageReference,
  context: CommandContext,
): Promise<string> {
  context.logger.info(`Pushing ${reference.toString()}`);
  const auth = await registryAuthConfig(reference.registry, context);
  return pushImage(docker, reference, auth, context.logger, progressMode(context.logger));
}

/** Pushes `reference` (repository and tag) and returns the digest the registry stored. */
export async function pushImage(
  docker: Dockerode,
  reference: ImageReference,
  auth: Dockerode.AuthConfigObject,
  logger: Logger,
  mode: ProgressMode,
): Promise<string> {
  const image = reference.toString();
  let stream: NodeJS.ReadableStream;
  try {
    // Name and tag apart: a name without a tag would make the engine push every tag it has.
    stream = await docker
      .getImage(reference.repository)
      .push({ tag: reference.tag ?? 'latest', authconfig: auth });
  } catch (error) {
    if (isNotFound(error)) throw imageNotBuilt(image);
    throw new RejectedError(`the Docker engine refused to push ${image}: ${engineMessage(error)}`, {
      code: 'PUSH_FAILED',
      cause: error,
    });
  }
  const log = new PushLog(logger, mode);
  let digest: string | undefined;
  for await (const event of progressEvents(stream)) {
    if (event.error !== undefined) throw pushFailure(event.error, reference);
    log.event(event);
    const pushed = event.aux?.Digest;
    if (typeof pushed === 'string' && DIGEST.test(pushed)) digest = pushed;
  }
  if (digest === undefined) {
    throw new RejectedError(`the push of ${image} ended without the digest the registry stored`, {
      code: 'PUSH_FAILED',
      hint: `check the image with \`docker manifest inspect ${image}\``,
    });
  }
  return digest;
}

const DENIED = /denied|unauthorized|authentication required|no basic auth credentials|forbidden/i;
const UNREACHABLE =
  /connection refused|no such host|i\/o timeout|network is unreachable|connection reset|TLS handshake timeout|no route to host/i;

/** What an in-band push error means for the user: refused (exit 1) or unreachable (exit 4). */
export function pushFailure(message: string, reference: ImageReference): CliError {
  const registry = reference.registry;
  if (DENIED.test(message)) {
    return new RejectedError(
      `${registry} refused the push of ${reference.repository}: ${message}`,
      {
        code: 'REGISTRY_DENIED',
        hint: registryLoginHint(registry, 'push'),
      },
    );
  }
  if (UNREACHABLE.test(message)) {
    return new ServiceUnavailableError(`cannot reach the registry ${registry}: ${message}`, {
      code: 'REGISTRY_UNAVAILABLE',
      hint: `check that ${registry} is up and that the name is right`,
    });
  }
  if (/server gave HTTP response to HTTPS client/i.test(message)) {
    return new RejectedError(
      `${registry} speaks plain HTTP, which the Docker engine refuses: ${message}`,
      {
        code: 'PUSH_FAILED',
        hint: `add "${registry}" to "insecure-registries" in the engine's daemon.json, or serve it over HTTPS`,
      },
    );
  }
  return new RejectedError(`pushing ${reference.toString()} failed: ${message}`, {
    code: 'PUSH_FAILED',
  });
}
