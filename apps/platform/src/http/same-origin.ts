// The Host and Origin rules that keep web pages out: a page the user visits can make the browser
// send requests to loopback (the socket peer is then loopback too), but it cannot make the
// browser send our own origin, and a DNS-rebinding name never arrives as a loopback Host. In a
// container the emulator is also reached by names the operator lists (a compose service, a CI
// service alias, a published port): those are accepted too, exactly, and nothing else.
import { PlatformError } from '@hla-compass/platform-api';
import { isLoopbackHost } from '@hla-compass/platform-api/loopback';
import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '[::]']);

/** `host[:port]` as the URL parser normalizes it (lowercase, IPv4 spellings), or undefined. */
function parseAuthority(authority: string): URL | undefined {
  let parsed: URL;
  try {
    parsed = new URL(`http://${authority}`);
  } catch {
    return undefined;
  }
  // `user@host` or a path smuggled into the header is no authority of ours.
  if (parsed.username !== '' || parsed.password !== '' || parsed.host !== authority.toLowerCase()) {
    return undefined;
  }
  return parsed;
}

/**
 * An `--allowed-host` entry as it is compared: `name` (then with the emulator's port) or
 * `name:port`, normalized; undefined when it is no host name or address.
 */
export function normalizeAllowedHost(entry: string, port: number): string | undefined {
  const parsed = parseAuthority(entry.trim());
  if (parsed === undefined || parsed.hostname === '' || WILDCARD_HOSTS.has(parsed.hostname)) {
    return undefined;
  }
  return parsed.port === '' ? `${parsed.hostname}:${port}` : parsed.host;
}

const portOf = (url: URL) => url.port || '80';

/**
 * Whether `authority` (a Host header, or the host:port of an Origin) names this emulator: a
 * loopback name or address, or the address it was told to listen on, with its port; or one of
 * the `allowed` authorities (`host:port`, normalized), a loopback one standing for every
 * loopback name at its port.
 */
export function isOwnAuthority(
  authority: string,
  self: URL,
  allowed: readonly string[] = [],
): boolean {
  const parsed = parseAuthority(authority);
  if (parsed === undefined) return false;
  const own = [self, ...allowed.map((entry) => new URL(`http://${entry}`))];
  return own.some(
    (name) =>
      portOf(parsed) === portOf(name) &&
      ((parsed.hostname === name.hostname && !WILDCARD_HOSTS.has(name.hostname)) ||
        (isLoopbackHost(parsed.hostname) && (name === self || isLoopbackHost(name.hostname)))),
  );
}

/** Whether an Origin header names this emulator (`null`, sent by sandboxed and opaque origins, does not). */
export function isOwnOrigin(origin: string, self: URL, allowed: readonly string[] = []): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'http:' &&
    parsed.origin === origin &&
    isOwnAuthority(parsed.host, self, allowed)
  );
}

/**
 * What startPlatform's listener adds to the bindings of every request: the authorities besides
 * its own URL that the emulator is reached by (`--allowed-host`, the local address behind a
 * `--public-url`), normalized.
 */
export interface AllowedHostsBinding {
  readonly allowedHosts?: readonly string[];
}

/**
 * Refuses, before any route runs, a request whose Host is not ours (DNS rebinding: a foreign
 * name that resolves to 127.0.0.1) or whose Origin is present and not ours (a cross-site page).
 * The CLI and the Python SDK send a loopback Host and no Origin, and pass. `selfUrl` is read per
 * request: with `--port 0` the port is known only once the server listens.
 */
export function sameOrigin(selfUrl: () => string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const self = new URL(selfUrl());
    const allowed = (c.env as HttpBindings & AllowedHostsBinding).allowedHosts ?? [];
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!isOwnAuthority(host, self, allowed)) {
      const others = allowed.length === 0 ? '' : `, ${allowed.join(', ')}`;
      throw new PlatformError(
        'FORBIDDEN',
        `Forbidden: Host "${host.slice(0, 100)}" is not this emulator (${self.host} or another loopback name with port ${self.port}${others}); a foreign name resolving to loopback is refused against DNS rebinding. A name the emulator is reached by in a container goes in --allowed-host or HLA_COMPASS_PLATFORM_ALLOWED_HOSTS`,
      );
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && !isOwnOrigin(origin, self, allowed)) {
      throw new PlatformError(
        'FORBIDDEN',
        `Forbidden: requests from another origin (${origin.slice(0, 100)}) are refused; a web page may not call the emulator`,
      );
    }
    await next();
  };
}
