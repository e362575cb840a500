// `publish --dry-run`: every check the platform will make of the publish that the CLI can know
// beforehand, all of them run (a failure does not hide the next problem), read-only, in the order
// a real publish meets them: the CLI's own steps first (manifest, login, image, signing key),
// then the platform's (role, allowlist, key, immutability). The exit code is the first failure's,
// so it is the one the real publish would exit with.
import type { Manifest } from '@hla-compass/manifest';
import {
  DOCKER_HUB_REGISTRY,
  findAllowlistMatch,
  type ImageReference,
} from '@hla-compass/registry-client';
import type { StoredKeyPair } from '@hla-compass/signing';
import type { CommandContext } from './context.js';
import { type CliError, ExitCode, RejectedError } from './errors.js';
import { toCliError } from './library-errors.js';
import { rejection } from './platform/approval.js';
import type { PlatformClient } from './platform/client.js';
import type { MeView, ModuleVersionView, PublishConfigView } from './platform/hosted-answers.js';
import {
  keyStanding,
  loadKeysIfAny,
  signatureRequiredError,
  untrustedKeyError,
} from './publish-keys.js';
import {
  type ChosenImage,
  chooseImageToPublish,
  type PublishedImage,
  resolvePublishedImage,
} from './published-image.js';
import { keysDirectory } from './signing-keys.js';
import { readValidModule } from './valid-module.js';

/** The checks, in the order the real publish meets them; the first failure gives the exit code. */
export const PREFLIGHT_CHECKS = [
  'manifest',
  'login',
  'image',
  'signing-key',
  'role',
  'allowlist',
  'key-registration',
  'version',
] as const;
export type PreflightCheckName = (typeof PREFLIGHT_CHECKS)[number];

export interface PreflightCheck {
  readonly check: PreflightCheckName;
  /**
   * true: passes; false: the publish would stop here; null: not known, because an earlier
   * failure leaves nothing to check it with, or the platform's answers do not state it (a hosted
   * config without an allowlist): the platform decides when you publish.
   */
  readonly ok: boolean | null;
  readonly message: string;
  readonly hint: string | null;
  /** The error code the publish would stop with (VERSION_EXISTS, …); null unless it fails. */
  readonly code: string | null;
  /** What the publish would exit with here: 0 unless it fails. */
  readonly exitCode: ExitCode;
}

export interface PreflightOptions {
  readonly imageRef: string | undefined;
  readonly scope: 'org' | 'public';
  readonly generateKeys: boolean;
}

export interface Preflight {
  /** The exit code of the first failing check, 0 when none fails. */
  readonly exitCode: ExitCode;
  readonly checks: readonly PreflightCheck[];
  readonly module: { readonly name: string; readonly version: string } | null;
  readonly image: PublishedImage | null;
  readonly keyFingerprint: string | null;
  /** True when `name@version` exists already as this very publish (publish answers with it). */
  readonly alreadyPublished: boolean;
}

/** What a check found: a pass, a failure (a CLI error), or nothing known. */
type Outcome =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: null; readonly message: string }
  | { readonly ok: false; readonly error: CliError };

const passed = (message: string): Outcome => ({ ok: true, message });
const unknown = (message: string): Outcome => ({ ok: null, message });
const notChecked = (needs: string): Outcome => unknown(`not checked: needs ${needs}`);

/**
 * Runs a check; a CliError (or a library's error, as library-errors.ts reads it) is the check's
 * failure, anything else a bug that stops the command.
 */
async function attempt(run: () => Promise<Outcome>): Promise<Outcome> {
  return (await finding(async () => ({ value: undefined, outcome: await run() }))).outcome;
}

/** {@link attempt} for a check that also finds what later checks need: `value`, unless it threw. */
async function finding<T>(
  run: () => Promise<{ value: T; outcome: Outcome }>,
): Promise<{ value?: T; outcome: Outcome }> {
  try {
    return await run();
  } catch (error) {
    const failure = toCliError(error);
    if (failure === undefined) throw error;
    return { outcome: { ok: false, error: failure } };
  }
}

