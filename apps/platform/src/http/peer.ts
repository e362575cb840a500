// The addresses of a connection, read from the socket (never from headers a client can forge):
// the peer's, and ours that it arrived at.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AppEnv } from './app-env.js';

export function peerAddress(c: Context<AppEnv>): string {
  return getConnInfo(c).remote.address ?? 'unknown';
}

export function isLoopbackAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * The address of ours the connection arrived at: loopback for a listener on 127.0.0.1, the
 * container's own address for one on 0.0.0.0 reached through a published port or a network.
 */
export function localAddress(c: Context<AppEnv>): string {
  return c.env.incoming?.socket?.localAddress ?? 'unknown';
}
