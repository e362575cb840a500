// The README's environment-variable table is the documentation of src/config/variables.ts: the
// same variables, meanings and defaults, in the same order.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { variables } from '../src/config/variables.js';

it('documents every environment variable the CLI reads, with its meaning and default', async () => {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.split('### Environment variables')[1]?.split('\n## ')[0] ?? '';
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [name, description, defaultValue] = line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim());
      return { name: name?.replaceAll('`', ''), description, default: defaultValue };
    });
  expect(rows).toEqual(
    variables.map(({ name, description, default: value }) => ({
      name,
      description,
      default: value,
    })),
  );
});
