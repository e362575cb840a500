// Image references by the distribution reference grammar, normalized the way Docker does
// (docker.io default, library/ prefix, lowercase host) and refused with the rule they break.
import { digestProblem } from './digest.js';

export const DOCKER_HUB_REGISTRY = 'docker.io';
const LEGACY_DOCKER_HUB_REGISTRY = 'index.docker.io';
const OFFICIAL_REPOSITORY_PREFIX = 'library';
const MAX_REFERENCE_LENGTH = 1024;
const MAX_PATH_LENGTH = 255;
const MAX_TAG_LENGTH = 128;

/** The rule of the grammar an input breaks; stable, so callers may branch on it. */
export type ReferenceRule =
  | 'empty'
  | 'too-long'
  | 'non-ascii'
  | 'whitespace'
  | 'scheme'
  | 'userinfo'
  | 'multiple-digests'
  | 'digest'
  | 'tag'
  | 'tag-length'
  | 'identifier'
  | 'empty-component'
  | 'dot-segment'
  | 'host'
  | 'port'
  | 'host-not-canonical'
  | 'uppercase'
  | 'path-component'
  | 'path-length';

/**
 * A reference that breaks the grammar. The message names the rule and never repeats the
 * whole input, which may carry userinfo (`user:password@host/…`).
 */
export class InvalidReferenceError extends Error {
  readonly code = 'INVALID_IMAGE_REF';
  readonly rule: ReferenceRule;

  constructor(rule: ReferenceRule, reason: string) {
    super(`invalid image reference: ${reason}`);
    this.name = 'InvalidReferenceError';
    this.rule = rule;
  }
}

export interface ImageReference {
  /** Lowercase `host[:port]`; `docker.io` for Docker Hub. */
  readonly registry: string;
  /** The repository path below the registry, e.g. `your-org/my-module`, `library/ubuntu`. */
  readonly path: string;
  /** `registry/path`, the normalized repository allowlists and signatures name. */
  readonly repository: string;
  /** Absent when the input had none, or when a digest was given too (the digest wins). */
  readonly tag?: string;
  readonly digest?: string;
  /** `repository[:tag][@digest]`. */
  toString(): string;
  /**
   * The same repository pinned to `digest` (`registry/path@digest`), without the tag, as the
   * parser keeps only the digest of `name:tag@digest`. Throws InvalidReferenceError for a
   * string that is not a digest.
   */
  atDigest(digest: string): ImageReference;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]*$/;
const IDENTIFIER = /^[a-f0-9]{64}$/;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const IPV6_HOST = /^\[[0-9a-f:]+\]$/i;
const PORT = /^[1-9][0-9]{0,4}$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

function fail(rule: ReferenceRule, reason: string): never {
  throw new InvalidReferenceError(rule, reason);
}

/** Splits `host[:port]`, leaving an IPv6 literal in its brackets. */
export function splitHostPort(registry: string): { hostname: string; port?: string } {
  const colon = registry.lastIndexOf(':');
  if (colon === -1 || registry.lastIndexOf(']') > colon) return { hostname: registry };
  return { hostname: registry.slice(0, colon), port: registry.slice(colon + 1) };
}

/**
 * Validates and normalizes a registry `host[:port]`: lowercase, canonical as URL parsers read
 * it (so `127.1` or `0x7f.0.0.1` cannot pose as another address), port 1–65535.
 */
export function normalizeRegistryHost(value: string): string {
  const { hostname, port } = splitHostPort(value);
  if (port !== undefined && !(PORT.test(port) && Number(port) <= 65535)) {
    fail('port', 'a registry port is a number from 1 to 65535 without leading zeros');
  }
  if (hostname.startsWith('[')) {
    if (!IPV6_HOST.test(hostname)) fail('host', 'an IPv6 registry host is hex digits and colons');
  } else if (
    hostname.length === 0 ||
    hostname.length > 253 ||
    !hostname.split('.').every((label) => label.length <= 63 && HOST_LABEL.test(label))
  ) {
    fail(
      'host',
      'a registry host is dot-separated labels of letters, digits and inner hyphens, with an optional :port',
    );
  }
  const lower = hostname.toLowerCase();
  let parsed: string;
  try {
    parsed = new URL(`http://${lower}/`).hostname;
  } catch {
    fail('host', `registry host "${lower}" is not a valid host name or IP address`);
  }
  if (parsed !== lower) {
    fail(
      'host-not-canonical',
      `registry host "${lower}" is not in canonical form (URL parsers read it as "${parsed}")`,
    );
  }
  return port === undefined ? lower : `${lower}:${port}`;
}

function splitDigest(input: string): { name: string; digest?: string } {
  const parts = input.split('@');
  if (parts.length > 2) fail('multiple-digests', "a reference has at most one '@digest'");
  const [name = '', digest] = parts;
  if (digest === undefined) return { name };
  // `user@host/x` and `ghcr.io@evil.com/x` put the '@' before any '/': userinfo, not a digest.
  if (!name.includes('/') && digest.includes('/')) {
    fail(
      'userinfo',
      "a reference must not contain userinfo ('user@host'); name the registry host alone",
    );
  }
  const problem = digest === '' ? "'@' must be followed by a digest" : digestProblem(digest);
  if (problem !== undefined) fail('digest', problem);
  return { name, digest };
}

