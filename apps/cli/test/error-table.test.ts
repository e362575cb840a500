// The error tables: every code's exit code (errors.ts), the classes that take only the codes of
// their exit code, the platform's codes by exit code, and the libraries' errors as users see them
// (library-errors.ts).
import { ERROR_CODES, ERROR_STATUS } from '@hla-compass/platform-api';
import {
  CredentialHelperError,
  DockerConfigError,
  InvalidReferenceError,
  parseImageReference,
  RegistryError,
  type RegistryErrorCode,
} from '@hla-compass/registry-client';
import {
  CanonicalizationError,
  InvalidStatementError,
  KeyFilePermissionError,
  KeyFormatError,
  KeyMismatchError,
  KeysExistError,
  KeysNotFoundError,
} from '@hla-compass/signing';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CLI_ERROR_CODES,
  ExitCode,
  PLATFORM_ERROR_CODES,
  RejectedError,
  relayed,
  ServiceUnavailableError,
  UsageError,
} from '../src/errors.js';
import { toCliError } from '../src/library-errors.js';
import { platformError } from '../src/platform/errors.js';

/** The table's codes by exit code, sorted: what a change to an exit code must change here too. */
function byExitCode(table: Readonly<Record<string, number>>): Record<number, string[]> {
  const grouped: Record<number, string[]> = {};
  for (const [code, exitCode] of Object.entries(table).sort()) {
    grouped[exitCode] = [...(grouped[exitCode] ?? []), code];
  }
  return grouped;
}

describe('CLI_ERROR_CODES', () => {
  it('gives every code the CLI raises itself its exit code', () => {
    expect(byExitCode(CLI_ERROR_CODES)).toEqual({
      [ExitCode.rejected]: [
        'BUILD_FAILED',
        'INTERNAL',
        'PUBLISH_REJECTED',
        'PUSH_FAILED',
        'REGISTRY_DENIED',
        'REGISTRY_DIGEST_MISMATCH',
        'REGISTRY_FORBIDDEN',
        'REGISTRY_INVALID_RESPONSE',
        'REGISTRY_NOT_FOUND',
        'REGISTRY_REFUSED',
        'REGISTRY_TOO_LARGE',
        'REGISTRY_UNAUTHORIZED',
        'REJECTED',
        'TEST_RUN_FAILED',
        'UNEXPECTED_RESPONSE',
      ],
      [ExitCode.invalidInput]: [
        'BUILD_RECORD_INVALID',
        'COMMAND_REQUIRED',
        'CREDENTIAL_HELPER_FAILED',
        'DOCKER_CONFIG_INVALID',
        'DOCKER_CONTEXT_INVALID',
        'DOCKER_HOST_UNSUPPORTED',
        'DOCKER_TLS_INVALID',
        'IMAGE_NOT_BUILT',
        'IMAGE_NOT_BUILT_HERE',
        'IMAGE_NOT_FOUND',
        'INVALID_ARGUMENT',
        'INVALID_IMAGE_REF',
        'INVALID_INPUT',
        'INVALID_KEY',
        'INVALID_STATEMENT',
        'JSON_PARSE_ERROR',
        'KEYS_EXIST',
        'KEYS_NOT_FOUND',
        'KEY_FILE_PERMISSIONS',
        'KEY_MISMATCH',
        'MANIFEST_CHANGED',
        'MISSING_ARGUMENT',
        'MISSING_IMAGE_TAG',
        'MISSING_OPTION_VALUE',
        'NOT_CANONICALIZABLE',
        'PLATFORM_LIST_UNSUPPORTED',
        'SIGNATURE_REQUIRED',
        'TOO_MANY_ARGUMENTS',
        'UNKNOWN_COMMAND',
        'UNKNOWN_OPTION',
      ],
      [ExitCode.unauthenticated]: [
        'CREDENTIALS_FILE_INVALID',
        'CREDENTIALS_FILE_MODE',
        'LOGIN_PAYLOAD_INVALID',
        'LOGIN_TIMEOUT',
        'UNAUTHENTICATED',
      ],
      [ExitCode.unavailable]: [
        'DOCKER_UNAVAILABLE',
        'PUSH_STALLED',
        'REGISTRY_UNAVAILABLE',
        'SERVICE_UNAVAILABLE',
        'WAIT_TIMEOUT',
      ],
    });
  });

  it("agrees with the platform's table but for the three findings of its own", () => {
    const differing = Object.entries(CLI_ERROR_CODES)
      .filter(([code, exitCode]) => {
        const platform = (PLATFORM_ERROR_CODES as Record<string, number>)[code];
        return platform !== undefined && platform !== exitCode;
      })
      .map(([code]) => code);
    expect(differing.sort()).toEqual(['IMAGE_NOT_FOUND', 'INTERNAL', 'SIGNATURE_REQUIRED']);
  });

  it("has each class's own code at the class's exit code", () => {
    for (const error of [
      new UsageError('m'),
      new RejectedError('m'),
      new AuthenticationError('m'),
      new ServiceUnavailableError('m'),
    ]) {
      expect(CLI_ERROR_CODES[error.defaultCode]).toBe(error.exitCode);
      expect(error.code).toBe(error.defaultCode);
    }
  });

  it('lets a class take only the codes of its exit code (the compiler checks it)', () => {
    expect(new UsageError('m', { code: 'INVALID_MANIFEST' }).exitCode).toBe(2);
    expect(new RejectedError('m', { code: 'VERSION_EXISTS' }).exitCode).toBe(1);
    // @ts-expect-error PUSH_FAILED is exit 1, not a usage error's 2
    expect(new UsageError('m', { code: 'PUSH_FAILED' }).code).toBe('PUSH_FAILED');
    // @ts-expect-error a code in no table is a typo until it is said to be relayed
    expect(new RejectedError('m', { code: 'VERSION_EXIST' }).code).toBe('VERSION_EXIST');
    expect(new RejectedError('m', { code: relayed('EACCES') }).code).toBe('EACCES');
  });
});

