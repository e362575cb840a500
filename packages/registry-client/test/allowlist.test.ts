import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findAllowlistMatch,
  InvalidAllowlistPatternError,
  matchesAllowlist,
  parseAllowlistPattern,
  parseImageReference,
  registryEndpoint,
} from '../src/index.js';

const ORG = 'ghcr.io/your-org/*';
const MODULES = 'ghcr.io/your-org/hla-modules/*';
const LOCAL = '127.0.0.1:5000/your-org/*';
const LOCALHOST = 'localhost:5000/your-org/*';
const UBUNTU = 'docker.io/library/ubuntu';
const EXACT = 'ghcr.io/your-org/exact';
const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('matchesAllowlist allows what the pattern names', () => {
  it.each([
    [ORG, 'ghcr.io/your-org/x'],
    [ORG, 'ghcr.io/your-org/x:1.0.0'],
    [ORG, `ghcr.io/your-org/x@${DIGEST}`],
    [ORG, `ghcr.io/your-org/x:1.0.0@${DIGEST}`],
    [ORG, 'GHCR.IO/your-org/x'],
    [ORG, 'Ghcr.Io/your-org/a/b'],
    [ORG, 'ghcr.io/your-org/team/x'],
    [MODULES, 'ghcr.io/your-org/hla-modules/x'],
    [LOCAL, '127.0.0.1:5000/your-org/x'],
    [LOCALHOST, 'localhost:5000/your-org/x'],
    [LOCALHOST, 'LOCALHOST:5000/your-org/x'],
    [UBUNTU, 'ubuntu'],
    [UBUNTU, 'ubuntu:22.04'],
    [UBUNTU, 'docker.io/ubuntu'],
    [UBUNTU, 'library/ubuntu'],
    [UBUNTU, 'index.docker.io/library/ubuntu'],
    [EXACT, 'ghcr.io/your-org/exact:1'],
  ])('%s allows %s', (pattern, reference) => {
    expect(matchesAllowlist(pattern, reference)).toBe(true);
  });
});

