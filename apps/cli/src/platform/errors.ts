// Turns a platform error response into the CLI error a user should see: the platform's code,
// message and request id, the exit code of SPEC §8, and the next step.
import { type ErrorBody, type ErrorCode, errorBodySchema } from '@hla-compass/platform-api';
import {
  AuthenticationError,
  type CliError,
  type CliErrorOptions,
  RejectedError,
  ServiceUnavailableError,
  UsageError,
} from '../errors.js';

type ErrorClass = new (message: string, options?: CliErrorOptions) => CliError;

interface Translation {
  readonly kind: ErrorClass;
  readonly hint?: (environment: string, body: ErrorBody) => string | undefined;
}

const login = (environment: string) => `run \`hla-compass auth login --env ${environment}\``;

/** Every code the platform can answer with (platform-api's ERROR_STATUS), and what the CLI makes of it. */
const translations: Readonly<Record<ErrorCode, Translation>> = {
  INVALID_REQUEST: { kind: UsageError },
  INVALID_MANIFEST: {
    kind: UsageError,
    hint: () => 'run `hla-compass validate --strict` and fix the issues it lists',
  },
  INVALID_IMAGE_REF: {
    kind: UsageError,
    hint: () => 'use a reference like ghcr.io/your-org/my-module:1.0.0',
  },
  UNAUTHENTICATED: { kind: AuthenticationError, hint: login },
  DEVELOPER_ROLE_REQUIRED: {
    kind: RejectedError,
    hint: (environment) =>
      `ask your org admin to give your account the developer role in ${environment}`,
  },
  REGISTRY_UNAUTHORIZED: {
    kind: RejectedError,
    hint: (_environment, body) => {
      const repository = stringDetail(body, 'repository');
      const namespace = repository?.includes('/')
        ? `${repository.slice(0, repository.lastIndexOf('/'))}/*`
        : undefined;
      return namespace
        ? `push to a registry namespace on the allowlist, or ask your platform admin to add ${namespace} to your org's registry allowlist`
        : "push to a registry namespace on the allowlist, or ask your platform admin to add yours to the org's registry allowlist";
    },
  },
  UNTRUSTED_KEY: {
    kind: RejectedError,
    hint: (environment) =>
      `register your public key: \`hla-compass keys register --env ${environment}\` (a revoked key cannot be registered again: \`hla-compass keys init --force\` first)`,
  },
  FORBIDDEN: {
    kind: RejectedError,
    hint: () => 'you lack the permission for this; contact your platform admin',
  },
  NOT_FOUND: { kind: RejectedError },
  VERSION_EXISTS: {
    kind: RejectedError,
    hint: () =>
      'published versions are immutable: bump `version` in manifest.json, then build, push and publish again',
  },
  IDEMPOTENCY_KEY_REUSED: {
    kind: RejectedError,
    hint: () => 'run the command again; it will use a new idempotency key',
  },
  PAYLOAD_TOO_LARGE: {
    kind: UsageError,
    hint: () => 'the request is over 1 MiB: shorten manifest.json (description, inputs, outputs)',
  },
  IMAGE_NOT_FOUND: {
    kind: RejectedError,
    hint: () =>
      'push the image first (`hla-compass push` or `docker push`) and check it with `docker manifest inspect <image>`',
  },
  IMAGE_FORBIDDEN: {
    kind: RejectedError,
    hint: () =>
      "the platform's pull credentials for this registry were refused: ask your platform admin to update them in the org's registry settings",
  },
  SIGNATURE_REQUIRED: {
    kind: RejectedError,
    hint: (environment) =>
      `this environment only takes signed publishes: \`hla-compass keys init\` and \`hla-compass keys register --env ${environment}\`, or publish with --generate-keys`,
  },
  SIGNATURE_INVALID: {
    kind: RejectedError,
    hint: () =>
      'the signature does not match what the platform received; re-run publish without editing files in between',
  },
  RATE_LIMITED: {
    kind: RejectedError,
    hint: (_environment, body) => {
      const seconds = body.details?.retryAfter;
      return typeof seconds === 'number'
        ? `wait ${seconds} s and try again`
        : 'wait a moment and try again';
    },
  },
  REGISTRY_UNAVAILABLE: {
    kind: ServiceUnavailableError,
    hint: () => 'the platform could not reach the registry; try again later',
  },
  INTERNAL: {
    kind: ServiceUnavailableError,
    hint: () => 'the platform failed; try again, and quote the request id if it persists',
  },
};

/** A CLI error for an HTTP error answer; bodies that are not the platform's error shape still map by status. */
export function platformError(
  response: { status: number; text: string; requestId: string },
  environment: string,
): CliError {
  const body = parseErrorBody(response.text);
  if (body === undefined) {
    const message = `the platform answered HTTP ${response.status} without an error body`;
    if (response.status === 401) {
      return new AuthenticationError(message, {
        hint: login(environment),
        requestId: response.requestId,
      });
    }
    const Kind = response.status >= 500 ? ServiceUnavailableError : RejectedError;
    return new Kind(message, { requestId: response.requestId, code: `HTTP_${response.status}` });
  }
  const translation = translations[body.code];
  return new translation.kind(body.message, {
    code: body.code,
    requestId: body.requestId,
    hint: translation.hint?.(environment, body),
    details: body.details,
  });
}

function parseErrorBody(text: string): ErrorBody | undefined {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function stringDetail(body: ErrorBody, key: string): string | undefined {
  const value = body.details?.[key];
  return typeof value === 'string' ? value : undefined;
}
