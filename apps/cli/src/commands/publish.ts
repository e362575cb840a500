// `hla-compass publish`: validates the module, resolves the pushed image's digest, signs the
// publish statement and registers the version with one environment's catalog. Never builds.
import { createHash } from 'node:crypto';
import type { PublishAccepted, PublishRequest } from '@hla-compass/platform-api';
import { DOCKER_HUB_REGISTRY } from '@hla-compass/registry-client';
import {
  type JsonObject,
  type StoredKeyPair,
  signPublishStatement,
  unsignedManifest,
} from '@hla-compass/signing';
import { defineCommand, option } from '../command.js';
import type { CommandContext } from '../context.js';
import { CliError, type ExitCode, ServiceUnavailableError } from '../errors.js';
import { uninterruptedOrExplained } from '../interrupt.js';
import { publishName, rejection, waitForDecision } from '../platform/approval.js';
import type { PlatformClient } from '../platform/client.js';
import type { PublishConfigView } from '../platform/hosted-answers.js';
import { allowlist, type Preflight, type PreflightOptions, runPreflight } from '../preflight.js';
import {
  ensureRegisteredKeys,
  keyStanding,
  loadKeysIfAny,
  signatureRequiredError,
  untrustedKeyError,
} from '../publish-keys.js';
import {
  chooseImageToPublish,
  type PublishedImage,
  resolvePublishedImage,
} from '../published-image.js';
import { readValidModule } from '../valid-module.js';

export default defineCommand({
  description:
    'Registers the version in manifest.json with the catalog of one environment (--env or HLA_COMPASS_ENV is required). ' +
    'It validates the module, picks the image (--image-ref, else the tag the last `hla-compass build` here recorded in .hla-compass/build.json, whoever pushed it, else <registry>/<name>:<version> with the registry of the publish config), ' +
    'checks it against the registry allowlist, resolves its digest with your Docker credentials, checks that a recorded build is the image at the registry and that manifest.json has not changed since (exit 2 if it has: rebuild and push), signs the publish statement with your Ed25519 key and sends it. ' +
    'Scope org is approved at once; scope public waits for a platform superuser (--wait waits for the decision). ' +
    '--dry-run is the preflight: it runs every check the platform will make that the CLI can know (manifest, login, image at the registry and built here, signing key, developer role, registry allowlist, key registered and not revoked, version not yet published or published as this very publish), all of them, prints each with what to do, changes nothing anywhere, and exits with the code the publish would: that of the first failing check in that order (1 refused, 2 invalid, 3 not logged in, 4 unavailable). publish never builds or pushes. ' +
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
      'create signing keys when there are none, and register them (or the existing ones) with the environment when they are not yet',
    ),
    dryRun: option.flag(
      '--dry-run',
      'run every check publish would meet, report each, exit as publish would; send and write nothing',
    ),
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
      description: 'run every check publish would meet, changing nothing',
    },
    {
      command: 'hla-compass publish --env prod --dry-run --json',
      description: 'a CI gate: exits as the publish would, each check in {checks}',
    },
    {
      command: 'hla-compass publish --env dev --generate-keys',
      description: 'first publish: create (or register existing) keys on the way',
    },
  ],
  async run({ options }, context) {
    const platform = await context.platform({ requireEnvironment: true, readOnly: options.dryRun });
    if (options.dryRun) return dryRun(context, platform, options);
    const subject = await readSubject(context, platform);
    const image = await resolveImage(context, subject, options);
    const { manifest, keys } = await signManifest(context, platform, subject, image, options);
    const sent = await send(
      context,
      platform,
      { imageRef: image.pinned, manifest, scope: options.scope },
      subject.module,
    ).catch((error: unknown) => explainUntrustedKey(error, platform, keys));
    const accepted = await currentState(context, platform, sent);
    report(context, accepted, keys?.keyFingerprint ?? null);
    if (options.wait && accepted.state === 'SUBMITTED') {
      await awaitDecision(context, platform, accepted, options.timeout);
    }
    return undefined;
  },
});

interface PublishOptions extends PreflightOptions {
  readonly wait: boolean;
  readonly timeout: number;
}