export async function runPreflight(
  context: CommandContext,
  platform: PlatformClient,
  options: PreflightOptions,
): Promise<Preflight> {
  const environment = platform.environment.name;
  const outcomes = new Map<PreflightCheckName, Outcome>();

  const manifest = await finding(async () => {
    const module = await readValidModule(context.cwd, context, 'publish would stop here');
    const { name, version } = module.manifest;
    return { value: module, outcome: passed(`${name}@${version}: manifest.json is valid`) };
  });
  outcomes.set('manifest', manifest.outcome);
  const module = manifest.value;

  const login = await finding(async () => {
    const config = await platform.publishConfig();
    const me = await platform.me();
    return {
      value: { config, me },
      outcome: passed(`signed in to ${environment} as ${describeCaller(me)}`),
    };
  });
  outcomes.set('login', login.outcome);
  const { config, me } = login.value ?? {};

  const {
    chosen,
    image,
    outcome: imageOutcome,
  } = await checkImage(context, options, module, config);
  outcomes.set('image', imageOutcome);

  const signing = await finding(async () => {
    const keys = await loadKeysIfAny(context);
    return {
      value: { keys },
      outcome: signingKey(context, environment, keys, options.generateKeys, config),
    };
  });
  outcomes.set('signing-key', signing.outcome);
  const keys = signing.value?.keys;

  outcomes.set('role', me === undefined ? notChecked('a login') : role(environment, me));
  outcomes.set(
    'allowlist',
    config === undefined
      ? notChecked("the platform's publish config (see login)")
      : chosen === undefined
        ? notChecked('the image to publish (see image)')
        : allowlist(environment, config, chosen.reference),
  );
  outcomes.set(
    'key-registration',
    config === undefined
      ? notChecked('a login')
      : signing.value === undefined
        ? notChecked('a signing key (see signing-key)')
        : await attempt(() => keyRegistration(platform, keys, options.generateKeys)),
  );

  const publishing: Publishing | undefined = module && {
    manifest: module.manifest,
    image,
    scope: options.scope,
    signer: keys?.keyFingerprint ?? (options.generateKeys ? NEW_KEY : null),
  };
  const version =
    publishing === undefined
      ? { outcome: notChecked('a valid manifest.json') }
      : me === undefined
        ? { outcome: notChecked('a login') }
        : await finding(() => checkVersion(platform, me, publishing));
  outcomes.set('version', version.outcome);

  const checks = PREFLIGHT_CHECKS.map((name) => toCheck(name, outcomes.get(name)));
  const firstFailure = checks.find((check) => check.ok === false);
  return {
    exitCode: firstFailure?.exitCode ?? ExitCode.ok,
    checks,
    module:
      module === undefined
        ? null
        : { name: module.manifest.name, version: module.manifest.version },
    image: image ?? null,
    keyFingerprint: keys?.keyFingerprint ?? null,
    alreadyPublished: version.value === true,
  };
}

function toCheck(check: PreflightCheckName, outcome: Outcome | undefined): PreflightCheck {
  if (outcome === undefined) throw new Error(`the preflight lost its ${check} check`);
  if (outcome.ok !== false) {
    return {
      check,
      ok: outcome.ok,
      message: outcome.message,
      hint: null,
      code: null,
      exitCode: ExitCode.ok,
    };
  }
  const { error } = outcome;
  return {
    check,
    ok: false,
    message: error.message,
    hint: error.hint ?? null,
    code: error.code,
    exitCode: error.exitCode,
  };
}

function describeCaller(me: MeView): string {
  const user = me.user?.email ?? 'an unnamed user';
  const org = me.org?.name ?? me.org?.id;
  return org === undefined ? user : `${user} (${org})`;
}

/** The image, exactly as publish picks and checks it: exists at its registry, and was built here. */
async function checkImage(
  context: CommandContext,
  options: PreflightOptions,
  module: { manifest: Manifest; digest: string } | undefined,
  config: PublishConfigView | undefined,
): Promise<{ chosen?: ChosenImage; image?: PublishedImage; outcome: Outcome }> {
  if (module === undefined) return { outcome: notChecked('a valid manifest.json') };
  // Without the config, the default tag's registry is not known (and publish stops at login).
  if (config === undefined)
    return { outcome: notChecked("the platform's publish config (see login)") };
  const choice = {
    imageRef: options.imageRef,
    registry: config.registry,
    name: module.manifest.name,
    version: module.manifest.version,
    manifestDigest: module.digest,
  };
  let chosen: ChosenImage | undefined;
  let image: PublishedImage | undefined;
  const outcome = await attempt(async () => {
    chosen = await chooseImageToPublish(context, choice);
    // As publish does: a Docker Hub image off the allowlist (`your-org/x:1`, a host forgotten) is
    // refused at the allowlist without asking docker.io.
    if (
      chosen.reference.registry === DOCKER_HUB_REGISTRY &&
      allowlistMatch(config, chosen.reference) === undefined
    ) {
      return notChecked('an image on the allowlist (see allowlist)');
    }
    image = await resolvePublishedImage(context, chosen, module.digest);
    const builtHere = image.builtHere === null ? '' : `; built here (${image.builtHere})`;
    return passed(`${image.pinned} is at its registry (from ${image.source}${builtHere})`);
  });
  return { ...(chosen && { chosen }), ...(image && { image }), outcome };
}

