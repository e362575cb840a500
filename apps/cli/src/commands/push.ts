// `hla-compass push [REF]`: pushes an image through the Docker engine with the user's Docker
// credentials, prints it pinned by the digest the registry stored, and records that digest in
// .hla-compass/build.json for `publish`.
import {
  BUILD_RECORD_PATH,
  readBuildRecord,
  recordPush,
  writeBuildRecord,
} from '../build-record.js';
import { pushResultLines } from '../build-result.js';
import { defineCommand } from '../command.js';
import { connectDockerEngine } from '../docker/engine.js';
import { localImage, pushUnlessPresent } from '../docker/image-push.js';
import { imageTag } from '../docker/image-tags.js';
import { UsageError } from '../errors.js';

export default defineCommand({
  description:
    'Pushes an image with the Docker engine at DOCKER_HOST, using your Docker credentials for its ' +
    'registry (config.json auths, credHelpers, credsStore; DOCKER_CONFIG honoured). REF defaults to ' +
    'the tag of the last `hla-compass build` in this directory. Prints <repository>@<digest>, the ' +
    'digest the registry stored, and records it in .hla-compass/build.json, which `publish` reads. ' +
    'A registry that refuses you is exit 1 with how to log in; one that cannot be reached is exit 4.',
  arguments: [
    {
      name: 'ref',
      description: 'image to push (default: the last build, from .hla-compass/build.json)',
    },
  ],
  options: {},
  examples: [
    { command: 'hla-compass push', description: 'push what `hla-compass build` just made' },
    {
      command: 'hla-compass push ghcr.io/your-org/my-module:1.0.0',
      description: 'push a given image',
    },
    { command: 'hla-compass push --json', description: 'the digest as JSON, for scripts' },
  ],
  async run({ args }, context) {
    const record = await readBuildRecord(context.cwd);
    const text = args.ref ?? record?.imageRef;
    if (text === undefined) {
      throw new UsageError(`nothing to push: no REF given and no ${BUILD_RECORD_PATH} here`, {
        hint: 'build first (`hla-compass build --registry …`), or name the image: `hla-compass push REF`',
      });
    }
    const reference = imageTag(text, args.ref === undefined ? BUILD_RECORD_PATH : 'REF');
    const engine = await connectDockerEngine(context);
    // The digest our last push recorded vouches for the registry's copy only while the tag still
    // names the image that push sent (`docker tag` may have moved it since).
    const local = await localImage(engine.docker, reference);
    const sameImage =
      record !== undefined &&
      record.imageRef === reference.toString() &&
      local.id === record.imageId;
    const { image, digest, pushed } = await pushUnlessPresent(engine.docker, reference, context, {
      knownDigest: sameImage ? record.digest : undefined,
      image: local,
    });
    // The record ties an image to the manifest it was built from: only that image may update it.
    const recorded = record !== undefined && record.imageId === image.id;
    if (recorded) {
      await writeBuildRecord(
        context.cwd,
        recordPush(record, { imageRef: reference.toString(), digest, at: new Date() }),
      );
    } else if (record !== undefined) {
      context.logger.warn(
        `${BUILD_RECORD_PATH} not updated: ${reference.toString()} is not the image the last build made`,
      );
    }
    const pinnedRef = reference.atDigest(digest).toString();
    context.output.result(
      {
        imageRef: reference.toString(),
        repository: reference.repository,
        digest,
        pinnedRef,
        pushed,
        recorded,
      },
      (result) => pushResultLines(result, context.output.style),
    );
    return undefined;
  },
});
