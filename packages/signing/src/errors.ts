// Typed failures of @hla-compass/signing. Each carries a stable `code` so the CLI and the
// emulator can map it to their own messages, exit codes and HTTP errors without matching text.

export type SigningErrorCode =
  | 'JSON_PARSE_ERROR'
  | 'NOT_CANONICALIZABLE'
  | 'INVALID_KEY'
  | 'KEYS_EXIST'
  | 'KEYS_NOT_FOUND'
  | 'KEY_FILE_PERMISSIONS'
  | 'KEY_MISMATCH'
  | 'INVALID_STATEMENT';

export class SigningError extends Error {
  readonly code: SigningErrorCode;

  constructor(code: SigningErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** JSON text that is not strict I-JSON; `position` is a 0-based UTF-16 offset into the text. */
export class JsonParseError extends SigningError {
  /** What is wrong, without the position: for callers that word the message their own way. */
  readonly reason: string;
  readonly position: number;
  readonly line: number;
  readonly column: number;

  constructor(reason: string, text: string, position: number) {
    const { line, column } = lineAndColumn(text, position);
    super('JSON_PARSE_ERROR', `Invalid JSON: ${reason} at line ${line}, column ${column}`);
    this.reason = reason;
    this.position = position;
    this.line = line;
    this.column = column;
  }
}

/** A value outside the RFC 8785 data model; `path` is a JSON pointer to it. */
export class CanonicalizationError extends SigningError {
  readonly path: string;

  constructor(path: string, problem: string) {
    super(
      'NOT_CANONICALIZABLE',
      `Cannot canonicalize ${path === '' ? 'the value' : `the value at ${path}`}: ${problem}`,
    );
    this.path = path;
  }
}

/** Key bytes, PEM or DER that are not an Ed25519 key of the expected form. */
export class KeyFormatError extends SigningError {
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_KEY', message, options);
  }
}

export class KeysExistError extends SigningError {
  readonly dir: string;

  constructor(dir: string) {
    super('KEYS_EXIST', `Keys already exist at ${dir}. Re-run with --force to regenerate.`);
    this.dir = dir;
  }
}

export class KeysNotFoundError extends SigningError {
  readonly dir: string;

  constructor(dir: string) {
    super(
      'KEYS_NOT_FOUND',
      `No signing keys found in ${dir}. Run \`hla-compass keys init\` first.`,
    );
    this.dir = dir;
  }
}

export class KeyFilePermissionError extends SigningError {
  readonly path: string;
  readonly mode: number;

  constructor(path: string, mode: number) {
    super(
      'KEY_FILE_PERMISSIONS',
      `Private key ${path} is accessible by other users (mode ${formatMode(mode)}). ` +
        `Run \`chmod 600 ${path}\` and try again.`,
    );
    this.path = path;
    this.mode = mode;
  }
}

export class KeyMismatchError extends SigningError {
  readonly path: string;

  constructor(path: string) {
    super(
      'KEY_MISMATCH',
      `Public key ${path} does not belong to the private key next to it. ` +
        'Delete it to have it derived again from the private key, or regenerate both with --force.',
    );
    this.path = path;
  }
}

/** A publish statement input that cannot be signed or verified (bad digest, scope, …). */
export class InvalidStatementError extends SigningError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('INVALID_STATEMENT', message);
    this.field = field;
  }
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}

function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}
