// `hla-compass publish`: validates the module, resolves the pushed image's digest, signs the
// publish statement and registers the version with one environment's catalog. Never builds.
import { randomUUID } from 'node:crypto';
import type { PublishAccepted } from '@hla-compass/platform-api';
import {
  findAllowlistMatch,
  type ImageReference,
  InvalidReferenceError,
  parseImageReference,
  RegistryClient,
  RegistryError,
  resolveDockerCredentials,
} from '@hla-compass/registry-client';
import {
  encodePublicKeyBase64,
  generateKeyPair,
  type JsonObject,
  KeysNotFoundError,
  SigningError,
  type StoredKeyPair,
  signPublishStatement,
  unsignedManifest,
  writeKeyFiles,
} from '@hla-compass/signing';
import { readBuildRecord } from '../build-record.js';
import { defineCommand, option } from '../command.js';
import type { CommandContext } from '../context.js';
import { RejectedError, ServiceUnavailableError, UsageError } from '../errors.js';
import { leanFetch } from '../lean-fetch.js';
import { rejection, waitForDecision } from '../platform/approval.js';
import type { PlatformClient } from '../platform/client.js';
import { registryLoginHint } from '../registry-login-hint.js';
import { asUserError, keysDirectory, loadSigningKeys } from '../signing-keys.js';
import { readValidModule } from '../valid-module.js';

type ImageSource = '--image-ref' | '.hla-compass/build.json' | 'publish config';

