// One push through the engine: the auth config always attached, per-layer progress on stderr, a
// failure the engine reports inside the stream turned into an error that says what to do, a
// stream gone silent given up, and the digest the registry stored (the stream's `aux.Digest`)
// handed back.

import type { Readable } from 'node:stream';
import type { ImageReference } from '@hla-compass/registry-client';
import type Dockerode from 'dockerode';
import type { CommandContext } from '../context.js';
import { manifestInspectCommand } from '../docker-commands.js';
import { type CliError, RejectedError, ServiceUnavailableError, UsageError } from '../errors.js';
import { registryImageState } from '../registry-image.js';
import { registryLoginHint } from '../registry-login-hint.js';
import type { Logger } from '../terminal.js';
import { engineMessage } from './engine.js';
import { idleWatched, noticeInterval } from './idle-watch.js';
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

/** The CLI's own look at the registry before a push is a shortcut: it may not hold a push up long. */
const PRE_CHECK = { timeoutMs: 5_000, retry: { attempts: 2 } } as const;

/**
 * How long the engine's push may send nothing before it is given up. While bytes move, even
 * slowly, the engine reports progress several times a second, and its own retries count down
 * once a second; what is silent is a registry that stopped reading or answering, or one still
 * committing a large layer, for which two minutes is ample.
 */
export function pushIdleTimeoutMs(context: CommandContext): number {
  return context.settings.seconds('HLA_COMPASS_PUSH_IDLE_TIMEOUT_SECONDS') * 1000;
}

export interface PushUnlessPresentOptions {
  /** The digest our last push of this image recorded, if it is still this tag's image. */
  readonly knownDigest?: string | null | undefined;
  /** {@link localImage} of the reference, when the caller has just looked (one inspect, not two). */
  readonly image?: LocalImage;
}

/**
 * Pushes one tag as `push` and `build --push` do, unless the registry already has this very image
 * under it (its digest is `knownDigest`, the one our last push of it recorded, or its config is the
 * local image): then nothing is streamed, as `docker push` of an unchanged image sends nothing.
 * A registry the check cannot reach is no reason not to push: the engine may reach it another
 * way (its own proxy, its own network); what the check saw goes into the push's failure.
 */
export async function pushUnlessPresent(
  docker: Dockerode,
  reference: ImageReference,
  context: CommandContext,
  { knownDigest, image: inspected }: PushUnlessPresentOptions = {},
): Promise<{ image: LocalImage; digest: string; pushed: boolean }> {
  const idleTimeoutMs = pushIdleTimeoutMs(context);
  const image = inspected ?? (await localImage(docker, reference));
  const state = await registryImageState(await context.registry(PRE_CHECK), reference, {
    imageId: image.id,
    platform: image.platform,
    knownDigest,
  });
  if (state.status === 'present') {
    context.logger.info(`${reference.toString()} is already at the registry: nothing to push`);
    return { image, digest: state.digest, pushed: false };
  }
  if (state.status === 'unavailable') {
    context.logger.info(
      `could not check what ${reference.registry} holds (${state.message}); pushing through the Docker engine anyway`,
    );
  } else if (state.status === 'unknown') {
    context.logger.debug(`could not tell what ${reference.registry} holds: ${state.message}`);
  }
  const digest = await pushTag(docker, reference, context, {
    idleTimeoutMs,
    ...(state.status === 'unavailable' ? { registryUnavailable: state.message } : {}),
  });
  return { image, digest, pushed: true };
}

export interface PushTagOptions {
  /** Default: HLA_COMPASS_PUSH_IDLE_TIMEOUT_SECONDS. */
  readonly idleTimeoutMs?: number;
  /** Why the CLI's own check could not reach the registry, if it could not. */
  readonly registryUnavailable?: string;
}

/** Pushes one tag as `push` and `build --push` do: with the user's credentials, progress on stderr. */
export async function pushTag(
  docker: Dockerode,
  reference: ImageReference,
  context: CommandContext,
  options: PushTagOptions = {},
): Promise<string> {
  const idleTimeoutMs = options.idleTimeoutMs ?? pushIdleTimeoutMs(context);
  context.logger.info(`Pushing ${reference.toString()}`);
  const auth = await registryAuthConfig(reference.registry, context);
  return pushImage(docker, reference, auth, {
    logger: context.logger,
    mode: progressMode(context.logger),
    idleTimeoutMs,
    ...(options.registryUnavailable === undefined
      ? {}
      : { registryUnavailable: options.registryUnavailable }),
  });
}

export interface PushImageOptions {
  readonly logger: Logger;
  readonly mode: ProgressMode;
  /** Silence of the engine's progress stream after which the push is stopped (exit 4). */
  readonly idleTimeoutMs: number;
  readonly registryUnavailable?: string;
}

