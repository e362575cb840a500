import { describe, expect, it } from 'vitest';
import {
  InvalidReferenceError,
  isLoopbackRegistry,
  normalizeRegistryHost,
  parseImageReference,
  type ReferenceRule,
} from '../src/index.js';

const SHA256 = `sha256:${'a'.repeat(64)}`;
const SHA512 = `sha512:${'b'.repeat(128)}`;

describe('parseImageReference normalizes valid references', () => {
  const cases: Array<
    [input: string, repository: string, tag: string | undefined, digest: string | undefined]
  > = [
    ['ubuntu', 'docker.io/library/ubuntu', undefined, undefined],
    ['ubuntu:22.04', 'docker.io/library/ubuntu', '22.04', undefined],
    ['library/ubuntu', 'docker.io/library/ubuntu', undefined, undefined],
    ['docker.io/ubuntu', 'docker.io/library/ubuntu', undefined, undefined],
    ['index.docker.io/ubuntu', 'docker.io/library/ubuntu', undefined, undefined],
    ['index.docker.io/foo/bar', 'docker.io/foo/bar', undefined, undefined],
    ['foo/bar', 'docker.io/foo/bar', undefined, undefined],
    ['example.com/ubuntu', 'example.com/ubuntu', undefined, undefined],
    ['ghcr.io/your-org/my-module:1.0.0', 'ghcr.io/your-org/my-module', '1.0.0', undefined],
    ['GHCR.IO/your-org/x', 'ghcr.io/your-org/x', undefined, undefined],
    ['localhost/x', 'localhost/x', undefined, undefined],
    ['localhost:5000/your-org/x:1', 'localhost:5000/your-org/x', '1', undefined],
    [`127.0.0.1:5000/your-org/m@${SHA256}`, '127.0.0.1:5000/your-org/m', undefined, SHA256],
    ['[::1]:5000/x/y:t', '[::1]:5000/x/y', 't', undefined],
    [`ghcr.io/a/b:tag@${SHA256}`, 'ghcr.io/a/b', undefined, SHA256],
    ['registry.example.com:443/a/b', 'registry.example.com:443/a/b', undefined, undefined],
    ['ghcr.io/a/b/c/d', 'ghcr.io/a/b/c/d', undefined, undefined],
    ['ghcr.io/a__b/c-d/e.f_g', 'ghcr.io/a__b/c-d/e.f_g', undefined, undefined],
    ['ghcr.io/a---b', 'ghcr.io/a---b', undefined, undefined],
    ['foo:5000/bar', 'foo:5000/bar', undefined, undefined],
    [`ghcr.io/x:${'t'.repeat(128)}`, 'ghcr.io/x', 't'.repeat(128), undefined],
    [`ghcr.io/x@${SHA512}`, 'ghcr.io/x', undefined, SHA512],
    ['localhost', 'docker.io/library/localhost', undefined, undefined],
    ['localhost:5000', 'docker.io/library/localhost', '5000', undefined],
    ['xn--80ak6aa92e.com/x', 'xn--80ak6aa92e.com/x', undefined, undefined],
    ['ghcr.io/x:_t', 'ghcr.io/x', '_t', undefined],
  ];

  it.each(cases)('%s → %s', (input, repository, tag, digest) => {
    const reference = parseImageReference(input);
    expect(reference.repository).toBe(repository);
    expect(reference.repository).toBe(`${reference.registry}/${reference.path}`);
    expect(reference.tag).toBe(tag);
    expect(reference.digest).toBe(digest);
    expect(reference.toString()).toBe(
      `${repository}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`,
    );
  });

  it('parses its own output back to the same reference', () => {
    for (const [input] of cases) {
      const once = parseImageReference(input);
      expect(parseImageReference(once.toString()).toString()).toBe(once.toString());
    }
  });
});

