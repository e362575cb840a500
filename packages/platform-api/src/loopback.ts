// Whether a host is this machine: the one rule for plain HTTP (CLI base URLs), trusted peers and
// listeners (emulator) and where a sign-in may redirect (PKCE). Zod-free, so the CLI can load it
// at start-up through `@hla-compass/platform-api/loopback`.

/**
 * True for `localhost` and every loopback address, written as a URL hostname (`[::1]`), a socket
 * address (`::1`, `::ffff:127.0.0.1`) or a listen address: any of 127.0.0.0/8, `::1`, IPv4 mapped
 * into IPv6; case and a trailing root dot (`LOCALHOST.`) do not matter. False for `0.0.0.0`,
 * which listens everywhere, and for every other name, which DNS could point anywhere.
 */
export function isLoopbackHost(host: string): boolean {
  let name = host.toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === 'localhost' || name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^(?:::|0:0:0:0:0:)ffff:(.+)$/.exec(name)?.[1];
  if (mapped !== undefined && /^[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(mapped)) {
    // The URL parser writes `[::ffff:127.0.0.1]` as `[::ffff:7f00:1]`: 7f is the first octet.
    return Number.parseInt(mapped.split(':')[0] ?? '', 16) >> 8 === 0x7f;
  }
  return isLoopbackIPv4(mapped ?? name);
}

/** A dotted quad in 127.0.0.0/8, in the normalized spelling (no leading zeros, each octet ≤ 255). */
function isLoopbackIPv4(address: string): boolean {
  const octets = address.split('.');
  return (
    octets.length === 4 &&
    octets[0] === '127' &&
    octets.every((octet) => /^(?:0|[1-9][0-9]{0,2})$/.test(octet) && Number(octet) <= 255)
  );
}