/** Pushes `reference` (repository and tag) and returns the digest the registry stored. */
export async function pushImage(
  docker: Dockerode,
  reference: ImageReference,
  auth: Dockerode.AuthConfigObject,
  options: PushImageOptions,
): Promise<string> {
  const image = reference.toString();
  let stream: Readable;
  try {
    // Name and tag apart: a name without a tag would make the engine push every tag it has.
    // The stream is the engine's HTTP response (an IncomingMessage), which the types do not say.
    stream = (await docker
      .getImage(reference.repository)
      .push({ tag: reference.tag ?? 'latest', authconfig: auth })) as Readable;
  } catch (error) {
    if (isNotFound(error)) throw imageNotBuilt(image);
    throw new RejectedError(`the Docker engine refused to push ${image}: ${engineMessage(error)}`, {
      code: 'PUSH_FAILED',
      cause: error,
    });
  }
  const log = new PushLog(options.logger, options.mode);
  // Destroying the stream closes the connection to the engine, which cancels the push there.
  const chunks = idleWatched(stream, {
    timeoutMs: options.idleTimeoutMs,
    noticeMs: noticeInterval(options.idleTimeoutMs),
    onQuiet: (silentMs) =>
      log.note(
        `still waiting for ${reference.registry} (no progress for ${Math.round(silentMs / 1000)} s)`,
      ),
    onTimeout: () => pushStalled(reference, options.idleTimeoutMs),
  });
  let digest: string | undefined;
  for await (const event of progressEvents(chunks)) {
    if (event.error !== undefined) {
      throw pushFailure(event.error, reference, {
        ...(event.errorCode === undefined ? {} : { code: event.errorCode }),
        ...(options.registryUnavailable === undefined
          ? {}
          : { registryUnavailable: options.registryUnavailable }),
      });
    }
    log.event(event);
    const pushed = event.aux?.Digest;
    if (typeof pushed === 'string' && DIGEST.test(pushed)) digest = pushed;
  }
  if (digest === undefined) {
    throw new RejectedError(`the push of ${image} ended without the digest the registry stored`, {
      code: 'PUSH_FAILED',
      hint: `check the image with \`${manifestInspectCommand(reference)}\``,
    });
  }
  return digest;
}

function pushStalled(reference: ImageReference, idleTimeoutMs: number): ServiceUnavailableError {
  const seconds = Math.round(idleTimeoutMs / 1000);
  return new ServiceUnavailableError(
    `the push of ${reference.toString()} made no progress for ${seconds} s: ${reference.registry} stopped answering the Docker engine, and the push was stopped`,
    {
      code: 'PUSH_STALLED',
      hint: `check that ${reference.registry} is up, then push again; a registry that is only slow may need a longer HLA_COMPASS_PUSH_IDLE_TIMEOUT_SECONDS (now ${seconds})`,
    },
  );
}

const DENIED = /denied|unauthorized|authentication required|no basic auth credentials|forbidden/i;
/** Go's words for a connection that failed, broke or timed out, as the engine passes them on. */
const UNREACHABLE =
  /connection refused|no such host|i\/o timeout|network is unreachable|connection reset|TLS handshake timeout|no route to host|context deadline exceeded|Client\.Timeout exceeded|awaiting headers|broken pipe|unexpected EOF|: EOF$|server misbehaving|toomanyrequests/i;
const PLAIN_HTTP = /server gave HTTP response to HTTPS client/i;
/** The distribution client's words for a status it did not expect: `received unexpected HTTP status: 503 Service Unavailable`. */
const HTTP_STATUS = /\bHTTP status:? (\d{3})\b|\bstatus code:? (\d{3})\b/i;

export type PushFailureCause = 'denied' | 'unavailable' | 'plain-http' | 'other';

/**
 * Why the engine's push failed: a status it reports (errorDetail.code, or the one in the
 * distribution client's message) first, then the registry's error codes and Go's network
 * errors in its message. 401 and 403 are a refusal; 408, 429 and 5xx a registry unavailable.
 */
export function pushFailureCause(message: string, code?: number): PushFailureCause {
  const status = code !== undefined && code >= 400 && code <= 599 ? code : httpStatus(message);
  if (status === 401 || status === 403) return 'denied';
  if (status !== undefined && (status === 408 || status === 429 || status >= 500)) {
    return 'unavailable';
  }
  if (DENIED.test(message)) return 'denied';
  if (UNREACHABLE.test(message)) return 'unavailable';
  if (PLAIN_HTTP.test(message)) return 'plain-http';
  return 'other';
}

function httpStatus(message: string): number | undefined {
  const match = HTTP_STATUS.exec(message);
  const digits = match?.[1] ?? match?.[2];
  return digits === undefined ? undefined : Number(digits);
}

export interface PushFailureEvidence {
  /** errorDetail.code of the engine's error event. */
  readonly code?: number;
  /** Why the CLI's own check of the registry got no answer, if it got none. */
  readonly registryUnavailable?: string;
}

/** What an in-band push error means for the user: refused (exit 1) or unavailable (exit 4). */
export function pushFailure(
  message: string,
  reference: ImageReference,
  evidence: PushFailureEvidence = {},
): CliError {
  const registry = reference.registry;
  const cause = pushFailureCause(message, evidence.code);
  if (cause === 'denied') {
    return new RejectedError(
      `${registry} refused the push of ${reference.repository}: ${message}`,
      {
        code: 'REGISTRY_DENIED',
        hint: registryLoginHint(registry, 'push'),
      },
    );
  }
  const status = evidence.code ?? httpStatus(message);
  if (cause === 'unavailable' && status !== undefined) {
    return new ServiceUnavailableError(`the registry ${registry} is unavailable: ${message}`, {
      code: 'REGISTRY_UNAVAILABLE',
      hint: `${registry} answered ${status} to every try of the Docker engine: check that it is up (its status page or logs), then push again`,
    });
  }
  if (cause === 'unavailable' || (cause === 'other' && evidence.registryUnavailable)) {
    const seen =
      cause === 'other' ? ` (hla-compass's own check: ${evidence.registryUnavailable})` : '';
    return new ServiceUnavailableError(`cannot reach the registry ${registry}: ${message}${seen}`, {
      code: 'REGISTRY_UNAVAILABLE',
      hint: `check that ${registry} is up and that the name is right, then push again`,
    });
  }
  if (cause === 'plain-http') {
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