/** What is published, and the environment's rules for it. */
interface PublishSubject {
  readonly module: { readonly name: string; readonly version: string };
  /** manifest.json as the strict JSON object that is signed. */
  readonly manifest: JsonObject;
  readonly manifestDigest: string;
  readonly config: PublishConfigView;
  readonly environment: string;
}

async function readSubject(
  context: CommandContext,
  platform: PlatformClient,
): Promise<PublishSubject> {
  const { manifest, document, digest } = await readValidModule(
    context.cwd,
    context,
    'nothing was published',
  );
  const config = await platform.publishConfig();
  const module = { name: manifest.name, version: manifest.version };
  return {
    module,
    manifest: document,
    manifestDigest: digest,
    config,
    environment: platform.environment.name,
  };
}

/** The image to publish, chosen, checked against the allowlist and resolved to its digest. */
async function resolveImage(
  context: CommandContext,
  subject: PublishSubject,
  options: PublishOptions,
): Promise<PublishedImage> {
  const { module, config, manifestDigest, environment } = subject;
  const chosen = await chooseImageToPublish(context, {
    imageRef: options.imageRef,
    registry: config.registry,
    ...module,
    manifestDigest,
  });
  // A reference without a registry host (`your-org/x:1`) names Docker Hub, mostly by mistake:
  // off the allowlist, it is refused before docker.io is asked, since retries and "docker.io is
  // unavailable" would hide the real answer. Other registries are asked first, as documented
  // (an unreachable one is exit 4). A platform without a stated allowlist decides alone.
  const listed = allowlist(environment, config, chosen.reference);
  if (listed.ok === false && chosen.reference.registry === DOCKER_HUB_REGISTRY) {
    throw listed.error;
  }
  const image = await resolvePublishedImage(context, chosen, manifestDigest);
  context.logger.info(
    `Publishing ${module.name}@${module.version} to ${environment} (scope ${options.scope}) from ${image.reference} (${image.source})`,
  );
  if (listed.ok === false) {
    context.logger.warn(
      `${image.reference.repository} is not on ${environment}'s registry allowlist (${config.allowlist?.join(', ') || 'empty'}); the platform will refuse it`,
    );
  }
  return image;
}

/**
 * The manifest as sent: signed with the key here (created and registered first with
 * --generate-keys), or unsigned where there is none and the environment does not insist.
 */
async function signManifest(
  context: CommandContext,
  platform: PlatformClient,
  subject: PublishSubject,
  image: PublishedImage,
  options: PublishOptions,
): Promise<{ manifest: JsonObject; keys: StoredKeyPair | undefined }> {
  const { config, environment } = subject;
  let keys = await loadKeysIfAny(context);
  if (keys === undefined && !options.generateKeys && config.requireSignature === true) {
    throw signatureRequiredError(context, environment);
  }
  // Also keys that exist but are not registered here yet: unregistered, they are UNTRUSTED_KEY.
  if (options.generateKeys) keys = await ensureRegisteredKeys(context, platform, keys);
  const manifest = unsignedManifest(subject.manifest);
  if (keys === undefined) {
    context.logger.warn(
      config.requireSignature === false
        ? `publishing unsigned: ${environment} accepts it, but \`hla-compass keys init\` lets you sign`
        : `publishing unsigned: ${environment} does not say whether it requires signatures; \`hla-compass keys init\` lets you sign`,
    );
    return { manifest, keys };
  }
  // v2 names the publishing org, so the signed body is worth nothing in another org; an
  // answer that does not say the org (a hosted one may not) leaves the statement v1.
  const org = (await platform.me()).org?.id;
  const signature = signPublishStatement(
    {
      environment,
      repository: image.reference.repository,
      digest: image.digest,
      manifest,
      scope: options.scope,
      org,
    },
    keys.privateKey,
  );
  return { manifest: { ...manifest, ...signature }, keys };
}

/**
 * The answer to a publish sent again may be the first run's (replayed for its key), and a public
 * one may have been decided since: its state is read now. Best effort: the publish itself
 * succeeded, and a platform that cannot show its status yet (or has no such route) leaves the
 * answer as it was.
 */
