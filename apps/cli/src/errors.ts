// The failures the CLI reports to users. Each class carries the exit code of SPEC §8 and, where
// there is one, the next step; anything that is not a CliError is a bug and is reported as one.
import { redactSecrets, redactValue } from '@hla-compass/platform-api/redaction';

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

export interface CliErrorOptions {
  /** What to do next, one line, shown after the message. */
  hint?: string | undefined;
  /** A stable machine-readable code: the platform's (`VERSION_EXISTS`) or the CLI's own. */
  code?: string | undefined;
  /** The platform's request id, so a user can quote it to support. */
  requestId?: string | undefined;
  /** Structured detail for `--json` output (e.g. manifest issues). */
  details?: unknown;
  cause?: unknown;
}

export abstract class CliError extends Error {
  abstract readonly exitCode: ExitCode;
  abstract readonly defaultCode: string;
  readonly hint: string | undefined;
  readonly requestId: string | undefined;
  readonly details: unknown;
  readonly #code: string | undefined;

  constructor(message: string, options: CliErrorOptions = {}) {
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

  get code(): string {
    return this.#code ?? this.defaultCode;
  }
}

/** A bad flag or argument, an invalid manifest, a malformed reference: the user can fix the input. */
export class UsageError extends CliError {
  readonly exitCode = ExitCode.invalidInput;
  readonly defaultCode = 'INVALID_INPUT';
}

/** The platform or the registry said no. */
export class RejectedError extends CliError {
  readonly exitCode = ExitCode.rejected;
  readonly defaultCode = 'REJECTED';
}

/** No usable credentials for the platform (or they expired and could not be refreshed). */
export class AuthenticationError extends CliError {
  readonly exitCode = ExitCode.unauthenticated;
  readonly defaultCode = 'UNAUTHENTICATED';
}

/** The Docker engine, the registry or the platform cannot be reached. */
export class ServiceUnavailableError extends CliError {
  readonly exitCode = ExitCode.unavailable;
  readonly defaultCode = 'SERVICE_UNAVAILABLE';
}