function signingKey(
  context: CommandContext,
  environment: string,
  keys: StoredKeyPair | undefined,
  generateKeys: boolean,
  config: PublishConfigView | undefined,
): Outcome {
  if (keys !== undefined) return passed(`signs with the Ed25519 key ${keys.keyFingerprint}`);
  if (generateKeys) {
    return passed(
      `no signing keys yet: --generate-keys would create a pair in ${keysDirectory(context.configDir)} (not now: dry run)`,
    );
  }
  if (config === undefined) return notChecked("the platform's signature policy (see login)");
  if (config.requireSignature === true) throw signatureRequiredError(context, environment);
  return config.requireSignature === false
    ? passed(`no signing keys: the publish goes unsigned, which ${environment} accepts`)
    : unknown(
        `no signing keys: the publish goes unsigned, and ${environment} does not say whether it requires signatures (it decides when you publish)`,
      );
}

/** DEVELOPER_ROLE_REQUIRED, as the platform decides it: roles are cumulative, superuser is not one. */
function role(environment: string, me: MeView): Outcome {
  if (me.roles === undefined) {
    return unknown(`${environment} does not say your roles: it decides when you publish`);
  }
  const held = me.roles.join(', ') || 'no role';
  if (me.roles.includes('developer') || me.roles.includes('admin')) {
    return passed(`you have the developer role (${held})`);
  }
  return {
    ok: false,
    error: new RejectedError(
      `Module publish requires developer access: ${describeCaller(me)} has ${held} in ${environment}`,
      {
        code: 'DEVELOPER_ROLE_REQUIRED',
        hint: `ask your org admin to give your account the developer role in ${environment}`,
      },
    ),
  };
}

/**
 * The pattern of the allowlist `reference` matches: undefined when none does, null when the
 * platform does not state its allowlist (the hosted config may carry only `registry`).
 */
export function allowlistMatch(
  config: PublishConfigView,
  reference: ImageReference,
): string | undefined | null {
  if (config.allowlist === undefined) return null;
  return findAllowlistMatch(
    config.allowlist.map((pattern) => ({ pattern })),
    reference,
  )?.pattern;
}

export function allowlist(
  environment: string,
  config: PublishConfigView,
  reference: ImageReference,
): Outcome {
  const pattern = allowlistMatch(config, reference);
  const { repository } = reference;
  if (pattern === null) {
    return unknown(
      `${environment} does not state its registry allowlist: it decides when you publish`,
    );
  }
  if (pattern !== undefined) return passed(`${repository} is allowed by ${pattern}`);
  const namespace = repository.includes('/')
    ? `${repository.slice(0, repository.lastIndexOf('/'))}/*`
    : repository;
  return {
    ok: false,
    error: new RejectedError(
      `Registry not in allowlist: ${repository} is not on ${environment}'s registry allowlist (${config.allowlist?.join(', ') || 'empty'})`,
      {
        code: 'REGISTRY_UNAUTHORIZED',
        hint: `push to a registry namespace on the allowlist, or ask your platform admin to add ${namespace} to your org's registry allowlist`,
      },
    ),
  };
}

/** UNTRUSTED_KEY, as the platform decides it: a key that signs must be registered to you, unrevoked. */
async function keyRegistration(
  platform: PlatformClient,
  keys: StoredKeyPair | undefined,
  generateKeys: boolean,
): Promise<Outcome> {
  const environment = platform.environment.name;
  if (keys === undefined) {
    return generateKeys
      ? passed(`--generate-keys would register the new key with ${environment} (not now: dry run)`)
      : passed('unsigned: no key to register');
  }
  const fingerprint = keys.keyFingerprint;
  const standing = await keyStanding(platform, fingerprint);
  if (standing.status === 'registered') {
    return passed(`${fingerprint} is registered to you in ${environment}`);
  }
  if (standing.status === 'unregistered' && generateKeys) {
    return passed(
      `${fingerprint} is not registered in ${environment} yet: --generate-keys would register it (not now: dry run)`,
    );
  }
  return { ok: false, error: untrustedKeyError(environment, fingerprint, standing) };
}

/** The key --generate-keys would create: one no version was signed with yet. */
const NEW_KEY = Symbol('a new key');

interface Publishing {
  readonly manifest: Manifest;
  readonly image: PublishedImage | undefined;
  readonly scope: 'org' | 'public';
  /** The fingerprint of the key that would sign, null for an unsigned publish. */
  readonly signer: string | null | typeof NEW_KEY;
}

