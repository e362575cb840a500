// The Host and Origin rules that keep web pages out: a page the user visits can make the browser
// send requests to loopback (the socket peer is then loopback too), but it cannot make the
// browser send our own origin, and a DNS-rebinding name never arrives as a loopback Host.
import { PlatformError } from '@hla-compass/platform-api';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '[::]']);

function isLoopbackHostname(hostname: string): boolean {
  // The URL parser has already normalized IPv4 spellings (127.1, 0x7f.0.0.1) to dotted quads.
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Whether `authority` (a Host header, or the host:port of an Origin) names this emulator: a
 * loopback name or address, or the address it was told to listen on, with its port.
 */
export function isOwnAuthority(authority: string, self: URL): boolean {
  let parsed: URL;
  try {
    parsed = new URL(`http://${authority}`);
  } catch {
    return false;
  }
  // `user@host` or a path smuggled into the header is no authority of ours.
  if (parsed.username !== '' || parsed.password !== '' || parsed.host !== authority.toLowerCase()) {
    return false;
  }
  if ((parsed.port || '80') !== (self.port || '80')) return false;
  return (
    isLoopbackHostname(parsed.hostname) ||
    (parsed.hostname === self.hostname && !WILDCARD_HOSTS.has(self.hostname))
  );
}

/** Whether an Origin header names this emulator (`null`, sent by sandboxed and opaque origins, does not). */
export function isOwnOrigin(origin: string, self: URL): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'http:' && parsed.origin === origin && isOwnAuthority(parsed.host, self)
  );
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
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!isOwnAuthority(host, self)) {
      throw new PlatformError(
        'FORBIDDEN',
        `Forbidden: Host "${host.slice(0, 100)}" is not this emulator (${self.host} or another loopback name with port ${self.port}); a foreign name resolving to loopback is refused against DNS rebinding`,
      );
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && !isOwnOrigin(origin, self)) {
      throw new PlatformError(
        'FORBIDDEN',
        `Forbidden: requests from another origin (${origin.slice(0, 100)}) are refused; a web page may not call the emulator`,
      );
    }
    await next();
  };
}
