// The failures the CLI reports to users. Every code has its exit code of SPEC §8 in one table, as
// platform-api's ERROR_STATUS gives each platform code its HTTP status, and each class takes only
// the codes of its exit code. A library's error becomes one of these where it is reported
// (library-errors.ts); anything that is neither is a bug and is reported as one. Only types come
// from the libraries: every command, and the fast path, loads this module.
import type { ErrorCode } from '@hla-compass/platform-api';
import { redactSecrets, redactValue } from '@hla-compass/platform-api/redaction';
import type { RegistryErrorCode } from '@hla-compass/registry-client';

export const ExitCode = {
  ok: 0,
  /** Rejected by the platform or the registry (or an unexpected internal failure). */
  rejected: 1,
  /** A usage error or invalid input: bad flag, invalid manifest, bad image reference. */
  invalidInput: 2,
  /** Not authenticated, or the stored credentials no longer work. */
  unauthenticated: 3,
  /** A required service is unavailable: Docker engine, registry, platform. */
  unavailable: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
/** The exit code of a failure: any but 0. */
export type FailureExitCode = Exclude<ExitCode, typeof ExitCode.ok>;

/** What each exit code means, in the words of the README's table (shown by `--help`). */
export const exitCodeMeanings: Readonly<Record<ExitCode, string>> = {
  [ExitCode.ok]: 'success',
  [ExitCode.rejected]:
    'rejected by the platform or the registry (also an unexpected internal error)',
  [ExitCode.invalidInput]:
    'usage error or invalid input: bad flag, invalid manifest, bad image reference, missing keys',
  [ExitCode.unauthenticated]:
    'not authenticated, or the credentials expired and could not be refreshed',
  [ExitCode.unavailable]:
    'a required service is unavailable: Docker engine, registry, platform; also a wait that timed out (`publish-status --watch`)',
};

const { rejected, invalidInput, unauthenticated, unavailable } = ExitCode;

/** registry-client's RegistryError codes, as `REGISTRY_<code>`. */
export type RegistryCode = `REGISTRY_${Uppercase<RegistryErrorCode>}`;

/**
 * Every code the CLI gives its own errors, and its exit code. Each code of the libraries' errors
 * (SigningErrorCode, RegistryCode) must be here: library-errors.ts does not compile otherwise.
 * Written out, not spread from parts, so that a bundle that never reads it can leave it out.
 */
export const CLI_ERROR_CODES = {
  // A CliError given no code has its class's.
  INVALID_INPUT: invalidInput,
  REJECTED: rejected,
  UNAUTHENTICATED: unauthenticated,
  SERVICE_UNAVAILABLE: unavailable,
  // Commander's usage errors, as --json reports them (program.ts).
  UNKNOWN_COMMAND: invalidInput,
  UNKNOWN_OPTION: invalidInput,
  MISSING_ARGUMENT: invalidInput,
  MISSING_OPTION_VALUE: invalidInput,
  TOO_MANY_ARGUMENTS: invalidInput,
  INVALID_ARGUMENT: invalidInput,
  COMMAND_REQUIRED: invalidInput,
  // The module, its build record and the Docker engine.
  BUILD_RECORD_INVALID: invalidInput,
  DOCKER_CONTEXT_INVALID: invalidInput,
  DOCKER_HOST_UNSUPPORTED: invalidInput,
  DOCKER_TLS_INVALID: invalidInput,
  IMAGE_NOT_BUILT: invalidInput,
  IMAGE_NOT_BUILT_HERE: invalidInput,
  MANIFEST_CHANGED: invalidInput,
  MISSING_IMAGE_TAG: invalidInput,
  PLATFORM_LIST_UNSUPPORTED: invalidInput,
  BUILD_FAILED: rejected,
  TEST_RUN_FAILED: rejected,
  DOCKER_UNAVAILABLE: unavailable,
  // registry-client's own errors: a reference, the Docker config, a credential helper.
  INVALID_IMAGE_REF: invalidInput,
  DOCKER_CONFIG_INVALID: invalidInput,
  CREDENTIAL_HELPER_FAILED: invalidInput,
  // Registries and pushes: a RegistryError is unavailable when the registry could not be
  // reached; otherwise it answered, but not usably.
  REGISTRY_UNAUTHORIZED: rejected,
  REGISTRY_FORBIDDEN: rejected,
  REGISTRY_NOT_FOUND: rejected,
  REGISTRY_UNAVAILABLE: unavailable,
  REGISTRY_DIGEST_MISMATCH: rejected,
  REGISTRY_TOO_LARGE: rejected,
  REGISTRY_INVALID_RESPONSE: rejected,
  REGISTRY_REFUSED: rejected,
  PUSH_FAILED: rejected,
  REGISTRY_DENIED: rejected,
  PUSH_STALLED: unavailable,
  // The signing package's codes (SigningError): the user's key files, or what they sign.
  JSON_PARSE_ERROR: invalidInput,
  NOT_CANONICALIZABLE: invalidInput,
  INVALID_KEY: invalidInput,
  KEYS_EXIST: invalidInput,
  KEYS_NOT_FOUND: invalidInput,
  KEY_FILE_PERMISSIONS: invalidInput,
  KEY_MISMATCH: invalidInput,
  INVALID_STATEMENT: invalidInput,
  // Sign-in and the platform's answers.
  CREDENTIALS_FILE_INVALID: unauthenticated,
  CREDENTIALS_FILE_MODE: unauthenticated,
  LOGIN_PAYLOAD_INVALID: unauthenticated,
  LOGIN_TIMEOUT: unauthenticated,
  PUBLISH_REJECTED: rejected,
  UNEXPECTED_RESPONSE: rejected,
  WAIT_TIMEOUT: unavailable,
  // Platform codes the CLI also gives its own finding, at another exit code than the platform's
  // answer has (PLATFORM_ERROR_CODES): the same fact, found on this side.
  /** No signing key here, where the env wants signatures: publish stops before sending. */
  SIGNATURE_REQUIRED: invalidInput,
  /** `test --image` naming an image the local engine does not have (a registry's is exit 1). */
  IMAGE_NOT_FOUND: invalidInput,
  /** A bug in the CLI (no CliError: program.ts reports it); the platform's own failure is 4. */
  INTERNAL: rejected,
} as const satisfies Record<string, FailureExitCode>;

/** What each platform code (platform-api's ERROR_STATUS) means when the platform answers it. */
export const PLATFORM_ERROR_CODES = {
  INVALID_REQUEST: invalidInput,
  INVALID_MANIFEST: invalidInput,
  INVALID_IMAGE_REF: invalidInput,
  PAYLOAD_TOO_LARGE: invalidInput,
  UNAUTHENTICATED: unauthenticated,
  DEVELOPER_ROLE_REQUIRED: rejected,
  REGISTRY_UNAUTHORIZED: rejected,
  UNTRUSTED_KEY: rejected,
  FORBIDDEN: rejected,
  NOT_FOUND: rejected,
  VERSION_EXISTS: rejected,
  IDEMPOTENCY_KEY_REUSED: rejected,
  IMAGE_NOT_FOUND: rejected,
  IMAGE_FORBIDDEN: rejected,
  SIGNATURE_REQUIRED: rejected,
  SIGNATURE_INVALID: rejected,
  RATE_LIMITED: rejected,
  REGISTRY_UNAVAILABLE: unavailable,
  INTERNAL: unavailable,
  STORAGE_FULL: unavailable,
} as const satisfies Record<ErrorCode, FailureExitCode>;

type CliCodes = typeof CLI_ERROR_CODES;
type PlatformCodes = typeof PLATFORM_ERROR_CODES;
export type CliCode = keyof CliCodes;

declare const relayedCode: unique symbol;
/**
 * A code another party answered with, passed on as it came: an HTTP status (`HTTP_404`), a
 * platform code this CLI does not know, the OS's errno (`EACCES`). Its exit code is the judgement
 * of the one place that relays it; made with {@link relayed}.
 */
export type RelayedCode = `HTTP_${number}` | (string & { readonly [relayedCode]: true });

/** Every code a CliError can have. */
export type CliErrorCode = CliCode | ErrorCode | RelayedCode;

/** The codes with exit code `E`, in either table: the ones a class of that exit code takes. */
export type CodeWithExit<E extends ExitCode> =
  | { [C in CliCode]: CliCodes[C] extends E ? C : never }[CliCode]
  | { [C in ErrorCode]: PlatformCodes[C] extends E ? C : never }[ErrorCode];

export function relayed(code: string): RelayedCode {
  return code as RelayedCode;
}

export interface CliErrorOptions<E extends ExitCode = ExitCode> {
  /** What to do next, one line, shown after the message. */
  hint?: string | undefined;
  /** A stable machine-readable code of this exit code: the CLI's, the platform's, or relayed. */
  code?: CodeWithExit<E> | RelayedCode | undefined;
  /** The platform's request id, so a user can quote it to support. */
  requestId?: string | undefined;
  /** Structured detail for `--json` output (e.g. manifest issues). */
  details?: unknown;
  cause?: unknown;
}

export abstract class CliError<E extends FailureExitCode = FailureExitCode> extends Error {
  abstract readonly exitCode: E;
  abstract readonly defaultCode: CodeWithExit<E>;
  readonly hint: string | undefined;
  readonly requestId: string | undefined;
  readonly details: unknown;
  readonly #code: CodeWithExit<E> | RelayedCode | undefined;

  constructor(message: string, options: CliErrorOptions<E> = {}) {
    // Messages quote user input (a reference, a URL) and the platform's answers: redacted here,
    // once, so that no error the CLI prints, as text or --json, carries credentials.
    super(
      redactSecrets(message),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.hint = options.hint === undefined ? undefined : redactSecrets(options.hint);
    this.requestId = options.requestId;
    this.details = redactValue(options.details);
    this.#code = options.code;
  }

  get code(): CodeWithExit<E> | RelayedCode {
    return this.#code ?? this.defaultCode;
  }
}

/** A bad flag or argument, an invalid manifest, a malformed reference: the user can fix the input. */
export class UsageError extends CliError<typeof ExitCode.invalidInput> {
  readonly exitCode = ExitCode.invalidInput;
  readonly defaultCode = 'INVALID_INPUT';
}

/** The platform or the registry said no. */
export class RejectedError extends CliError<typeof ExitCode.rejected> {
  readonly exitCode = ExitCode.rejected;
  readonly defaultCode = 'REJECTED';
}

/** No usable credentials for the platform (or they expired and could not be refreshed). */
export class AuthenticationError extends CliError<typeof ExitCode.unauthenticated> {
  readonly exitCode = ExitCode.unauthenticated;
  readonly defaultCode = 'UNAUTHENTICATED';
}

/** The Docker engine, the registry or the platform cannot be reached. */
export class ServiceUnavailableError extends CliError<typeof ExitCode.unavailable> {
  readonly exitCode = ExitCode.unavailable;
  readonly defaultCode = 'SERVICE_UNAVAILABLE';
}

/**
 * The error of the class that has `exitCode`, for a code whose exit code a table gave (the casts:
 * the table, not the compiler, has matched code and class).
 */
export function errorWithExitCode(
  exitCode: FailureExitCode,
  message: string,
  options: CliErrorOptions,
): CliError {
  switch (exitCode) {
    case ExitCode.rejected:
      return new RejectedError(message, options as CliErrorOptions<typeof ExitCode.rejected>);
    case ExitCode.invalidInput:
      return new UsageError(message, options as CliErrorOptions<typeof ExitCode.invalidInput>);
    case ExitCode.unauthenticated:
      return new AuthenticationError(
        message,
        options as CliErrorOptions<typeof ExitCode.unauthenticated>,
      );
    case ExitCode.unavailable:
      return new ServiceUnavailableError(
        message,
        options as CliErrorOptions<typeof ExitCode.unavailable>,
      );
  }
}
