// Secrets passed on standard input (`--password-stdin`, `--api-key-stdin`), the way `docker login`
// takes them: never as flags, which end up in shell history and process lists.
import { UsageError } from './errors.js';
import type { InputStream } from './terminal.js';

/** All of stdin without its final line break; an empty value is a usage error naming the flag. */
export async function readSecretFromStdin(stdin: InputStream, flag: string): Promise<string> {
  if (stdin.isTTY) {
    throw new UsageError(`${flag} reads from standard input, which is a terminal here`, {
      hint: `pipe the value in, e.g. \`printf %s "$SECRET" | hla-compass … ${flag}\``,
    });
  }
  let text = '';
  for await (const chunk of stdin)
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new UsageError(`${flag} got nothing on standard input`);
  return value;
}