export default defineCommand({
  description:
    'Registers the version in manifest.json with the catalog of one environment (--env or HLA_COMPASS_ENV is required). ' +
    'It validates the module, picks the image (--image-ref, else the last `hla-compass push` from .hla-compass/build.json, else <registry>/<name>:<version> with the registry of the publish config), ' +
    'checks it against the registry allowlist, resolves its digest with your Docker credentials, signs the publish statement with your Ed25519 key and sends it. ' +
    'Scope org is approved at once; scope public waits for a platform superuser (--wait waits for the decision). ' +
    '--dry-run does every read-only step, prints the plan and changes nothing anywhere. publish never builds or pushes.',
  options: {
    scope: option.choice(
      '--scope <scope>',
      ['org', 'public'],
      'org: your org only, approved at once; public: every org, after a superuser approves',
      'org',
    ),
    imageRef: option.string('--image-ref <ref>', 'the pushed image to publish'),
    generateKeys: option.flag(
      '--generate-keys',
      'create signing keys and register them with the environment when there are none',
    ),
    dryRun: option.flag('--dry-run', 'check everything and print the plan; send and write nothing'),
    wait: option.flag('--wait', 'wait until the version is approved or rejected'),
    timeout: option.integer('--timeout <seconds>', 'how long --wait waits', {
      min: 1,
      defaultValue: 900,
    }),
  },
  examples: [
    {
      command: 'hla-compass publish --env dev',
      description: 'publish the last pushed image to dev',
    },
    {
      command: 'hla-compass publish --env prod --scope public --wait',
      description: 'publish for every org and wait for the approval',
    },
    {
      command:
        'hla-compass publish --env staging --image-ref ghcr.io/your-org/scorer:1.2.0 --dry-run',
      description: 'see what would be sent',
    },
    {
      command: 'hla-compass publish --env dev --generate-keys',
      description: 'first publish: create and register keys on the way',
    },
  ],
  async run({ options }, context) {
    const { logger } = context;
    const platform = await context.platform({ requireEnvironment: true, readOnly: options.dryRun });
    const environment = platform.environment.name;

    const { manifest: validated, document: manifest } = await readValidModule(
      context.cwd,
      context,
      'nothing was published',
    );
    const { name, version } = validated;
    const config = await platform.publishConfig();

    const { reference, source } = await chooseImage(
      context,
      options.imageRef,
      config.registry,
      name,
      version,
    );
    logger.info(
      `Publishing ${name}@${version} to ${environment} (scope ${options.scope}) from ${reference} (${source})`,
    );
    const matchedPattern = findAllowlistMatch(
      config.allowlist.map((pattern) => ({ pattern })),
      reference,
    )?.pattern;
    if (matchedPattern === undefined) {
      logger.warn(
        `${reference.repository} is not on ${environment}'s registry allowlist (${config.allowlist.join(', ') || 'empty'}); the platform will refuse it`,
      );
    }
    const digest = await resolveDigest(context, reference);
    const pinned = `${reference.repository}${reference.tag ? `:${reference.tag}` : ''}@${digest}`;

    let keys = await loadKeysIfAny(context);
    const generateKeys = keys === undefined && options.generateKeys;
    if (keys === undefined && !generateKeys && config.requireSignature) {
      throw new UsageError(
        `${environment} only accepts signed publishes, and there are no signing keys in ${keysDirectory(context.configDir)}`,
        {
          code: 'SIGNATURE_REQUIRED',
          hint: `run \`hla-compass keys init\` and \`hla-compass keys register --env ${environment}\`, or re-run publish with --generate-keys`,
        },
      );
    }

    if (options.dryRun) {
      const registered = keys ? await keyStatus(platform, keys.keyFingerprint) : null;
      const plan = {
        dryRun: true,
        environment,
        apiUrl: platform.environment.apiUrl,
        module: name,
        version,
        scope: options.scope,
        imageRef: pinned,
        imageSource: source,
        image: { repository: reference.repository, digest },
        allowlist: { allowed: matchedPattern !== undefined, pattern: matchedPattern ?? null },
        signing: {
          requireSignature: config.requireSignature,
          signed: keys !== undefined || generateKeys,
          keyFingerprint: keys?.keyFingerprint ?? null,
          keyStatus: generateKeys ? 'would be generated and registered' : registered,
        },
      };
      context.output.result(plan, (result) => [
        `Dry run: publish ${result.module}@${result.version} to ${result.environment} (${result.apiUrl})`,
        `scope        ${result.scope}`,
        `image        ${result.imageRef}`,
        `allowlist    ${result.allowlist.allowed ? `allowed by ${result.allowlist.pattern}` : 'NOT on the allowlist: the platform will refuse it'}`,
        `signature    ${result.signing.signed ? `Ed25519, key ${result.signing.keyFingerprint ?? '(new)'} (${result.signing.keyStatus})` : 'unsigned (accepted here: requireSignature is false)'}`,
        '',
        'Nothing was sent and nothing was written.',
      ]);
      return undefined;
    }

    if (keys === undefined && generateKeys) {
      keys = await generateAndRegisterKeys(context, platform);
    }
    let body: JsonObject = unsignedManifest(manifest);
    if (keys) {
      try {
        const signature = signPublishStatement(
          {
            environment,
            repository: reference.repository,
            digest,
            manifest: body,
            scope: options.scope,
          },
          keys.privateKey,
        );
        body = { ...body, ...signature };
      } catch (error) {
        throw asUserError(error);
      }
    } else {
      logger.warn(
        `publishing unsigned: ${environment} accepts it, but \`hla-compass keys init\` lets you sign`,
      );
    }

    const accepted = await platform.publish(
      { imageRef: pinned, manifest: body, scope: options.scope },
      randomUUID(),
    );
    const signedWith = keys?.keyFingerprint ?? null;
    report(context, accepted, signedWith);

    if (options.wait && accepted.state === 'SUBMITTED') {
      logger.info('Waiting for a platform superuser to approve or reject it…');
      const decided = await waitForDecision(platform, accepted.publishId, {
        timeoutMs: options.timeout * 1000,
        intervalMs: 5000,
      });
      if (decided.state === 'REJECTED') throw rejection(decided);
      logger.success(`${decided.moduleName}@${decided.version} was approved (${decided.endTime})`);
    }
    return undefined;
  },
});

async function chooseImage(
  context: CommandContext,
  flag: string | undefined,
  registry: string,
  name: string,
  version: string,
): Promise<{ reference: ImageReference; source: ImageSource }> {
  const parse = (value: string, source: ImageSource) => {
    try {
      return { reference: parseImageReference(value), source };
    } catch (error) {
      if (!(error instanceof InvalidReferenceError)) throw error;
      throw new UsageError(`invalid image reference from ${source}: ${error.message}`, {
        code: 'INVALID_IMAGE_REF',
        hint: 'use a reference like ghcr.io/your-org/my-module:1.0.0',
      });
    }
  };
  if (flag !== undefined) return parse(flag, '--image-ref');
  const record = await readBuildRecord(context.cwd);
  if (record?.pushed) {
    const { reference } = parse(record.imageRef, '.hla-compass/build.json');
    if (reference.tag !== undefined && reference.tag !== version) {
      context.logger.warn(
        `the last push (${record.imageRef}) is tagged ${reference.tag}, but manifest.json says ${version}: build and push again if that is not what you mean`,
      );
    }
    return { reference, source: '.hla-compass/build.json' };
  }
  return parse(`${registry}/${name}:${version}`, 'publish config');
}

