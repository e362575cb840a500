// Which lines of backend/requirements.txt count as pinned, and how each one that does not is
// reported.
import { describe, expect, it } from 'vitest';
import { checkRequirements } from '../src/requirements.js';

const reported = (text: string) =>
  checkRequirements(text).map((issue) => [
    issue.code,
    Number(/ line (\d+):/.exec(issue.message)?.[1]),
  ]);

describe('pinned requirements pass', () => {
  it.each([
    ['an exact pin', 'numpy==2.1.3'],
    ['an exact pin with spaces', 'numpy == 2.1.3'],
    ['an arbitrary-equality pin', 'legacy===1.0-custom'],
    ['extras', 'uvicorn[standard]==0.32.0'],
    ['a pin among other clauses', 'pandas>=2,==2.2.3'],
    ['an environment marker', 'tomli==2.0.1; python_version < "3.11"'],
    ['an environment marker without spaces', 'tomli==2.0.1;python_version<"3.11"'],
    [
      'hashes',
      'requests==2.32.3 --hash=sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6',
    ],
    [
      'a hash on a continued line',
      'requests==2.32.3 \\\n    --hash=sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6',
    ],
    ['an inline comment', 'numpy==2.1.3  # fast arrays'],
    ['comments and blank lines', '# pinned deps\n\n   \n# numpy\n'],
    [
      'index options',
      '--index-url https://pypi.example.com/simple\n-i https://x\n--extra-index-url https://y\nnumpy==2.1.3',
    ],
    ['a constraints file', '-c constraints.txt'],
    [
      'global flags',
      '--pre\n--prefer-binary\n--require-hashes\n--find-links ./wheels\n-f ./wheels',
    ],
    ['Windows line endings', 'numpy==2.1.3\r\npandas==2.2.3\r\n'],
    ['a legacy parenthesised pin', 'numpy (==2.1.3)'],
  ])('%s', (_, text) => {
    expect(checkRequirements(text)).toEqual([]);
  });
});

describe('unpinned requirements are reported, one issue per line with its number', () => {
  it.each([
    ['a bare name', 'numpy'],
    ['a lower bound', 'numpy>=1.20'],
    ['a compatible release', 'numpy~=2.1'],
    ['a wildcard pin', 'numpy==2.*'],
    ['an exclusion', 'numpy!=2.0.0'],
    ['a marker on an unpinned name', 'tomli; python_version < "3.11"'],
    ['a direct reference', 'mylib @ https://example.com/mylib-1.0.tar.gz'],
    ['a URL', 'https://example.com/mylib-1.0-py3-none-any.whl'],
    ['a local path', './libs/mylib'],
    ['an editable install', '-e ./libs/mylib'],
    ['an editable VCS install', '--editable git+https://example.com/mylib.git#egg=mylib'],
  ])('%s', (_, text) => {
    expect(reported(text)).toEqual([['structure.requirements_unpinned', 1]]);
  });

  it('reports every unpinned line, not only the first, with the line it starts on', () => {
    const text = [
      '# deps', // 1
      'numpy', // 2
      'pandas==2.2.3', // 3
      '', // 4
      'scipy>=1.10 \\', // 5
      '    --hash=sha256:abc', // 6
      'requests', // 7
    ].join('\n');
    expect(reported(text)).toEqual([
      ['structure.requirements_unpinned', 2],
      ['structure.requirements_unpinned', 5],
      ['structure.requirements_unpinned', 7],
    ]);
  });

  it('says which file and line, quotes the requirement and suggests a pin', () => {
    expect(checkRequirements('pandas==2.2.3\nnumpy>=1.20  # fast')).toEqual([
      {
        code: 'structure.requirements_unpinned',
        severity: 'warning',
        path: '',
        message:
          'unpinned dependency in backend/requirements.txt line 2: "numpy>=1.20" (pin it with ==, e.g. numpy==1.2.3)',
      },
    ]);
  });

  it('reports included requirement files, whose lines this check cannot see', () => {
    expect(checkRequirements('-r base.txt\n--requirement=dev.txt\n-rextra.txt')).toEqual(
      [1, 2, 3].map((line) =>
        expect.objectContaining({
          code: 'structure.requirements_nested',
          severity: 'warning',
          message: expect.stringContaining(`backend/requirements.txt line ${line}:`),
        }),
      ),
    );
  });
});
