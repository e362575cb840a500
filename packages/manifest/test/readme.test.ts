// The README's issue-code table is the user's reference: it must list every code there is.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { MANIFEST_ISSUE_CODES } from '../src/index.js';

it('the README documents every issue code, and no code that does not exist', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const documented = [...readme.matchAll(/^\| `([a-z_]+\.[a-z_]+)` +\|/gm)].map(
    (match) => match[1],
  );
  expect(documented.sort()).toEqual([...MANIFEST_ISSUE_CODES].sort());
});