describe('matchesAllowlist has no bypass', () => {
  const hostile: Array<[pattern: string, reference: string]> = [
    [ORG, 'ghcr.io/your-org'],
    [ORG, 'ghcr.io/your-org-evil/x'],
    [ORG, 'ghcr.io/your-orgx/x'],
    [ORG, 'ghcr.io/your-org.evil/x'],
    [ORG, 'ghcr.io/your-org_evil/x'],
    [ORG, 'ghcr.io/your-org__evil/x'],
    [ORG, 'ghcr.io.evil.com/your-org/x'],
    [ORG, 'ghcr.io-evil.com/your-org/x'],
    [ORG, 'evil.com/ghcr.io/your-org/x'],
    [ORG, 'ghcr.io@evil.com/your-org/x'],
    [ORG, 'evil@ghcr.io/your-org/x'],
    [ORG, 'user:pass@ghcr.io/your-org/x'],
    [ORG, 'ghcr.io:443/your-org/x'],
    [ORG, 'ghcr.io:8443/your-org/x'],
    [ORG, 'https://ghcr.io/your-org/x'],
    [ORG, '//ghcr.io/your-org/x'],
    [ORG, 'ghcr.io/your-org/../other/x'],
    [ORG, 'ghcr.io/your-org/./x'],
    [ORG, 'ghcr.io/your-org//x'],
    [ORG, 'ghcr.io//your-org/x'],
    [ORG, 'ghcr.io/your%2Dorg/x'],
    [ORG, 'ghcr.io/your-org%2Fx'],
    [ORG, 'ghcr.io/your-org/%2e%2e/other'],
    [ORG, 'ghcr.io%2Fyour-org/x'],
    [ORG, 'ghcr.io/Your-Org/x'],
    [ORG, 'your-org/x'],
    [ORG, 'ghcr.io'],
    [ORG, 'ghcr.io./your-org/x'],
    [ORG, 'xn--ghcr-9ua.io/your-org/x'],
    [ORG, 'ghcr.\u0456o/your-org/x'],
    [ORG, 'ghcr.io/your-org/x/'],
    [ORG, ' ghcr.io/your-org/x'],
    [ORG, 'ghcr.io/your-org/x\n'],
    [ORG, 'ghcr.io/your-org/x:tag\u0000'],
    [ORG, 'ghcr.io/your-org/*'],
    [ORG, 'ghcr.io/*/x'],
    [ORG, 'ghcr.io/your-org\\x'],
    [ORG, 'gcr.io/your-org/x'],
    [ORG, 'registry.ghcr.io/your-org/x'],
    [ORG, 'ghcr.io.localhost/your-org/x'],
    [ORG, 'ghcr.io/your-org/x@sha256:short'],
    [ORG, 'ghcr.io#@evil.com/your-org/x'],
    [MODULES, 'ghcr.io/your-org/hla-modules'],
    [MODULES, 'ghcr.io/your-org/hla-modules-evil/x'],
    [MODULES, 'ghcr.io/your-org/other/x'],
    [LOCAL, '127.0.0.2:5000/your-org/x'],
    [LOCAL, '127.0.0.1:5001/your-org/x'],
    [LOCAL, '127.0.0.1/your-org/x'],
    [LOCAL, '127.1:5000/your-org/x'],
    [LOCAL, '2130706433:5000/your-org/x'],
    [LOCAL, '0x7f.0.0.1:5000/your-org/x'],
    [LOCAL, 'localhost:5000/your-org/x'],
    [LOCAL, '[::1]:5000/your-org/x'],
    [LOCAL, '127.0.0.1:05000/your-org/x'],
    [LOCALHOST, 'localhost.evil.com:5000/your-org/x'],
    [UBUNTU, 'docker.io/library/ubuntu-evil'],
    [UBUNTU, 'docker.io/library/ubuntu/x'],
    [UBUNTU, 'evil/ubuntu'],
    [UBUNTU, 'library/ubuntu2'],
    [UBUNTU, 'registry-1.docker.io/library/ubuntu'],
    [UBUNTU, 'Ubuntu'],
    [EXACT, 'ghcr.io/your-org/exact/sub'],
    [EXACT, 'ghcr.io/your-org/exactly'],
  ];

  it.each(hostile)('%s refuses %j', (pattern, reference) => {
    expect(matchesAllowlist(pattern, reference)).toBe(false);
  });

  it('covers at least 40 hostile cases', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(40);
  });

  // Strings built from the pieces attacks are made of. Whatever matches must be a reference
  // whose requests go to https://ghcr.io and stay below /v2/your-org/.
  const piece = fc.constantFrom(
    'ghcr.io',
    'GHCR.IO',
    'ghcr.io.evil.com',
    'your-org',
    'your-org-evil',
    'evil',
    'x',
    '/',
    '.',
    '..',
    ':',
    '443',
    '@',
    '%2f',
    '%2e',
    '*',
    '\\',
    '#',
    '?',
    ' ',
    '_',
    '-',
    'docker.io',
    'library',
    'localhost',
    '127.0.0.1',
    DIGEST,
  );

  it('never lets a reference out of the namespace (property)', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const input = pieces.join('');
        if (!matchesAllowlist(ORG, input)) return;
        const reference = parseImageReference(input);
        const endpoint = registryEndpoint(reference.registry);
        const url = new URL(`/v2/${reference.path}/manifests/latest`, endpoint.origin);
        expect(url.origin).toBe('https://ghcr.io');
        expect(url.pathname.startsWith('/v2/your-org/')).toBe(true);
        expect(reference.repository.startsWith('ghcr.io/your-org/')).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  const component = fc
    .stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/)
    .filter((s) => s.length <= 30);

  it('matches exactly the repositories below the namespace, by whole segments (property)', () => {
    fc.assert(
      fc.property(component, fc.array(component, { minLength: 1, maxLength: 3 }), (org, rest) => {
        const pattern = `ghcr.io/${org}/*`;
        expect(matchesAllowlist(pattern, `ghcr.io/${org}/${rest.join('/')}`)).toBe(true);
        expect(matchesAllowlist(pattern, `ghcr.io/${org}-${rest.join('/')}`)).toBe(false);
        expect(matchesAllowlist(pattern, `ghcr.io/${org}`)).toBe(false);
        expect(matchesAllowlist(pattern, `ghcr.io:443/${org}/${rest.join('/')}`)).toBe(false);
      }),
    );
  });
});