/** The image's digest at its registry, read with the user's own Docker credentials. */
async function resolveDigest(context: CommandContext, reference: ImageReference): Promise<string> {
  const client = new RegistryClient({
    fetch: leanFetch,
    credentials: async (registry) =>
      (
        await resolveDockerCredentials(registry, {
          env: context.settings.raw,
          homeDir: context.homeDir,
        })
      ).credentials,
  });
  const image = reference.toString();
  let resolution: Awaited<ReturnType<RegistryClient['resolveManifest']>>;
  try {
    resolution = await client.resolveManifest(reference);
  } catch (error) {
    // The registry answered, but not with something to trust: a body that does not hash to its
    // digest, an oversized or malformed manifest, an upload location on another host.
    if (!(error instanceof RegistryError)) throw error;
    const Failure = error.code === 'unavailable' ? ServiceUnavailableError : RejectedError;
    throw new Failure(
      `${reference.registry} gave an unusable answer for ${image}: ${error.message}`,
      {
        code: `REGISTRY_${error.code.toUpperCase()}`,
        hint: 'check the registry (and any proxy in front of it), then try again',
      },
    );
  }
  switch (resolution.status) {
    case 'found':
      context.logger.debug(`${image} resolves to ${resolution.digest} (${resolution.mediaType})`);
      return resolution.digest;
    case 'not_found':
      throw new RejectedError(`Image not found: ${image} is not in its registry`, {
        code: 'IMAGE_NOT_FOUND',
        hint: `push it first (\`hla-compass push\` or \`docker push ${image}\`), then check with \`docker manifest inspect ${image}\``,
      });
    case 'unauthorized':
    case 'forbidden':
      throw new RejectedError(
        `Forbidden: ${reference.registry} refused to show ${reference.repository}: ${resolution.message}`,
        {
          code: 'IMAGE_FORBIDDEN',
          hint: registryLoginHint(reference.registry, 'pull'),
        },
      );
    case 'unavailable':
      throw new ServiceUnavailableError(
        `cannot reach the registry ${reference.registry}: ${resolution.message}`,
        {
          code: 'REGISTRY_UNAVAILABLE',
          hint: `check that ${reference.registry} is up (for the local one: \`npm run platform\` starts it)`,
        },
      );
  }
}

async function loadKeysIfAny(context: CommandContext): Promise<StoredKeyPair | undefined> {
  try {
    return await loadSigningKeys(context.configDir);
  } catch (error) {
    if (error instanceof UsageError && error.cause instanceof KeysNotFoundError) return undefined;
    throw error;
  }
}

async function keyStatus(platform: PlatformClient, fingerprint: string): Promise<string> {
  const { items } = await platform.listKeys();
  const key = items.find((candidate) => candidate.fingerprint === fingerprint);
  if (key === undefined)
    return `not registered: run \`hla-compass keys register --env ${platform.environment.name}\``;
  return key.revokedAt ? `revoked ${key.revokedAt}` : 'registered';
}

async function generateAndRegisterKeys(
  context: CommandContext,
  platform: PlatformClient,
): Promise<StoredKeyPair> {
  const dir = keysDirectory(context.configDir);
  try {
    await writeKeyFiles(dir, generateKeyPair());
  } catch (error) {
    throw error instanceof SigningError ? asUserError(error) : error;
  }
  const keys = await loadSigningKeys(context.configDir);
  await platform.registerKey({
    publicKey: encodePublicKeyBase64(keys.publicKey),
    name: 'hla-compass publish --generate-keys',
  });
  context.logger.success(
    `Created signing keys (${keys.keyFingerprint}) and registered them with ${platform.environment.name}`,
  );
  return keys;
}

function report(
  context: CommandContext,
  accepted: PublishAccepted,
  keyFingerprint: string | null,
): void {
  const { style } = context.output;
  context.output.result({ ...accepted, keyFingerprint }, (result) => [
    result.state === 'APPROVED'
      ? `${style.green('✓')} Published ${result.moduleName}@${result.version} to ${result.environment} (scope ${result.scope}): ${style.green(result.state)}`
      : `${style.green('✓')} Submitted ${result.moduleName}@${result.version} to ${result.environment} (scope ${result.scope}): ${style.yellow(result.state)}; a platform superuser must approve before it is public`,
    `image        ${result.imageRef}`,
    `publish id   ${result.publishId}`,
    `signature    ${result.keyFingerprint ? `Ed25519, key ${result.keyFingerprint}` : 'unsigned'}`,
    ...(result.state === 'SUBMITTED'
      ? [
          `follow it    hla-compass publish-status ${result.publishId} --env ${result.environment} --watch`,
        ]
      : []),
  ]);
}
