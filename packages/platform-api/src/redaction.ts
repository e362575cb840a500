// What may be echoed back: user input quoted in an error, a log line or a detail goes through
// `redactSecrets` first, so that no output carries a URL's or reference's userinfo, a Bearer or
// Basic credential, or one of the platform's tokens (`hlc_at_…`, `hlc_rt_…`, `hlc_ak_…`, `hlc_code_…`).

/** Stands for what was removed. */
const REDACTED = '***';

/** Any userinfo of a URL (`https://user:password@host`, `https://token@host`). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/**
 * `user:password@host/…` at the start of a word, before the first `/` (an image reference with
 * credentials, as a user might paste it). Needs the colon, so that an email address stays; not
 * when `@` is followed by a digest (`name:tag@sha256:…` is a reference, not credentials).
 */
const REFERENCE_USERINFO =
  /(^|[\s"'`(<[=,])[^\s/"'`@:]*:[^\s/"'`]*@(?![a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-f0-9]{32,})/gi;

/** `Authorization` values; 8 characters at least, so that prose ("Bearer token") stays. */
const AUTHORIZATION = /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi;

/** The platform's bearer secrets (apps/platform/src/services/secrets.ts), prefix kept. */
const PLATFORM_TOKEN = /\b(hlc_(?:at|rt|ak|code)_)[A-Za-z0-9_-]+/g;

export function redactSecrets(text: string): string {
  return text
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(REFERENCE_USERINFO, `$1${REDACTED}@`)
    .replace(AUTHORIZATION, `$1$2${REDACTED}`)
    .replace(PLATFORM_TOKEN, `$1${REDACTED}`);
}

/** `redactSecrets` over every string of a JSON-like value (error details), keys included. */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map(redactValue) as T;
  if (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [redactSecrets(key), redactValue(entry)]),
    ) as T;
  }
  return value;
}