function splitTag(input: string): { name: string; tag?: string } {
  const colon = input.lastIndexOf(':');
  if (colon === -1 || colon < input.lastIndexOf('/')) return { name: input };
  const tag = input.slice(colon + 1);
  if (tag === '') fail('tag', "':' must be followed by a tag");
  if (tag.length > MAX_TAG_LENGTH) {
    fail('tag-length', `a tag has at most ${MAX_TAG_LENGTH} characters, not ${tag.length}`);
  }
  if (!TAG.test(tag)) {
    fail(
      'tag',
      "a tag is letters, digits, '_', '.' and '-', and starts with a letter, digit or '_'",
    );
  }
  return { name: input.slice(0, colon), tag };
}

function splitRegistry(components: string[]): { registry: string; path: string[] } {
  const [first, ...rest] = components;
  if (first === undefined) fail('empty', 'the repository name is empty');
  const isHost = rest.length > 0 && (first === 'localhost' || /[.:]/.test(first));
  if (!isHost) return { registry: DOCKER_HUB_REGISTRY, path: components };
  const registry = normalizeRegistryHost(first);
  return {
    registry: registry === LEGACY_DOCKER_HUB_REGISTRY ? DOCKER_HUB_REGISTRY : registry,
    path: rest,
  };
}

function checkPathComponent(component: string): void {
  // Uppercase is named only when it is the one thing wrong (as distribution does).
  if (/[A-Z]/.test(component) && PATH_COMPONENT.test(component.toLowerCase())) {
    fail('uppercase', `repository path must be lowercase ("${component}")`);
  }
  if (!PATH_COMPONENT.test(component)) {
    fail(
      'path-component',
      `path component "${component}" must be lowercase letters and digits joined by '.', '_', '__' or '-'`,
    );
  }
}

export function imageReference(parts: {
  registry: string;
  path: string;
  tag?: string | undefined;
  digest?: string | undefined;
}): ImageReference {
  const repository = `${parts.registry}/${parts.path}`;
  const text =
    repository +
    (parts.tag === undefined ? '' : `:${parts.tag}`) +
    (parts.digest === undefined ? '' : `@${parts.digest}`);
  return Object.freeze({
    registry: parts.registry,
    path: parts.path,
    repository,
    ...(parts.tag === undefined ? {} : { tag: parts.tag }),
    ...(parts.digest === undefined ? {} : { digest: parts.digest }),
    toString: () => text,
    atDigest: (digest: string) => {
      const problem = digestProblem(digest);
      if (problem !== undefined) fail('digest', problem);
      return imageReference({ registry: parts.registry, path: parts.path, digest });
    },
  });
}

/**
 * Parses and normalizes `[host[:port]/]path[:tag][@digest]`. `ubuntu` becomes
 * `docker.io/library/ubuntu`; `name:tag@digest` keeps only the digest. Throws
 * InvalidReferenceError naming the broken rule.
 */
export function parseImageReference(input: string): ImageReference {
  if (input.length === 0) fail('empty', 'the reference is empty');
  if (input.length > MAX_REFERENCE_LENGTH) {
    fail('too-long', `a reference has at most ${MAX_REFERENCE_LENGTH} characters`);
  }
  if (/[\s\p{Cc}]/u.test(input)) {
    fail('whitespace', 'a reference must not contain whitespace or control characters');
  }
  if (/[^\x21-\x7e]/.test(input)) {
    fail('non-ascii', 'a reference is ASCII; write internationalized hosts in punycode (xn--…)');
  }
  if (SCHEME.test(input)) {
    fail('scheme', 'a reference has no URL scheme: drop the "https://" (or other) prefix');
  }
  const { name: withTag, digest } = splitDigest(input);
  const { name, tag } = splitTag(withTag);
  if (name === '') fail('empty', 'the repository name is empty');
  if (IDENTIFIER.test(name)) {
    fail('identifier', 'a repository name cannot be a 64-character hexadecimal string');
  }
  const components = name.split('/');
  if (components.some((component) => component === '')) {
    fail(
      'empty-component',
      "a repository has no empty path components (leading, trailing or doubled '/')",
    );
  }
  if (components.some((component) => component === '.' || component === '..')) {
    fail('dot-segment', "'.' and '..' are not path components");
  }
  const { registry, path } = splitRegistry(components);
  for (const component of path) checkPathComponent(component);
  const fullPath =
    registry === DOCKER_HUB_REGISTRY && path.length === 1
      ? `${OFFICIAL_REPOSITORY_PREFIX}/${path.join('/')}`
      : path.join('/');
  if (fullPath.length > MAX_PATH_LENGTH) {
    fail(
      'path-length',
      `a repository path has at most ${MAX_PATH_LENGTH} characters, not ${fullPath.length}`,
    );
  }
  return imageReference({
    registry,
    path: fullPath,
    tag: digest === undefined ? tag : undefined,
    digest,
  });
}

/** True for registries reached over loopback: `localhost`, 127.0.0.0/8 and `[::1]`, any port. */
export function isLoopbackRegistry(registry: string): boolean {
  const hostname = splitHostPort(registry).hostname.toLowerCase();
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  const octets = hostname.split('.');
  return (
    octets.length === 4 &&
    octets[0] === '127' &&
    octets.every((octet) => /^(?:0|[1-9][0-9]{0,2})$/.test(octet) && Number(octet) <= 255)
  );
}
