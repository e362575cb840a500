// `hla-compass publish`: validates the module, resolves the pushed image's digest, signs the
// publish statement and registers the version with one environment's catalog. Never builds.
import { createHash } from 'node:crypto';
import type { PublishAccepted, PublishRequest } from '@hla-compass/platform-api';
import { findAllowlistMatch } from '@hla-compass/registry-client';
import {
  generateKeyPair,
  type JsonObject,
  KeysNotFoundError,
  SigningError,
  type StoredKeyPair,
  signPublishStatement,
  unsignedManifest,
  writeKeyFiles,
} from '@hla-compass/signing';
import { defineCommand, option } from '../command.js';
import type { CommandContext } from '../context.js';
import { ServiceUnavailableError, UsageError } from '../errors.js';
import { uninterruptedOrExplained } from '../interrupt.js';
import { publishName, rejection, waitForDecision } from '../platform/approval.js';
import type { PlatformClient } from '../platform/client.js';
import { publishedImage } from '../published-image.js';
import {
  asUserError,
  keyLayout,
  keyRegistration,
  keysDirectory,
  loadSigningKeys,
  sdkKeyOnlyMessage,
} from '../signing-keys.js';
import { readValidModule } from '../valid-module.js';

export default defineCommand({
  description:
    'Registers the version in manifest.json with the catalog of one environment (--env or HLA_COMPASS_ENV is required). ' +
    'It validates the module, picks the image (--image-ref, else the tag the last `hla-compass build` here recorded in .hla-compass/build.json, whoever pushed it, else <registry>/<name>:<version> with the registry of the publish config), ' +
    'checks it against the registry allowlist, resolves its digest with your Docker credentials, checks that a recorded build is the image at the registry and that manifest.json has not changed since (exit 2 if it has: rebuild and push), signs the publish statement with your Ed25519 key and sends it. ' +
    'Scope org is approved at once; scope public waits for a platform superuser (--wait waits for the decision). ' +
    '--dry-run does every read-only step, prints the plan and changes nothing anywhere. publish never builds or pushes. ' +
    'Running the same publish again (its answer lost to the network, a crash or Ctrl-C) resumes it: the platform answers with the version it recorded; a different image or manifest for an existing version is still VERSION_EXISTS.',
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
      description:
        'publish the image the last build here tagged (pushed by hla-compass push, docker push or CI)',
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

    const {
      manifest: validated,
      document: manifest,
      digest: manifestDigest,
    } = await readValidModule(context.cwd, context, 'nothing was published');
    const { name, version } = validated;
    const config = await platform.publishConfig();

    const image = await publishedImage(context, {
      imageRef: options.imageRef,
      registry: config.registry,
      name,
      version,
      manifestDigest,
    });
    const { reference, digest, pinned } = image;
    logger.info(
      `Publishing ${name}@${version} to ${environment} (scope ${options.scope}) from ${reference} (${image.source})`,
    );
    // A platform that does not state its allowlist (the hosted config may carry only `registry`)
    // decides alone; the early warning needs the list.
    const matchedPattern =
      config.allowlist === undefined
        ? undefined
        : findAllowlistMatch(
            config.allowlist.map((pattern) => ({ pattern })),
            reference,
          )?.pattern;
    if (config.allowlist !== undefined && matchedPattern === undefined) {
      logger.warn(
        `${reference.repository} is not on ${environment}'s registry allowlist (${config.allowlist.join(', ') || 'empty'}); the platform will refuse it`,
      );
    }

    let keys = await loadKeysIfAny(context);
    const generateKeys = keys === undefined && options.generateKeys;
    if (keys === undefined && !generateKeys && config.requireSignature === true) {
      const { directory, sdkKey } = keyLayout(context.configDir);
      throw new UsageError(
        sdkKey === undefined
          ? `${environment} only accepts signed publishes, and there are no signing keys in ${directory}`
          : `${environment} only accepts signed publishes, and there is no Ed25519 key yet: ${sdkKeyOnlyMessage(sdkKey)}`,
        {
          code: 'SIGNATURE_REQUIRED',
          hint: `run \`hla-compass keys init\` and \`hla-compass keys register --env ${environment}\`, or re-run publish with --generate-keys${sdkKey === undefined ? '' : " (the SDK's RSA pair stays where it is)"}`,
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
        imageSource: image.source,
        builtHere: image.builtHere,
        image: { repository: reference.repository, digest },
        allowlist:
          config.allowlist === undefined
            ? { allowed: null, pattern: null }
            : { allowed: matchedPattern !== undefined, pattern: matchedPattern ?? null },
        signing: {
          requireSignature: config.requireSignature ?? null,
          signed: keys !== undefined || generateKeys,
          keyFingerprint: keys?.keyFingerprint ?? null,
          keyStatus: generateKeys ? 'would be generated and registered' : registered,
        },
      };
      context.output.result(plan, (result) => [
        `Dry run: publish ${result.module}@${result.version} to ${result.environment} (${result.apiUrl})`,
        `scope        ${result.scope}`,
        `image        ${result.imageRef} (from ${result.imageSource}${result.builtHere === null ? '' : `; built here, by ${result.builtHere}`})`,
        `allowlist    ${result.allowlist.allowed === null ? 'not stated by the platform: it decides when you publish' : result.allowlist.allowed ? `allowed by ${result.allowlist.pattern}` : 'NOT on the allowlist: the platform will refuse it'}`,
        `signature    ${result.signing.signed ? `Ed25519, key ${result.signing.keyFingerprint ?? '(new)'} (${result.signing.keyStatus})` : result.signing.requireSignature === null ? 'unsigned (the platform does not say whether it requires signatures)' : 'unsigned (accepted here: requireSignature is false)'}`,
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
      // v2 names the publishing org, so the signed body is worth nothing in another org; an
      // answer that does not say the org (a hosted one may not) leaves the statement v1.
      const org = (await platform.me()).org?.id;
      try {
        const signature = signPublishStatement(
          {
            environment,
            repository: reference.repository,
            digest,
            manifest: body,
            scope: options.scope,
            org,
          },
          keys.privateKey,
        );
        body = { ...body, ...signature };
      } catch (error) {
        throw asUserError(error);
      }
    } else {
      logger.warn(
        config.requireSignature === false
          ? `publishing unsigned: ${environment} accepts it, but \`hla-compass keys init\` lets you sign`
          : `publishing unsigned: ${environment} does not say whether it requires signatures; \`hla-compass keys init\` lets you sign`,
      );
    }

    let accepted = await send(
      context,
      platform,
      { imageRef: pinned, manifest: body, scope: options.scope },
      { name, version },
    );
    // The answer to a publish sent again may be the first run's (replayed for its key), and a
    // public one may have been decided since: its state is read now.
    if (accepted.state !== 'APPROVED') {
      const current = await platform.publishStatus(accepted.publishId);
      if (current.state === 'REJECTED') throw rejection(current);
      if (current.state === 'APPROVED')
        accepted = { ...accepted, state: 'APPROVED', status: 'completed' };
    }
    const signedWith = keys?.keyFingerprint ?? null;
    report(context, accepted, signedWith);

    if (options.wait && accepted.state === 'SUBMITTED') {
      logger.info('Waiting for a platform superuser to approve or reject it…');
      const decided = await waitForDecision(platform, accepted.publishId, {
        timeoutMs: options.timeout * 1000,
        intervalMs: 5000,
      });
      if (decided.state === 'REJECTED') throw rejection(decided);
      logger.success(`${publishName(decided)} was approved (${decided.endTime ?? 'time unknown'})`);
    }
    return undefined;
  },
});

/**
 * The Idempotency-Key of a publish: derived from exactly what is sent (env, image digest,
 * manifest, signature and its key, scope), so running the same publish again, after its answer
 * was lost to a crash, the network or Ctrl-C, is a retry the platform answers with what it
 * recorded, not a second publish refused as VERSION_EXISTS. Another body is another key, so the
 * platform never sees one key with two bodies; its records are per user, so other users' same
 * bytes are not theirs. Ed25519 signatures are deterministic: the same inputs give the same body.
 */
function publishIdempotencyKey(environment: string, request: PublishRequest): string {
  const digest = createHash('sha256')
    .update(`hla-compass/publish/v1\n${environment}\n`)
    .update(JSON.stringify(request))
    .digest('base64url');
  return `hlc-publish-${digest}`;
}

/**
 * Sends the publish. From the moment it is out, the platform may record it even if its answer
 * never arrives: a failure to hear back, or Ctrl-C, says so and that running publish again
 * resumes it (the same key, or the platform's recognition of the same publish, answers it with
 * the version it recorded).
 */
async function send(
  context: CommandContext,
  platform: PlatformClient,
  request: PublishRequest,
  module: { name: string; version: string },
): Promise<PublishAccepted> {
  const environment = platform.environment.name;
  const published = `${module.name}@${module.version}`;
  const resume = `run \`hla-compass publish --env ${environment}\` again to resume: the same publish is answered with what the platform recorded, never published twice (\`hla-compass modules show ${module.name} --env ${environment}\` shows whether ${module.version} is there)`;
  try {
    return await uninterruptedOrExplained(
      () => platform.publish(request, publishIdempotencyKey(environment, request)),
      (signal) => {
        context.logger.error(
          `${signal === 'SIGINT' ? 'interrupted' : `stopped (${signal})`} while publishing ${published} to ${environment}: the platform may already have recorded it`,
        );
        context.logger.hint(resume);
      },
    );
  } catch (error) {
    if (!(error instanceof ServiceUnavailableError) || nothingRecorded(error)) throw error;
    throw new ServiceUnavailableError(
      `${error.message}; ${published} may already be recorded in ${environment}`,
      {
        code: error.code,
        requestId: error.requestId,
        hint: error.hint === undefined ? resume : `${error.hint}; then ${resume}`,
        details: error.details,
        cause: error,
      },
    );
  }
}

/** The platform's answers that say it wrote nothing: a full disk, an unreachable registry. */
function nothingRecorded(error: ServiceUnavailableError): boolean {
  return error.code === 'STORAGE_FULL' || error.code === 'REGISTRY_UNAVAILABLE';
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
    ...(await keyRegistration(platform, { ed25519: keys })),
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
