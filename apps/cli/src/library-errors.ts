// How the libraries' errors read as the CLI's (errors.ts gives each code its exit code): one
// table from their classes, applied where errors are reported (program.ts, and the preflight's and
// `test --watch`'s own reports), so call sites throw the library's error as it is. A call site
// that knows more (which flag, which file) says so with an ErrorContext. Loaded when a command
// runs, or when an error that is no CliError is reported: not at start-up.
import {
  CredentialHelperError,
  DockerConfigError,
  InvalidReferenceError,
  RegistryError,
} from '@hla-compass/registry-client';
import { SigningError } from '@hla-compass/signing';
import {
  CLI_ERROR_CODES,
  type CliCode,
  CliError,
  errorWithExitCode,
  type RegistryCode,
} from './errors.js';

const FIX_DOCKER_CONFIG =
  'fix the Docker config (DOCKER_CONFIG, else ~/.docker/config.json), or log in again with `docker login`';

/** What a library error says as a CLI error: its code and, when the class says what to do, how. */
interface LibraryReading {
  readonly code: CliCode;
  readonly hint?: string;
}

function reading<T extends Error>(
  kind: abstract new (...args: never[]) => T,
  read: (error: T) => LibraryReading,
): (error: unknown) => LibraryReading | undefined {
  return (error) => (error instanceof kind ? read(error) : undefined);
}

/**
 * The libraries' error classes and what each is to a user; the message is the library's. The
 * manifest package has none: its issues are values, which readValidModule makes INVALID_MANIFEST.
 */
const LIBRARY_ERRORS = [
  // The user's key files (missing, too open, mismatched, broken) or what they sign.
  reading(SigningError, (error) => ({ code: error.code })),
  reading(InvalidReferenceError, (error) => ({ code: error.code })),
  reading(DockerConfigError, (error) => ({ code: error.code, hint: FIX_DOCKER_CONFIG })),
  reading(CredentialHelperError, (error) => ({ code: error.code, hint: FIX_DOCKER_CONFIG })),
  reading(RegistryError, (error) => ({
    code: `REGISTRY_${error.code.toUpperCase()}` as RegistryCode,
  })),
];

/** What a call site knows that the library's error does not: what it was about, what to do. */
export interface ErrorContext {
  /** Said before the library's message: `--tag`, `base image "x"`. */
  readonly about?: string;
  /** The next step, instead of the library class's own (if it has one). */
  readonly hint?: string | undefined;
}

/**
 * The CLI error `error` is: itself when it is one, the table's for a library's error (with what
 * the call site knows), undefined for anything else (a bug, or the OS's: program.ts reports it).
 */
export function toCliError(error: unknown, context: ErrorContext = {}): CliError | undefined {
  if (error instanceof CliError) return error;
  for (const read of LIBRARY_ERRORS) {
    const known = read(error);
    if (known === undefined) continue;
    const { message } = error as Error;
    return errorWithExitCode(
      CLI_ERROR_CODES[known.code],
      context.about === undefined ? message : `${context.about}: ${message}`,
      { code: known.code, hint: context.hint ?? known.hint, cause: error },
    );
  }
  return undefined;
}

/** {@link toCliError}, or `error` itself when it is no CLI or library error: for a `throw`. */
export function asCliError(error: unknown, context: ErrorContext = {}): unknown {
  return toCliError(error, context) ?? error;
}