describe('parseImageReference refuses malformed references, naming the rule', () => {
  const cases: Array<[input: string, rule: ReferenceRule]> = [
    ['', 'empty'],
    [':tag', 'empty'],
    [`@${SHA256}`, 'empty'],
    [' ', 'whitespace'],
    ['ubuntu ', 'whitespace'],
    ['ghcr.io/a/b\n', 'whitespace'],
    ['ghcr.io/a/b\u0000', 'whitespace'],
    ['ghcr.io/a\tb', 'whitespace'],
    ['ghcr.io/a/b\u00a0', 'whitespace'],
    ['ghcr.\u0456o/x', 'non-ascii'],
    ['ghcr.io/caf\u00e9', 'non-ascii'],
    ['https://ghcr.io/a/b', 'scheme'],
    ['docker://ghcr.io/a/b', 'scheme'],
    ['HTTP://ghcr.io/a/b', 'scheme'],
    ['user:pass@ghcr.io/a/b', 'userinfo'],
    ['ghcr.io@evil.com/a/b', 'userinfo'],
    ['ghcr.io:443@evil/x', 'userinfo'],
    [`a/b@${SHA256}@${SHA256}`, 'multiple-digests'],
    ['a/b@', 'digest'],
    ['a/b@sha256:abc', 'digest'],
    [`a/b@md5:${'a'.repeat(32)}`, 'digest'],
    [`a/b@sha256:${'A'.repeat(64)}`, 'digest'],
    [`a/b@${'a'.repeat(64)}`, 'digest'],
    [`a/b@sha256:${'g'.repeat(64)}`, 'digest'],
    ['ghcr.io/x@evil.com', 'digest'],
    ['a/b:', 'tag'],
    ['a/b:-tag', 'tag'],
    ['a/b:.tag', 'tag'],
    ['a/b:t+g', 'tag'],
    [`a/b:${'t'.repeat(129)}`, 'tag-length'],
    ['Ubuntu', 'uppercase'],
    ['ghcr.io/Your-Org/x', 'uppercase'],
    ['MyOrg/app', 'uppercase'],
    ['a'.repeat(64), 'identifier'],
    ['ghcr.io//x', 'empty-component'],
    ['/ubuntu', 'empty-component'],
    ['ghcr.io/x/', 'empty-component'],
    ['ghcr.io/your-org/../other/x', 'dot-segment'],
    ['./x', 'dot-segment'],
    ['ghcr.io/./x', 'dot-segment'],
    ['../x', 'dot-segment'],
    ['ghcr.io:0/x', 'port'],
    ['ghcr.io:65536/x', 'port'],
    ['ghcr.io:05000/x', 'port'],
    ['ghcr.io:/x', 'port'],
    ['ghcr.io:abc/x', 'port'],
    ['-ghcr.io/x', 'host'],
    ['ghcr.io./x', 'host'],
    ['ghcr..io/x', 'host'],
    ['my_registry.io/x', 'host'],
    ['[::1%25eth0]/x', 'host'],
    ['[::g]:5000/x', 'host'],
    ['999.1.1.1/x', 'host'],
    ['ghcr.io#frag/x', 'host'],
    ['ghcr.io?x=1/y', 'host'],
    ['127.1:5000/x', 'host-not-canonical'],
    ['0x7f.0.0.1/x', 'host-not-canonical'],
    ['2130706433:5000/x', 'host-not-canonical'],
    ['[0:0:0:0:0:0:0:1]:5000/x', 'host-not-canonical'],
    ['ghcr.io/your%2dorg/x', 'path-component'],
    ['ghcr.io/your%2Dorg/x', 'path-component'],
    ['ghcr.io/Your_-Org/x', 'path-component'],
    ['ghcr.io/a-/x', 'path-component'],
    ['ghcr.io/-a/x', 'path-component'],
    ['ghcr.io/a..b/x', 'path-component'],
    ['ghcr.io/a___b', 'path-component'],
    ['ghcr.io/*', 'path-component'],
    ['ghcr.io\\x', 'path-component'],
    ['ghcr.io/x:tag:tag2', 'path-component'],
    [`ghcr.io/x/${'a'.repeat(300)}`, 'path-length'],
    ['a'.repeat(2000), 'too-long'],
  ];

  it.each(cases)('%j breaks %s', (input, rule) => {
    let caught: unknown;
    try {
      parseImageReference(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidReferenceError);
    const error = caught as InvalidReferenceError;
    expect(error.rule).toBe(rule);
    expect(error.code).toBe('INVALID_IMAGE_REF');
    expect(error.message).toMatch(/^invalid image reference: /);
  });

  it('has at least 30 malformed cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it('never repeats userinfo from the input in the message', () => {
    for (const input of ['user:hunter2@ghcr.io/a/b', 'https://user:hunter2@ghcr.io/a/b']) {
      expect(() => parseImageReference(input)).toThrow(InvalidReferenceError);
      try {
        parseImageReference(input);
      } catch (error) {
        expect((error as Error).message).not.toContain('hunter2');
      }
    }
  });
});

describe('registry hosts', () => {
  it('normalizes case and keeps the port', () => {
    expect(normalizeRegistryHost('GHCR.io:8443')).toBe('ghcr.io:8443');
    expect(normalizeRegistryHost('[::1]:5000')).toBe('[::1]:5000');
  });

  it.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.255.3.4', true],
    ['[::1]:5001', true],
    ['127.0.0.1.evil.com:5000', false],
    ['127.0.0.256', false],
    ['127.1', false],
    ['0127.0.0.1', false],
    ['10.0.0.1:5000', false],
    ['169.254.169.254', false],
    ['localhost.evil.com', false],
    ['ghcr.io', false],
    ['[::2]', false],
  ])('isLoopbackRegistry(%s) is %s', (registry, loopback) => {
    expect(isLoopbackRegistry(registry)).toBe(loopback);
  });
});

describe('ImageReference.atDigest', () => {
  const digest = `sha256:${'c'.repeat(64)}`;

  it('pins the same repository to a digest, dropping the tag as the parser does', () => {
    const pinned = parseImageReference('ghcr.io/your-org/hla-typer:2.0.0').atDigest(digest);
    expect(pinned.toString()).toBe(`ghcr.io/your-org/hla-typer@${digest}`);
    expect(pinned).toMatchObject({ registry: 'ghcr.io', path: 'your-org/hla-typer', digest });
    expect(pinned.tag).toBeUndefined();
    expect(pinned.toString()).toBe(
      parseImageReference(`ghcr.io/your-org/hla-typer:2.0.0@${digest}`).toString(),
    );
  });

  it('replaces a digest the reference had', () => {
    const other = `sha256:${'d'.repeat(64)}`;
    const pinned = parseImageReference(`ubuntu@${other}`).atDigest(digest);
    expect(pinned.toString()).toBe(`docker.io/library/ubuntu@${digest}`);
  });

  it.each(['latest', 'sha256:abc', `md5:${'c'.repeat(32)}`, ''])(
    'refuses %j, which is not a digest',
    (notDigest) => {
      expect(() => parseImageReference('ghcr.io/your-org/x:1').atDigest(notDigest)).toThrow(
        InvalidReferenceError,
      );
    },
  );
});
