// The addresses of a connection, read from the socket (never from headers a client can forge):
// the peer's, and ours that it arrived at.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AppEnv } from './app-env.js';

export function peerAddress(c: Context<AppEnv>): string {
  return getConnInfo(c).remote.address ?? 'unknown';
}

/**
 * The address of ours the connection arrived at: loopback for a listener on 127.0.0.1, the
 * container's own address for one on 0.0.0.0 reached through a published port or a network.
 */
export function localAddress(c: Context<AppEnv>): string {
  return c.env.incoming?.socket?.localAddress ?? 'unknown';
}
