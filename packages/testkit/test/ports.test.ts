import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, onFreePort, PortInUseError } from '../src/index.js';

describe('free ports', () => {
  it('picks a loopback port that can be bound', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });

  it('starts again on another port when the first one was taken', async () => {
    const tried: number[] = [];
    const result = await onFreePort(async (port) => {
      tried.push(port);
      if (tried.length < 3) throw new PortInUseError(port);
      return port;
    });
    expect(tried).toHaveLength(3);
    expect(result).toBe(tried[2]);
  });

  it('gives up after the last attempt, and never retries other errors', async () => {
    await expect(
      onFreePort(async (port) => Promise.reject(new PortInUseError(port)), 2),
    ).rejects.toThrow(PortInUseError);
    let calls = 0;
    await expect(
      onFreePort(async () => {
        calls++;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });
});
