// Failures of registry operations as typed values: the same codes as the outcomes of
// resolveManifest, plus the protocol violations that must never pass as success.

/** Why a registry answered 401: nothing was sent, what was sent was refused, or we refused. */
export type UnauthorizedReason = 'no_credentials' | 'credentials_rejected' | 'realm_refused';

export type RegistryErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'unavailable'
  /** A body whose digest is not the one asked for or announced. */
  | 'digest_mismatch'
  /** A body over the size cap. */
  | 'too_large'
  /** An answer that breaks the Distribution API (missing Location, unknown media type, …). */
  | 'invalid_response'
  /** A redirect or upload location to another host, which the client will not follow. */
  | 'refused';

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  readonly reason?: UnauthorizedReason;

  constructor(code: RegistryErrorCode, message: string, reason?: UnauthorizedReason) {
    super(message);
    this.name = 'RegistryError';
    this.code = code;
    if (reason !== undefined) this.reason = reason;
  }
}