describe('allowlist patterns', () => {
  it.each([
    ['ghcr.io/your-org/*', { repository: 'ghcr.io/your-org', wildcard: true }],
    [
      'ghcr.io/your-org/hla-modules/*',
      { repository: 'ghcr.io/your-org/hla-modules', wildcard: true },
    ],
    ['docker.io/library/ubuntu', { repository: 'docker.io/library/ubuntu', wildcard: false }],
    ['127.0.0.1:5000/your-org/*', { repository: '127.0.0.1:5000/your-org', wildcard: true }],
    ['docker.io/some-org/*', { repository: 'docker.io/some-org', wildcard: true }],
    ['docker.io/library/*', { repository: 'docker.io/library', wildcard: true }],
  ])('%s is valid', (pattern, parsed) => {
    expect(parseAllowlistPattern(pattern)).toEqual(parsed);
  });

  it('matches a Docker Hub namespace by whole segments, however the reference is written', () => {
    for (const reference of [
      'docker.io/some-org/x',
      'some-org/x:1',
      'index.docker.io/some-org/x',
    ]) {
      expect(matchesAllowlist('docker.io/some-org/*', reference)).toBe(true);
    }
    for (const reference of [
      'docker.io/some-org-evil/x',
      'some-org-evil/x',
      'docker.io/library/some-org',
      'some-org',
      'ghcr.io/some-org/x',
    ]) {
      expect(matchesAllowlist('docker.io/some-org/*', reference)).toBe(false);
    }
    expect(matchesAllowlist('docker.io/library/*', 'ubuntu:24.04')).toBe(true);
    expect(matchesAllowlist('docker.io/library/*', 'docker.io/some-org/ubuntu')).toBe(false);
  });

  it('suggests only patterns that it accepts', () => {
    for (const pattern of [
      'some-org/*',
      'library/*',
      'index.docker.io/some-org/*',
      'GHCR.IO/your-org/*',
      'ubuntu',
      'docker.io/ubuntu',
      'index.docker.io/library/x',
    ]) {
      let suggestion: string | undefined;
      try {
        parseAllowlistPattern(pattern);
      } catch (error) {
        suggestion = /write "([^"]+)"/.exec((error as Error).message)?.[1];
      }
      expect(suggestion, pattern).toBeDefined();
      expect(
        () => parseAllowlistPattern(suggestion ?? ''),
        `${pattern} -> ${suggestion}`,
      ).not.toThrow();
    }
  });

  it.each([
    ['', /empty/],
    ['*', /'\*' may only appear as a final/],
    ['/*', /empty/],
    ['ghcr.io/*', /never a whole registry/],
    ['localhost:5000/*', /never a whole registry/],
    ['ghcr.io/your-org*', /'\*' may only appear/],
    ['ghcr.io/*/x', /'\*' may only appear/],
    ['ghcr.io/your-org/**', /'\*' may only appear/],
    ['ghcr.io/your-org/*/', /'\*' may only appear/],
    ['ghcr.io/your-org/*x', /'\*' may only appear/],
    ['GHCR.IO/your-org/*', /write "ghcr.io\/your-org\/\*"/],
    ['ubuntu', /write "docker.io\/library\/ubuntu"/],
    ['your-org/*', /write "docker.io\/your-org\/\*"/],
    ['index.docker.io/library/x', /write "docker.io\/library\/x"/],
    ['ghcr.io/your-org/', /empty path components/],
    ['ghcr.io/your-org:1', /without tag or digest/],
    [`ghcr.io/your-org/x@${DIGEST}`, /without tag or digest/],
    ['https://ghcr.io/your-org/*', /URL scheme/],
    ['ghcr.io/Your-Org/*', /lowercase/],
  ])('%j is refused: %s', (pattern, message) => {
    expect(() => parseAllowlistPattern(pattern)).toThrow(InvalidAllowlistPatternError);
    expect(() => parseAllowlistPattern(pattern)).toThrow(message);
    expect(() => matchesAllowlist(pattern, 'ghcr.io/your-org/x')).toThrow(
      InvalidAllowlistPatternError,
    );
  });
});

describe('findAllowlistMatch', () => {
  const entries = [
    { id: 'local', pattern: LOCAL },
    { id: 'ghcr', pattern: ORG },
  ];

  it('returns the first entry that allows the reference', () => {
    expect(findAllowlistMatch(entries, 'ghcr.io/your-org/x:1')?.id).toBe('ghcr');
    expect(findAllowlistMatch(entries, parseImageReference('127.0.0.1:5000/your-org/m'))?.id).toBe(
      'local',
    );
  });

  it('returns undefined when no entry allows it', () => {
    expect(findAllowlistMatch(entries, 'ghcr.io/your-org-evil/x')).toBeUndefined();
    expect(findAllowlistMatch([], 'ghcr.io/your-org/x')).toBeUndefined();
  });
});