async function currentState(
  context: CommandContext,
  platform: PlatformClient,
  accepted: PublishAccepted,
): Promise<PublishAccepted> {
  if (accepted.state === 'APPROVED') return accepted;
  const current = await platform.publishStatus(accepted.publishId).catch((error: unknown) => {
    context.logger.debug(
      `the publish's state could not be read again: ${(error as Error).message}`,
    );
    return undefined;
  });
  if (current?.state === 'REJECTED') throw rejection(current);
  return current?.state === 'APPROVED'
    ? { ...accepted, state: 'APPROVED', status: 'completed' }
    : accepted;
}

/** --wait: exit 1 when rejected, 4 (WAIT_TIMEOUT) when the wait runs out before a decision. */
async function awaitDecision(
  context: CommandContext,
  platform: PlatformClient,
  accepted: PublishAccepted,
  timeoutSeconds: number,
): Promise<void> {
  context.logger.info('Waiting for a platform superuser to approve or reject it…');
  const decided = await waitForDecision(platform, accepted.publishId, {
    timeoutMs: timeoutSeconds * 1000,
    intervalMs: 5000,
  });
  if (decided.state === 'REJECTED') throw rejection(decided);
  context.logger.success(
    `${publishName(decided)} was approved (${decided.endTime ?? 'time unknown'})`,
  );
}

/**
 * The platform's UNTRUSTED_KEY for a revoked key, said as what it means: it cannot be registered
 * again, a new pair can. The generic hint (`keys register`) fails for a revoked key.
 */
async function explainUntrustedKey(
  error: unknown,
  platform: PlatformClient,
  keys: { readonly keyFingerprint: string } | undefined,
): Promise<never> {
  if (!(error instanceof CliError) || error.code !== 'UNTRUSTED_KEY' || keys === undefined) {
    throw error;
  }
  const standing = await keyStanding(platform, keys.keyFingerprint).catch(() => undefined);
  if (standing?.status !== 'revoked') throw error;
  throw untrustedKeyError(platform.environment.name, keys.keyFingerprint, standing);
}

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

/** The preflight's verdict, each check on its line; the exit code is the real publish's. */
async function dryRun(
  context: CommandContext,
  platform: PlatformClient,
  options: PreflightOptions,
): Promise<ExitCode | undefined> {
  const preflight = await runPreflight(context, platform, options);
  const { style } = context.output;
  const mark = (ok: boolean | null) =>
    ok === true ? style.green('✓') : ok === false ? style.red('✗') : style.dim('-');
  const width = Math.max(...preflight.checks.map((check) => check.check.length));
  const { image } = preflight;
  const result = {
    dryRun: true,
    ok: preflight.exitCode === 0,
    exitCode: preflight.exitCode,
    environment: platform.environment.name,
    apiUrl: platform.environment.apiUrl,
    module: preflight.module?.name ?? null,
    version: preflight.module?.version ?? null,
    scope: options.scope,
    imageRef: image?.pinned ?? null,
    imageSource: image?.source ?? null,
    builtHere: image?.builtHere ?? null,
    image: image === null ? null : { repository: image.reference.repository, digest: image.digest },
    keyFingerprint: preflight.keyFingerprint,
    alreadyPublished: preflight.alreadyPublished,
    checks: preflight.checks,
  };
  context.output.result(result, (shown) => [
    `Dry run: publish ${shown.module ?? 'the module'}${shown.version ? `@${shown.version}` : ''} to ${shown.environment} (${shown.apiUrl}), scope ${shown.scope}`,
    ...shown.checks.flatMap((check) => [
      `${mark(check.ok)} ${check.check.padEnd(width)}  ${check.message}`,
      ...(check.hint === null
        ? []
        : [`  ${' '.repeat(width)}  ${style.cyan('hint:')} ${check.hint}`]),
    ]),
    '',
    `Nothing was sent and nothing was written. ${verdict(preflight)}`,
  ]);
  return preflight.exitCode === 0 ? undefined : preflight.exitCode;
}

function verdict(preflight: Preflight): string {
  const failed = preflight.checks.find((check) => check.ok === false);
  if (failed !== undefined) {
    return `publish would stop at ${failed.check}: ${failed.code ?? 'refused'} (exit ${failed.exitCode})`;
  }
  return preflight.alreadyPublished
    ? 'Already published: publish would answer with that version again (exit 0).'
    : 'publish would go through (exit 0).';
}
