// One image build on the engine: the context streamed in, the progress drawn on stderr, a failure
// the engine reports inside the stream turned into an error naming the step; then the extra tags.
import type { Readable } from 'node:stream';
import type { ImageReference } from '@hla-compass/registry-client';
import type Dockerode from 'dockerode';
import { RejectedError } from '../errors.js';
import type { Logger } from '../terminal.js';
import { engineMessage } from './engine.js';
import { BuildLog, type ProgressMode, progressEvents } from './progress.js';

/** The tags of one build: the image is built under the first and tagged with the others. */
export type BuildTags = readonly [ImageReference, ...ImageReference[]];

export interface BuildRequest {
  readonly context: Readable;
  /** The Dockerfile's path inside the context. */
  readonly dockerfile: string;
  readonly tags: BuildTags;
  readonly platform: string;
  readonly noCache: boolean;
  /** Labels the engine adds (for a module's own Dockerfile; a generated one has them inside). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Builds the image and returns its id (`sha256:…`). */
export async function buildImage(
  docker: Dockerode,
  request: BuildRequest,
  logger: Logger,
  mode: ProgressMode,
): Promise<string> {
  const [primary, ...others] = request.tags;
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(request.context, {
      t: primary.toString(),
      dockerfile: request.dockerfile,
      platform: request.platform,
      nocache: request.noCache,
      rm: true,
      forcerm: true,
      ...(request.labels === undefined ? {} : { labels: { ...request.labels } }),
    });
  } catch (error) {
    request.context.destroy();
    throw new RejectedError(`the Docker engine refused the build: ${engineMessage(error)}`, {
      code: 'BUILD_FAILED',
      cause: error,
    });
  }
  const log = new BuildLog(logger, mode);
  let imageId: string | undefined;
  for await (const event of progressEvents(stream)) {
    if (event.stream !== undefined) log.write(event.stream);
    if (event.error !== undefined) {
      log.end();
      const where = log.step === undefined ? '' : ` at ${log.step}`;
      throw new RejectedError(`the image build failed${where}: ${event.error}`, {
        code: 'BUILD_FAILED',
        hint: failureHint(log.step, request.labels === undefined, event.error),
      });
    }
    const id = event.aux?.ID;
    if (typeof id === 'string') imageId = id;
  }
  log.end();
  imageId ??= (await docker.getImage(primary.toString()).inspect()).Id;
  for (const tag of others) {
    await docker.getImage(imageId).tag({ repo: tag.repository, tag: tag.tag });
  }
  return imageId;
}

const FROM_STEP = /^Step \d+\/\d+ : FROM\s+(?:--platform=\S+\s+)?(\S+)/i;

/**
 * What to do about a failed step. A FROM that fails is a base image the engine cannot get
 * (not pulled, no registry access): no change to a step helps, another base image does.
 */
export function failureHint(step: string | undefined, generated: boolean, message = ''): string {
  // The engine's words when --platform asks for a platform the base image in the engine lacks.
  const mismatch = /wanted (\S+), actual: (\S+)/.exec(message);
  if (mismatch !== null) {
    const [, wanted, actual] = mismatch;
    return `the base image in the engine is ${actual}, not ${wanted}: build for it with \`--platform ${actual}\`, or get a ${wanted} base first (\`docker pull --platform ${wanted} IMAGE\`), or build ${wanted} with \`docker buildx build --platform ${wanted}\``;
  }
  const base = step === undefined ? undefined : FROM_STEP.exec(step)?.[1];
  if (base === undefined) {
    return 'fix the step (or the files it uses) and build again; --verbose shows every line the engine sent';
  }
  const pull = `pull it first (\`docker pull ${base}\`, after \`docker login\` for a private registry)`;
  return generated
    ? `the engine cannot get the base image ${base}: build on one it has with \`--base-image IMAGE\` (\`docker images\` lists them; or "build": {"baseImage": "IMAGE"} in config.json), or ${pull}`
    : `the engine cannot get the base image ${base}: change the Dockerfile's FROM to an image it has (\`docker images\` lists them), or ${pull}`;
}
