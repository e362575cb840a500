import { describe, expect, it } from 'vitest';
import { realmProblem, registryEndpoint } from '../src/index.js';
import { parseTokenResponse, TokenCache } from '../src/token.js';

describe('realmProblem: who may receive credentials', () => {
  const ghcr = registryEndpoint('ghcr.io');
  const local = registryEndpoint('127.0.0.1:5000');
  const hub = registryEndpoint('docker.io');

  it.each([
    [ghcr, 'https://ghcr.io/token', []],
    [ghcr, 'https://GHCR.io:443/token?x=1', []],
    [local, 'http://127.0.0.1:5000/token', []],
    [local, 'https://127.0.0.1:5000/token', []],
    [hub, 'https://auth.docker.io/token', ['auth.docker.io']],
    [registryEndpoint('registry.gitlab.com'), 'https://gitlab.com/jwt/auth', ['gitlab.com']],
  ] as const)('%o may send to %s', (endpoint, realm, trusted) => {
    expect(realmProblem(realm, endpoint, trusted)).toBeUndefined();
  });

  it.each([
    [ghcr, 'https://ghcr.io.evil.com/token', [], /is not the registry's host/],
    [ghcr, 'https://evil.com/token', [], /is not the registry's host/],
    [ghcr, 'https://ghcr.io:8443/token', [], /is not the registry's host/],
    [ghcr, 'http://ghcr.io/token', [], /plain HTTP/],
    [ghcr, 'https://169.254.169.254/latest/meta-data', [], /is not the registry's host/],
    [ghcr, 'https://user:pw@ghcr.io/token', [], /userinfo/],
    [ghcr, 'file:///etc/passwd', [], /not https/],
    [ghcr, '/token', [], /not an absolute URL/],
    [local, 'http://127.0.0.1:5001/token', [], /plain HTTP/],
    [local, 'https://127.0.0.1:5001/token', [], /is not the registry's host/],
    [local, 'http://localhost:5000/token', [], /plain HTTP/],
    [
      hub,
      'https://auth.docker.io.evil.com/token',
      ['auth.docker.io'],
      /is not the registry's host/,
    ],
    [
      registryEndpoint('registry.gitlab.com'),
      'http://gitlab.com/jwt/auth',
      ['gitlab.com'],
      /plain HTTP/,
    ],
  ] as const)('%o refuses %s', (endpoint, realm, trusted, problem) => {
    expect(realmProblem(realm, endpoint, trusted)).toMatch(problem);
  });
});

describe('parseTokenResponse', () => {
  it('reads token, or access_token, with expires_in', () => {
    expect(parseTokenResponse('{"token":"t","expires_in":300}')).toEqual({
      token: 't',
      expiresInSeconds: 300,
    });
    expect(parseTokenResponse('{"access_token":"a"}')).toEqual({
      token: 'a',
      expiresInSeconds: 60,
    });
    expect(parseTokenResponse('{"token":"","access_token":"a","expires_in":-5}')).toEqual({
      token: 'a',
      expiresInSeconds: 60,
    });
  });

  it('finds nothing in a body without a token', () => {
    expect(parseTokenResponse('{"expires_in":300}')).toBeUndefined();
    expect(parseTokenResponse('{"token":42}')).toBeUndefined();
    expect(parseTokenResponse('<html>')).toBeUndefined();
    expect(parseTokenResponse('["token"]')).toBeUndefined();
  });
});

describe('TokenCache', () => {
  it('forgets a token before it expires', () => {
    let now = 1_000_000;
    const cache = new TokenCache(() => now);
    cache.set('k', { token: 't', expiresInSeconds: 60 }, now);
    now += 53_000;
    expect(cache.get('k')).toBe('t');
    now += 1_000;
    expect(cache.get('k')).toBeUndefined();
  });

  it('counts the lifetime from when the token was asked for', () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    cache.set('k', { token: 't', expiresInSeconds: 300 }, -280_000);
    expect(cache.get('k')).toBeUndefined();
    now = 0;
    cache.set('k2', { token: 't2', expiresInSeconds: 3600 }, 0);
    now = 3_569_999;
    expect(cache.get('k2')).toBe('t2');
    now = 3_570_000;
    expect(cache.get('k2')).toBeUndefined();
  });
});
