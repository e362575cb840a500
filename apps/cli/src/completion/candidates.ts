// What Tab offers after the words typed so far: the catalog's groups and commands with their
// summaries, the options of the command being typed (its definition alone is loaded) and the
// global ones, and the values of an option or argument that has a fixed set. The scripts of
// `hla-compass completion` call it at each Tab as `hla-compass __complete WORD… CURRENT`.
import type { CommandDefinition } from '../command.js';
import { type CatalogEntry, catalog, groups } from '../commands/catalog.js';
import { globalOptions, longFlag, takesValue } from '../global-options.js';
import type { TextStream } from '../terminal.js';

export interface Candidate {
  readonly value: string;
  readonly description: string;
}

export interface Completion {
  readonly candidates: readonly Candidate[];
  /** Whether the shell should offer file names too (an option whose value is a path). */
  readonly files: boolean;
}

interface OptionCandidate {
  readonly long: string;
  readonly short: string | undefined;
  readonly takesValue: boolean;
  readonly description: string;
  readonly values: readonly string[];
  readonly files: boolean;
}

/** Options whose value is a path, by the placeholder their flags name: `--manifest <path>`. */
const PATH_PLACEHOLDER = /<(path|file|dir)>/;

const HELP: Candidate = { value: '--help', description: 'show help for a command' };

function optionCandidate(spec: {
  flags: string;
  description: string;
  values?: readonly string[] | undefined;
}): OptionCandidate | undefined {
  const long = longFlag(spec.flags);
  if (long === undefined) return undefined;
  return {
    long,
    short: /^(-[a-zA-Z])\b/.exec(spec.flags)?.[1],
    takesValue: takesValue(spec.flags),
    description: spec.description,
    values: spec.values ?? [],
    files: PATH_PLACEHOLDER.test(spec.flags),
  };
}

function optionsOf(definition: CommandDefinition | undefined): OptionCandidate[] {
  const own = Object.values(definition?.options ?? {}).map((spec) =>
    optionCandidate({ ...spec, values: spec.choices }),
  );
  return [...own, ...globalOptions.map(optionCandidate)].filter(
    (option): option is OptionCandidate => option !== undefined,
  );
}

/** The next words of the command tree below `path`: groups, commands and, at the top, `help`. */
function subcommands(path: readonly string[]): Candidate[] {
  const seen = new Map<string, string>();
  for (const entry of catalog) {
    if (!path.every((word, index) => entry.path[index] === word)) continue;
    const word = entry.path[path.length];
    if (word === undefined || seen.has(word)) continue;
    const isGroup = entry.path.length > path.length + 1;
    seen.set(word, isGroup ? (groups[word]?.summary ?? '') : entry.summary);
  }
  if (path.length === 0) seen.set('help', 'show help for a command');
  return [...seen].map(([value, description]) => ({ value, description }));
}

function startsWith(prefix: string, candidates: readonly Candidate[], files = false): Completion {
  return { candidates: candidates.filter(({ value }) => value.startsWith(prefix)), files };
}

function valuesOf(option: OptionCandidate, partial: string, prefix = ''): Completion {
  const values = option.values.map((value) => ({ value: `${prefix}${value}`, description: '' }));
  return startsWith(`${prefix}${partial}`, values, option.files);
}

/**
 * The candidates for the last word of `words` (empty when the cursor follows a space), given
 * the words before it. `load` gives a catalog entry's definition (the real loader by default).
 */
export async function candidatesFor(
  words: readonly string[],
  load: (entry: CatalogEntry) => Promise<CommandDefinition> = (entry) => entry.load(),
): Promise<Completion> {
  const current = words.at(-1) ?? '';
  const typed = words.slice(0, -1);
  // `hla-compass help keys init` completes like `hla-compass keys init`.
  if (typed[0] === 'help') typed.shift();
  const path: string[] = [];
  const positionals: string[] = [];
  const used = new Set<string>();
  let entry: CatalogEntry | undefined;
  let definition: CommandDefinition | undefined;
  let options = optionsOf(undefined);
  let awaitingValue: OptionCandidate | undefined;
  let operandsOnly = false;

  for (const word of typed) {
    if (awaitingValue !== undefined) {
      awaitingValue = undefined;
      continue;
    }
    if (!operandsOnly && word === '--') {
      operandsOnly = true;
      continue;
    }
    if (!operandsOnly && word.startsWith('-')) {
      const name = word.split('=')[0];
      const option = options.find(
        (candidate) => candidate.long === name || candidate.short === name,
      );
      if (option === undefined) continue;
      used.add(option.long);
      if (option.takesValue && !word.includes('=')) awaitingValue = option;
      continue;
    }
    if (entry === undefined && subcommands(path).some(({ value }) => value === word)) {
      path.push(word);
      entry = catalog.find((candidate) => candidate.path.join(' ') === path.join(' '));
      if (entry !== undefined) {
        definition = await load(entry);
        options = optionsOf(definition);
      }
      continue;
    }
    positionals.push(word);
  }

  if (awaitingValue !== undefined) return valuesOf(awaitingValue, current);
  if (!operandsOnly && current.startsWith('--') && current.includes('=')) {
    const separator = current.indexOf('=');
    const name = current.slice(0, separator);
    const option = options.find((candidate) => candidate.long === name && candidate.takesValue);
    if (option === undefined) return { candidates: [], files: false };
    return valuesOf(option, current.slice(separator + 1), `${name}=`);
  }
  if (!operandsOnly && current.startsWith('-')) {
    const offered = options
      .filter((option) => !used.has(option.long))
      .map(({ long, description }) => ({ value: long, description }));
    const version =
      path.length === 0 ? [{ value: '--version', description: 'print the version and exit' }] : [];
    return startsWith(current, [...offered, HELP, ...version]);
  }
  if (entry === undefined) return startsWith(current, subcommands(path));
  const argument = definition?.arguments?.[positionals.length];
  const values = (argument?.choices ?? []).map((value) => ({ value, description: '' }));
  return startsWith(current, values);
}

/**
 * `__complete`: one `value<TAB>description` line per candidate (values of an option or argument
 * have no description), then `:files` or `:none`.
 */
export async function complete(words: readonly string[], stdout: TextStream): Promise<number> {
  // A broken completion must never print an error into the user's command line.
  const completion = await candidatesFor(words).catch(() => ({ candidates: [], files: false }));
  const lines = completion.candidates.map(
    ({ value, description }) => `${value}\t${description.replace(/\s+/g, ' ')}`,
  );
  lines.push(completion.files ? ':files' : ':none');
  stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
