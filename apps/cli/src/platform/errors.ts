// Turns a platform error response into the CLI error a user should see: the platform's code,
// message and request id, the exit code its code has (errors.ts's PLATFORM_ERROR_CODES), and the
// next step. The body may be in any of the forms hosted-answers.ts reads; a code this CLI does not
// know maps by the HTTP status.
import { type ErrorCode, isErrorCode } from '@hla-compass/platform-api';
import { type ImageReference, parseImageReference } from '@hla-compass/registry-client';
import { dockerPushCommand, manifestInspectCommand } from '../docker-commands.js';
import {
  type CliError,
  ExitCode,
  errorWithExitCode,
  PLATFORM_ERROR_CODES,
  relayed,
} from '../errors.js';
import { readErrorBody } from './hosted-answers.js';

/** The image a platform error names in its details, when it names one the CLI can parse. */
function referenceIn(value: unknown): ImageReference | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseImageReference(value);
  } catch {
    return undefined;
  }
}

/** The next step after a platform code, from the environment and the error's details. */
type Hint = (environment: string, details: Readonly<Record<string, unknown>>) => string | undefined;

const login = (environment: string) => `run \`hla-compass auth login --env ${environment}\``;

/** What to do about each platform code (platform-api's ERROR_STATUS) that has a next step. */
const hints: { readonly [Code in ErrorCode]?: Hint } = {
  INVALID_MANIFEST: () => 'run `hla-compass validate --strict` and fix the issues it lists',
  INVALID_IMAGE_REF: () => 'use a reference like ghcr.io/your-org/my-module:1.0.0',
  UNAUTHENTICATED: login,
  DEVELOPER_ROLE_REQUIRED: (environment) =>
    `ask your org admin to give your account the developer role in ${environment}`,
  REGISTRY_UNAUTHORIZED: (_environment, details) => {
    const repository = typeof details.repository === 'string' ? details.repository : undefined;
    const namespace = repository?.includes('/')
      ? `${repository.slice(0, repository.lastIndexOf('/'))}/*`
      : undefined;
    return namespace
      ? `push to a registry namespace on the allowlist, or ask your platform admin to add ${namespace} to your org's registry allowlist`
      : "push to a registry namespace on the allowlist, or ask your platform admin to add yours to the org's registry allowlist";
  },
  UNTRUSTED_KEY: (environment) =>
    `register your public key: \`hla-compass keys register --env ${environment}\` (a revoked key cannot be registered again: \`hla-compass keys init --force\` first)`,
  FORBIDDEN: () => 'you lack the permission for this; contact your platform admin',
  VERSION_EXISTS: () =>
    'published versions are immutable: bump `version` in manifest.json, then build, push and publish again',
  IDEMPOTENCY_KEY_REUSED: () => 'run the command again; it will use a new idempotency key',
  PAYLOAD_TOO_LARGE: () =>
    'the request is over 1 MiB: shorten manifest.json (description, inputs, outputs)',
  IMAGE_NOT_FOUND: (_environment, details) => {
    const reference = referenceIn(details.imageRef);
    if (reference === undefined) {
      return 'push the image first (`hla-compass push` or `docker push IMAGE`) and check it with `docker manifest inspect IMAGE`';
    }
    return `push the image first (\`hla-compass push\` or \`${dockerPushCommand(reference)}\`) and check it with \`${manifestInspectCommand(reference)}\``;
  },
  IMAGE_FORBIDDEN: () =>
    "the platform's pull credentials for this registry were refused: ask your platform admin to update them in the org's registry settings",
  SIGNATURE_REQUIRED: (environment) =>
    `this environment only takes signed publishes: \`hla-compass keys init\` and \`hla-compass keys register --env ${environment}\`, or publish with --generate-keys`,
  SIGNATURE_INVALID: () =>
    'the signature does not match what the platform received; re-run publish without editing files in between',
  RATE_LIMITED: (_environment, details) => {
    const seconds = details.retryAfter;
    return typeof seconds === 'number'
      ? `wait ${seconds} s and try again`
      : 'wait a moment and try again';
  },
  REGISTRY_UNAVAILABLE: () => 'the platform could not reach the registry; try again later',
  INTERNAL: () => 'the platform failed; try again, and quote the request id if it persists',
  // Not retried: waiting does not free a disk. Nothing was written, so trying again is safe.
  STORAGE_FULL: () =>
    "nothing was written. The platform's storage is full: for the local emulator, free space on the disk of its data dir (`hla-compass-platform start --data DIR`); for a hosted platform, contact your platform admin. Then run the command again",
};

/**
 * The known code whose exit code and hint fit an HTTP status, for a code this CLI does not know
 * (or none): 401 → 3; 400 and 413 → 2; 403, 404 → 1 with their hints; 409, 422 and other 4xx → 1
 * without one (no known code's hint would be right); 507 (Insufficient Storage) and other 5xx → 4.
 */
function standInFor(status: number): ErrorCode | undefined {
  if (status === 507) return 'STORAGE_FULL';
  if (status >= 500) return 'INTERNAL';
  switch (status) {
    case 400:
      return 'INVALID_REQUEST';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 429:
      return 'RATE_LIMITED';
    default:
      return undefined;
  }
}

/**
 * A CLI error for an HTTP error answer. The request id is the body's, else the X-Request-Id of the
 * exchange (the platform's echo, else the one the CLI sent).
 */
export function platformError(
  response: { status: number; text: string; requestId: string },
  environment: string,
): CliError {
  const body = readErrorBody(response.text);
  const known = body?.code !== undefined && isErrorCode(body.code) ? body.code : undefined;
  const standIn = known ?? standInFor(response.status);
  const message =
    body?.message ??
    (body?.code === undefined
      ? `the platform answered HTTP ${response.status} without an error body`
      : `the platform answered HTTP ${response.status} with ${body.code}`);
  const code =
    body?.code === undefined
      ? response.status === 401
        ? undefined
        : (`HTTP_${response.status}` as const)
      : (known ?? relayed(body.code));
  return errorWithExitCode(
    standIn === undefined ? ExitCode.rejected : PLATFORM_ERROR_CODES[standIn],
    message,
    {
      code,
      requestId: body?.requestId ?? response.requestId,
      hint: standIn === undefined ? undefined : hints[standIn]?.(environment, body?.details ?? {}),
      details: body?.details,
    },
  );
}
