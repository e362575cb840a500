// Registry allowlist matching (SPEC §7): a pattern is a normalized repository, optionally
// ending in `/*`, matched against the normalized repository by whole path segments.
import { type ImageReference, InvalidReferenceError, parseImageReference } from './reference.js';

export class InvalidAllowlistPatternError extends Error {
  readonly code = 'INVALID_ALLOWLIST_PATTERN';

  constructor(pattern: string, reason: string) {
    super(`invalid allowlist pattern "${pattern.slice(0, 300)}": ${reason}`);
    this.name = 'InvalidAllowlistPatternError';
  }
}

export interface AllowlistPattern {
  /** The normalized repository the pattern names, without `/*`. */
  readonly repository: string;
  /** True for `repository/*`: every repository strictly below it matches. */
  readonly wildcard: boolean;
}

const WILDCARD_SUFFIX = '/*';

/** `your-org/*` means the namespace docker.io/your-org, as `your-org/x` would: not docker.io/library/your-org. */
function namespaceOf(base: string, parsed: ImageReference): string {
  try {
    return parseImageReference(`${base}/x`).repository.slice(0, -'/x'.length);
  } catch {
    return parsed.repository;
  }
}

/**
 * Validates a pattern. It must already be in normalized form (`docker.io/library/ubuntu`, not
 * `ubuntu`; lowercase host) so that what an admin reads is exactly what is matched.
 */
export function parseAllowlistPattern(pattern: string): AllowlistPattern {
  const wildcard = pattern.endsWith(WILDCARD_SUFFIX);
  const base = wildcard ? pattern.slice(0, -WILDCARD_SUFFIX.length) : pattern;
  if (base.includes('*')) {
    throw new InvalidAllowlistPatternError(pattern, "'*' may only appear as a final '/*'");
  }
  if (!base.includes('/') && (base === 'localhost' || /[.:]/.test(base))) {
    throw new InvalidAllowlistPatternError(
      pattern,
      'a pattern names a namespace below the registry host (e.g. ghcr.io/your-org/*), never a whole registry',
    );
  }
  let parsed: ImageReference;
  try {
    parsed = parseImageReference(base);
  } catch (error) {
    if (error instanceof InvalidReferenceError) {
      throw new InvalidAllowlistPatternError(pattern, error.message);
    }
    throw error;
  }
  if (parsed.tag !== undefined || parsed.digest !== undefined) {
    throw new InvalidAllowlistPatternError(
      pattern,
      'a pattern names a repository, without tag or digest',
    );
  }
  // A wildcard's base is a namespace, not a repository: read alone, `docker.io/some-org` would be
  // the repository docker.io/library/some-org, so a namespace is normalized as the parent of a
  // repository below it. The form accepted is then the very text the hint suggests.
  const normalized = wildcard ? namespaceOf(base, parsed) : parsed.repository;
  if (normalized !== base) {
    const suggestion = wildcard ? `${normalized}${WILDCARD_SUFFIX}` : normalized;
    throw new InvalidAllowlistPatternError(
      pattern,
      `a pattern is a normalized repository with its registry host; write "${suggestion}"`,
    );
  }
  return Object.freeze({ repository: normalized, wildcard });
}

function repositoryOf(value: string | ImageReference): string | undefined {
  if (typeof value !== 'string') return value.repository;
  try {
    return parseImageReference(value).repository;
  } catch (error) {
    if (error instanceof InvalidReferenceError) return undefined;
    throw error;
  }
}

/**
 * Whether `repositoryOrReference` (a string is parsed and normalized first; an invalid one
 * never matches) is allowed by `pattern`. Throws InvalidAllowlistPatternError for a bad pattern.
 */
export function matchesAllowlist(
  pattern: string,
  repositoryOrReference: string | ImageReference,
): boolean {
  const { repository: allowed, wildcard } = parseAllowlistPattern(pattern);
  const repository = repositoryOf(repositoryOrReference);
  if (repository === undefined) return false;
  return wildcard ? repository.startsWith(`${allowed}/`) : repository === allowed;
}

/** The first entry whose pattern allows the reference, or undefined. */
export function findAllowlistMatch<Entry extends { readonly pattern: string }>(
  entries: readonly Entry[],
  reference: string | ImageReference,
): Entry | undefined {
  return entries.find((entry) => matchesAllowlist(entry.pattern, reference));
}