describe('PLATFORM_ERROR_CODES', () => {
  it.each(ERROR_CODES)(
    "%s answered by the platform is a CLI error of the code's exit code",
    (code) => {
      const error = platformError(
        {
          status: ERROR_STATUS[code],
          text: JSON.stringify({ code, message: 'the message', requestId: 'req-1' }),
          requestId: 'req-2',
        },
        'dev',
      );
      expect([error.exitCode, error.code, error.message, error.requestId]).toEqual([
        PLATFORM_ERROR_CODES[code],
        code,
        'the message',
        'req-1',
      ]);
    },
  );

  it('a code this CLI does not know is relayed as it came, at the exit code of its status', () => {
    const error = platformError(
      {
        status: 403,
        text: JSON.stringify({ code: 'QUOTA_EXCEEDED', message: 'no' }),
        requestId: 'r',
      },
      'dev',
    );
    expect([error.exitCode, error.code]).toEqual([ExitCode.rejected, 'QUOTA_EXCEEDED']);
  });
});

describe('toCliError', () => {
  it.each([
    new KeysExistError('/keys'),
    new KeysNotFoundError('/keys'),
    new KeyFormatError('not a PEM key'),
    new KeyFilePermissionError('/keys/private.pem', 0o644),
    new KeyMismatchError('/keys/public.pem'),
    new InvalidStatementError('digest', 'not a digest'),
    new CanonicalizationError('/a', 'a lone surrogate'),
  ])('a signing error ($code) is a usage error with its code and words', (error) => {
    const known = toCliError(error);
    expect(known).toBeInstanceOf(UsageError);
    expect([known?.code, known?.message, known?.hint, known?.cause]).toEqual([
      error.code,
      error.message,
      undefined,
      error,
    ]);
  });

  it('an invalid reference is INVALID_IMAGE_REF, said about what the call site names', () => {
    let error: unknown;
    try {
      parseImageReference('Your-Org/x:1');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidReferenceError);
    const known = toCliError(error, { about: '--tag', hint: 'use ghcr.io/your-org/x:1' });
    expect(known).toBeInstanceOf(UsageError);
    expect(known?.code).toBe('INVALID_IMAGE_REF');
    expect(known?.message).toBe(`--tag: ${(error as Error).message}`);
    expect(known?.hint).toBe('use ghcr.io/your-org/x:1');
    expect(toCliError(error)?.message).toBe((error as Error).message);
  });

  it('a broken Docker config or credential helper is a usage error with the fix', () => {
    const fix =
      'fix the Docker config (DOCKER_CONFIG, else ~/.docker/config.json), or log in again with `docker login`';
    const config = toCliError(new DockerConfigError('/home/u/.docker/config.json', 'not JSON'));
    const helper = toCliError(new CredentialHelperError('desktop', 'not found', { missing: true }));
    expect([config?.exitCode, config?.code, config?.hint]).toEqual([
      2,
      'DOCKER_CONFIG_INVALID',
      fix,
    ]);
    expect([helper?.exitCode, helper?.code, helper?.hint]).toEqual([
      2,
      'CREDENTIAL_HELPER_FAILED',
      fix,
    ]);
    expect(toCliError(new DockerConfigError('c', 'r'), { hint: 'another fix' })?.hint).toBe(
      'another fix',
    );
  });

  it.each([
    ['unavailable', ExitCode.unavailable],
    ['unauthorized', ExitCode.rejected],
    ['forbidden', ExitCode.rejected],
    ['not_found', ExitCode.rejected],
    ['digest_mismatch', ExitCode.rejected],
    ['too_large', ExitCode.rejected],
    ['invalid_response', ExitCode.rejected],
    ['refused', ExitCode.rejected],
  ] as const)(
    'a registry error %s is REGISTRY_<code>, exit %i',
    (code: RegistryErrorCode, exitCode) => {
      const known = toCliError(new RegistryError(code, 'the registry said so'), {
        about: 'registry.test',
      });
      expect([known?.exitCode, known?.code, known?.message]).toEqual([
        exitCode,
        `REGISTRY_${code.toUpperCase()}`,
        'registry.test: the registry said so',
      ]);
    },
  );

  it('is the CLI error itself, and nothing for anything else (a bug)', () => {
    const usage = new UsageError('m');
    expect(toCliError(usage, { about: 'ignored' })).toBe(usage);
    expect(toCliError(new Error('a bug'))).toBeUndefined();
    expect(toCliError('a string')).toBeUndefined();
  });
});