/**
 * VERSION_EXISTS, as the platform decides it: versions are immutable, except that the very
 * publish that made one (same publisher, image digest, manifest, scope and key) is answered with
 * it again. The catalog shows the image, scope and key; the publisher shows as who may read the
 * publish (its submitter, org admins, superusers); the manifest it does not show, so that part is
 * the platform's alone.
 */
async function checkVersion(
  platform: PlatformClient,
  me: MeView,
  publishing: Publishing,
): Promise<{ value: boolean; outcome: Outcome }> {
  const environment = platform.environment.name;
  const { name, version } = publishing.manifest;
  const published = `${name}@${version}`;
  const moduleId = await ownModuleId(platform, name, me.org?.id);
  const versions =
    moduleId === undefined ? [] : (await platform.listModuleVersions(moduleId)).items;
  const existing = versions.find((item) => item.version === version);
  if (existing === undefined) {
    return { value: false, outcome: passed(`${published} is not in ${environment} yet`) };
  }
  const { image } = publishing;
  if (image === undefined) {
    const needs = `the image's digest (see image): ${published} exists in ${environment}`;
    return { value: false, outcome: notChecked(needs) };
  }
  const differences = differencesFrom(existing, image, publishing);
  if (differences.length > 0) throw versionExists(published, environment, differences);
  // The same image, scope and key: the same publish if it is the caller's (the platform's 200).
  // Only its submitter, org admins and superusers may read a publish.
  if (existing.publishId !== undefined) {
    const status = await publishStatusIfVisible(platform, existing.publishId);
    if (status === undefined) {
      throw versionExists(published, environment, ['it was published by another user of your org']);
    }
    // Sent again, a rejected publish is answered with its rejection (exit 1).
    if (status.state === 'REJECTED') throw rejection(status);
  }
  const seesOthers =
    me.superuser === true || me.roles?.includes('admin') === true || me.roles === undefined;
  const yours = seesOthers ? " (if you published it: an admin sees others' publishes too)" : '';
  return {
    value: true,
    outcome: passed(
      `${published} is already published in ${environment} with this image, scope and key (${existing.state ?? 'state unknown'})${yours}: publish answers with that version again, it does not publish twice`,
    ),
  };
}

/** What differs between the existing version and this publish, in the catalog's own words. */
function differencesFrom(
  existing: ModuleVersionView,
  image: PublishedImage,
  publishing: Publishing,
): string[] {
  const differences: string[] = [];
  if (existing.repository !== undefined && existing.repository !== image.reference.repository) {
    differences.push(`its image is ${existing.repository}, this one ${image.reference.repository}`);
  }
  if (existing.digest !== undefined && existing.digest !== image.digest) {
    differences.push(`its digest is ${existing.digest}, this image's ${image.digest}`);
  }
  if (existing.scope !== undefined && existing.scope !== publishing.scope) {
    differences.push(`its scope is ${existing.scope}, this publish's ${publishing.scope}`);
  }
  const key = existing.keyFingerprint;
  const { signer } = publishing;
  if (key !== undefined && key !== signer) {
    const mine =
      signer === null
        ? 'this publish is unsigned'
        : signer === NEW_KEY
          ? 'this publish would sign with a new key'
          : `this publish signs with ${signer}`;
    differences.push(`${key === null ? 'it is unsigned' : `it was signed with ${key}`}, ${mine}`);
  }
  return differences;
}

function versionExists(
  published: string,
  environment: string,
  why: readonly string[],
): RejectedError {
  return new RejectedError(
    `${published} already exists in ${environment}: published versions are immutable (${why.join('; ')})`,
    {
      code: 'VERSION_EXISTS',
      hint: 'published versions are immutable: bump `version` in manifest.json, then build, push and publish again',
    },
  );
}

/** The id of the caller's org's module of that name (versions are unique per org), if any. */
async function ownModuleId(
  platform: PlatformClient,
  name: string,
  orgId: string | undefined,
): Promise<string | undefined> {
  for (let offset = 0; ; ) {
    const page = await platform.listModules({ limit: 500, offset });
    const own = page.items.find(
      (module) =>
        module.moduleName === name &&
        (orgId === undefined || module.orgId === undefined || module.orgId === orgId),
    );
    if (own !== undefined) return own.id;
    offset += page.items.length;
    // A listing without a total does not page: asking for the next offset could return it again.
    if (page.items.length === 0 || page.total === undefined || offset >= page.total)
      return undefined;
  }
}

/** The publish's status, or undefined when the platform hides it from the caller (not theirs). */
async function publishStatusIfVisible(platform: PlatformClient, publishId: string) {
  try {
    return await platform.publishStatus(publishId);
  } catch (error) {
    if (error instanceof RejectedError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}
