import { describe, expect, it } from 'vitest';
import { challengeScopes } from '../src/challenge.js';
import { parseAuthenticateHeader, selectChallenge } from '../src/index.js';

const asObject = (header: string) =>
  parseAuthenticateHeader(header).map(({ scheme, params }) => ({
    scheme,
    params: Object.fromEntries(params),
  }));

describe('parseAuthenticateHeader', () => {
  it('reads a Bearer challenge with realm, service and scope', () => {
    expect(
      asObject(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:samalba/my-app:pull,push',
        },
      },
    ]);
  });

  it('reads a Basic challenge', () => {
    expect(asObject('Basic realm="hla-compass-test"')).toEqual([
      { scheme: 'basic', params: { realm: 'hla-compass-test' } },
    ]);
  });

  it('lowercases schemes and parameter names, not values', () => {
    expect(asObject('BEARER Realm="https://A/Token", SERVICE=Reg')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://A/Token', service: 'Reg' } },
    ]);
  });

  it('reads several challenges joined by commas, as fetch joins repeated headers', () => {
    const challenges = asObject(
      'Negotiate, Basic realm="r1", Bearer realm="https://t/token",service="s"',
    );
    expect(challenges.map((c) => c.scheme)).toEqual(['negotiate', 'basic', 'bearer']);
    expect(challenges[2]?.params).toEqual({ realm: 'https://t/token', service: 's' });
  });

  it('keeps commas and escaped quotes inside quoted values', () => {
    expect(asObject('Bearer realm="https://a/t?x=1,2",error="say \\"no\\""')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://a/t?x=1,2', error: 'say "no"' } },
    ]);
  });

  it('skips a token68 after a scheme', () => {
    expect(asObject('Negotiate abc+def==, Bearer realm="r"').map((c) => c.scheme)).toEqual([
      'negotiate',
      'bearer',
    ]);
  });

  it('allows whitespace around "="', () => {
    expect(asObject('Bearer realm = "r" , service = s')).toEqual([
      { scheme: 'bearer', params: { realm: 'r', service: 's' } },
    ]);
  });

  it('keeps the first of repeated parameters', () => {
    expect(
      asObject('Bearer realm="https://good/token",realm="https://evil/token"')[0]?.params.realm,
    ).toBe('https://good/token');
  });

  it('stops at an unterminated quoted value', () => {
    expect(asObject('Basic realm="a", Bearer realm="never closed')).toEqual([
      { scheme: 'basic', params: { realm: 'a' } },
      { scheme: 'bearer', params: {} },
    ]);
  });

  it('reads nothing from an empty header', () => {
    expect(parseAuthenticateHeader('')).toEqual([]);
    expect(parseAuthenticateHeader(' , ')).toEqual([]);
  });
});

describe('selectChallenge', () => {
  it('takes the first Basic or Bearer challenge', () => {
    expect(
      selectChallenge(parseAuthenticateHeader('Negotiate, Bearer realm="r", Basic realm="b"'))
        ?.scheme,
    ).toBe('bearer');
    expect(selectChallenge(parseAuthenticateHeader('Digest realm="x"'))).toBeUndefined();
  });

  it('splits the scope parameter on spaces', () => {
    const [challenge] = parseAuthenticateHeader(
      'Bearer realm="r",scope="repository:a:pull  repository:b:pull,push"',
    );
    expect(challenge && challengeScopes(challenge)).toEqual([
      'repository:a:pull',
      'repository:b:pull,push',
    ]);
  });
});
