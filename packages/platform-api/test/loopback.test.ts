import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../src/loopback.js';

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.0.0.2',
    '127.255.255.254',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
    '[::ffff:7f00:1]',
    'localhost',
    'LOCALHOST.',
  ])('counts %s as this machine', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    '128.0.0.1',
    '0.0.0.0',
    '[::]',
    'example.com',
    'localhost.example.com',
    '127.0.0.256',
    '127.0.0',
    '::ffff:10.0.0.1',
    'fe80::1',
    'unknown',
  ])('does not count %s', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});
