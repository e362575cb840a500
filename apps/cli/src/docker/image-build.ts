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
        hint: 'fix the step (or the files it uses) and build again; --verbose shows every line the engine sent',
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
