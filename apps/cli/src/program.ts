// The command framework: builds the commander tree from the catalog, loads and runs the selected
// command, and turns every outcome into the documented exit code and output (SPEC §8).
import { redactSecrets } from '@hla-compass/platform-api/redaction';
import { Argument, Command, CommanderError, Help, Option } from 'commander';
import type { CommandDefinition, Example } from './command.js';
import { type CatalogEntry, catalog, groups } from './commands/catalog.js';
import { Settings, variables } from './config/variables.js';
import { type CommandContext, createContext, type GlobalOptions, type System } from './context.js';
import {
  CLI_ERROR_CODES,
  type CliCode,
  CliError,
  type CliErrorCode,
  ExitCode,
  exitCodeMeanings,
  RejectedError,
  relayed,
} from './errors.js';
import { globalOptions, longFlag, takesValue } from './global-options.js';
import { mapStackTrace } from './stack-trace.js';
import { colorEnabled, createStyle, type Style } from './terminal.js';
import { CLI_VERSION } from './version.js';

const PROGRAM = 'hla-compass';

/** The package's README (install, commands, configuration, exit codes), named by `--help`. */
export const DOCS_URL = 'https://www.npmjs.com/package/@hla-compass/cli';

/** The hidden command the completion scripts call at each Tab (see completion/candidates.ts). */
export const COMPLETE_COMMAND = '__complete';

/** Global options that take a value: their value must not be mistaken for a command word. */
const GLOBAL_VALUE_OPTIONS = new Set(
  globalOptions.filter((spec) => takesValue(spec.flags)).map((spec) => longFlag(spec.flags)),
);

/** How the outcome is reported, known from argv before commander has parsed anything. */
interface Reporting {
  readonly verbose: boolean;
  readonly json: boolean;
  /** The colours of stderr (a TTY, NO_COLOR, FORCE_COLOR), for errors and hints. */
  readonly style: Style;
}

/** Runs one invocation and resolves to its exit code; never throws. */
export async function run(argv: readonly string[], system: System): Promise<number> {
  if (argv[0] === COMPLETE_COMMAND) {
    const { complete } = await import('./completion/candidates.js');
    return complete(argv.slice(1), system.stdout);
  }
  // `help keys init` is `keys init --help`: commander's own help command stops at one level.
  if (argv[0] === 'help' && argv.length > 1) argv = [...argv.slice(1), '--help'];
  const selected = selectEntry(argv);
  const reporting = reportingOf(argv, system);
  let context: CommandContext | undefined;
  let exitCode: number = ExitCode.ok;

  const program = createRootCommand(system, reporting.style);
  let definition: CommandDefinition | undefined;
  try {
    definition = await selected?.load();
  } catch (error) {
    return reportError(error, undefined, system, reporting);
  }
  for (const entry of catalog) {
    const command = attachPath(program, entry.path);
    command.summary(entry.summary);
    if (entry !== selected || definition === undefined) {
      command.description(entry.summary);
      continue;
    }
    describeCommand(command, definition);
    command.action(async (...actionArgs: unknown[]) => {
      const invoked = actionArgs.at(-1) as Command;
      const globals = parseGlobals(invoked.optsWithGlobals());
      context = createContext(system, globals, entry.path.join(' '));
      exitCode = (await runDefinition(definition, invoked, context)) ?? ExitCode.ok;
    });
  }

  if (argv.length === 0) {
    program.outputHelp();
    return ExitCode.ok;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return commanderExitCode(error, { argv, selected, system, reporting });
    }
    return reportError(error, context, system, reporting);
  }
}

/** `--json` and `--verbose` as typed before `--`, for the errors commander raises itself. */
function reportingOf(argv: readonly string[], system: System): Reporting {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  return {
    verbose: options.includes('--verbose'),
    json: options.includes('--json'),
    style: createStyle(colorEnabled(system.stderr, new Settings(system.env))),
  };
}

function createRootCommand(system: System, style: Style): Command {
  const program = new Command(PROGRAM)
    .description(
      'Build, push and publish HLA-Compass modules, container-first.\n\n' +
        'A module is a directory with manifest.json and backend/. `hla-compass build` makes its ' +
        'image, `hla-compass push` (or docker push) puts it in an approved registry, and ' +
        '`hla-compass publish --env E` signs the manifest and registers the version.',
    )
    .version(CLI_VERSION, '-V, --version', 'print the version and exit');
  for (const spec of globalOptions) program.addOption(new Option(spec.flags, spec.description));
  program
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command...]', 'show help for a command')
    .configureHelp({
      showGlobalOptions: true,
      // The top level also says what configures the CLI, what its exit codes mean and where the
      // docs are, in commander's own layout (wrapped to the terminal like the rest).
      formatHelp: (command, helper) => {
        const help = Help.prototype.formatHelp.call(helper, command, helper);
        return command.parent === null ? `${help}${rootHelpSections(helper)}` : help;
      },
    })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => system.stdout.write(text),
      // Commander's messages quote the arguments as typed (an unknown option, a bad value).
      writeErr: (text) => system.stderr.write(redactSecrets(text)),
      outputError: (text, write) => write(text.replace(/^error:/, style.red('error:'))),
    });
  return program;
}

function rootHelpSections(helper: Help): string {
  const width = helper.helpWidth ?? 80;
  // The names are too long for a two-column layout: each description goes under its name.
  const variableItems = variables.map((variable) => {
    const description = helper.boxWrap(variable.description, width - 6).replace(/\n/g, '\n      ');
    return `  ${variable.name}\n      ${description}`;
  });
  const codeItems = Object.entries(exitCodeMeanings).map(([code, meaning]) =>
    helper.formatItem(code, 1, meaning, helper),
  );
  return [
    '',
    ...helper.formatItemList('Environment variables:', variableItems, helper),
    ...helper.formatItemList('Exit codes:', codeItems, helper),
    ...helper.formatItemList(
      'Docs:',
      [`  ${DOCS_URL} (the README: install, commands, configuration, exit codes)`],
      helper,
    ),
  ].join('\n');
}

/** Finds or creates the (sub)command for a catalog path, e.g. `keys` → `init`. */
function attachPath(root: Command, path: readonly string[]): Command {
  let parent = root;
  for (const [index, word] of path.entries()) {
    const existing = parent.commands.find((command) => command.name() === word);
    if (existing !== undefined) {
      parent = existing;
      continue;
    }
    parent = parent.command(word).copyInheritedSettings(root);
    const group = index < path.length - 1 ? groups[word] : undefined;
    if (group !== undefined) {
      parent.summary(group.summary).description(group.summary);
      addExamples(parent, group.examples);
    }
  }
  return parent;
}

function addExamples(command: Command, examples: readonly Example[]): void {
  if (examples.length === 0) return;
  const width = Math.max(...examples.map((example) => example.command.length));
  const lines = examples.map(
    (example) => `  $ ${example.command.padEnd(width)}  # ${example.description}`,
  );
  command.addHelpText('after', `\nExamples:\n${lines.join('\n')}\n`);
}

function describeCommand(command: Command, definition: CommandDefinition): void {
  command.description(definition.description);
  for (const argument of definition.arguments ?? []) {
    const syntax = argument.required ? `<${argument.name}>` : `[${argument.name}]`;
    const commanderArgument = new Argument(syntax, argument.description);
    if (argument.choices) commanderArgument.choices(argument.choices);
    command.addArgument(commanderArgument);
  }
  for (const spec of Object.values(definition.options)) {
    const commanderOption = new Option(spec.flags, spec.description);
    if (spec.choices) commanderOption.choices(spec.choices);
    if (spec.defaultValue !== undefined) commanderOption.default(spec.defaultValue);
    command.addOption(commanderOption);
  }
  addExamples(command, definition.examples);
}

async function runDefinition(
  definition: CommandDefinition,
  invoked: Command,
  context: CommandContext,
): Promise<ExitCode | undefined> {
  const raw = invoked.opts();
  const options: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(definition.options)) {
    const commanderOption = invoked.options.find((candidate) => candidate.flags === spec.flags);
    const attribute = commanderOption?.attributeName() ?? key;
    const flag = commanderOption?.long ?? spec.flags;
    options[key] = spec.convert(raw[attribute], flag);
  }
  const args: Record<string, string | undefined> = {};
  for (const [index, argument] of (definition.arguments ?? []).entries()) {
    const value = invoked.processedArgs[index];
    args[argument.name] = typeof value === 'string' ? value : undefined;
  }
  return definition.run({ args, options }, context);
}

function parseGlobals(values: Record<string, unknown>): GlobalOptions {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    env: text(values.env),
    apiUrl: text(values.apiUrl),
    consoleUrl: text(values.consoleUrl),
    json: values.json === true,
    verbose: values.verbose === true,
  };
}

/** The catalog entry named by the command words in argv. */
export function selectEntry(argv: readonly string[]): CatalogEntry | undefined {
  const words: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] ?? '';
    if (token === '--') break;
    if (token.startsWith('-')) {
      if (GLOBAL_VALUE_OPTIONS.has(token)) index++;
      continue;
    }
    words.push(token);
  }
  return catalog.find((entry) => entry.path.every((word, index) => words[index] === word));
}

/** The CLI's codes for commander's usage errors, as `--json` reports them. */
const USAGE_ERROR_CODES: Readonly<Record<string, CliCode>> = {
  'commander.unknownCommand': 'UNKNOWN_COMMAND',
  'commander.unknownOption': 'UNKNOWN_OPTION',
  'commander.missingArgument': 'MISSING_ARGUMENT',
  'commander.optionMissingArgument': 'MISSING_OPTION_VALUE',
  'commander.excessArguments': 'TOO_MANY_ARGUMENTS',
  'commander.invalidArgument': 'INVALID_ARGUMENT',
  'commander.help': 'COMMAND_REQUIRED',
};

function commanderExitCode(
  error: CommanderError,
  invocation: {
    argv: readonly string[];
    selected: CatalogEntry | undefined;
    system: System;
    reporting: Reporting;
  },
): number {
  const { argv, selected, system, reporting } = invocation;
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
    return ExitCode.ok;
  }
  // `hla-compass help …` exits 0; a bare group (`hla-compass keys`) shows help as an error.
  if (error.code === 'commander.help' && error.exitCode === 0) return ExitCode.ok;
  const group = argv.find((word) => groups[word] !== undefined);
  const helpFor = selected
    ? `${PROGRAM} ${selected.path.join(' ')} --help`
    : group === undefined
      ? `${PROGRAM} --help`
      : `${PROGRAM} ${group} --help`;
  const hint = `run \`${helpFor}\` for usage`;
  if (error.code !== 'commander.help') {
    system.stderr.write(`${reporting.style.cyan('hint:')} ${hint}\n`);
  }
  if (reporting.json) {
    // Commander has printed its message (or the group's help) on stderr; scripts get it here.
    const message =
      error.code === 'commander.help'
        ? `\`${[PROGRAM, group].filter(Boolean).join(' ')}\` needs a command: ${subcommandNames(group).join(', ')}`
        : error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
    writeJsonError(system, {
      code: USAGE_ERROR_CODES[error.code] ?? 'INVALID_INPUT',
      message: redactSecrets(message),
      hint,
    });
  }
  return ExitCode.invalidInput;
}

/** The command words below a group, or the top-level ones. */
function subcommandNames(group: string | undefined): string[] {
  const depth = group === undefined ? 0 : 1;
  const below = catalog.filter((entry) => group === undefined || entry.path[0] === group);
  return [...new Set(below.map((entry) => entry.path[depth] ?? ''))];
}

interface JsonError {
  readonly code: CliErrorCode;
  readonly message: string;
  readonly hint?: string | undefined;
  readonly requestId?: string | undefined;
  readonly details?: unknown;
}

/** With --json, every failure is this one document on stdout: `{"error": {code, message, …}}`. */
function writeJsonError(system: System, error: JsonError): void {
  const body = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      ...(error.requestId ? { requestId: error.requestId } : {}),
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
  system.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
}

/** Prints an error the way SPEC §8 wants it: what failed, why, what next; no stack unless --verbose. */
async function reportError(
  error: unknown,
  context: CommandContext | undefined,
  system: System,
  reporting: Reporting,
): Promise<number> {
  const verbose = context?.globals.verbose ?? reporting.verbose;
  const json = context?.globals.json ?? reporting.json;
  const { style } = reporting;
  // A bug's message and stack may quote input too: every line written is redacted.
  const write = (line: string) => system.stderr.write(`${redactSecrets(line)}\n`);
  const known = (await cliErrorOf(error)) ?? fileSystemError(error);
  const message = known
    ? known.message
    : redactSecrets(`internal error: ${error instanceof Error ? error.message : String(error)}`);
  const hint = known
    ? known.hint
    : 'this is a bug in hla-compass: re-run with --verbose and report the output';

  write(`${style.red('error:')} ${message}`);
  if (hint) write(`${style.cyan('hint:')} ${hint}`);
  if (known?.requestId) write(style.dim(`request id: ${known.requestId}`));
  if (verbose && error instanceof Error) {
    write(style.dim(mapStackTrace(error.stack ?? String(error))));
    if (error.cause !== undefined) write(style.dim(`caused by: ${describeCause(error.cause)}`));
  }
  if (json && !context?.output.resultWritten) {
    writeJsonError(system, {
      code: known?.code ?? 'INTERNAL',
      message,
      hint,
      requestId: known?.requestId,
      details: known?.details,
    });
  }
  return known?.exitCode ?? CLI_ERROR_CODES.INTERNAL;
}

/**
 * The CLI error `error` is (library-errors.ts), that table loaded only for an error that is none.
 * An install too broken to load it still gets its error reported, as a bug.
 */
async function cliErrorOf(error: unknown): Promise<CliError | undefined> {
  if (error instanceof CliError) return error;
  const table = await import('./library-errors.js').catch(() => undefined);
  return table?.toCliError(error);
}

const FILE_SYSTEM_HINTS: Readonly<Record<string, string>> = {
  EACCES: 'check the permissions of that path (or of HLA_COMPASS_CONFIG_DIR)',
  EPERM: 'check the permissions of that path (or of HLA_COMPASS_CONFIG_DIR)',
  ENOTDIR: 'a file stands where a directory is expected: move it or point the command elsewhere',
  EEXIST: 'a file stands where a directory is expected: move it or point the command elsewhere',
  EISDIR: 'a directory stands where a file is expected',
  ENOSPC: 'the disk is full: free some space and try again',
  EROFS: 'the file system is read-only: point the command at a writable directory',
};

/** File-system failures are the user's environment, not a bug: say so and how to fix it. */
function fileSystemError(error: unknown): CliError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const hint = code === undefined ? undefined : FILE_SYSTEM_HINTS[code];
  if (code === undefined || hint === undefined || !(error instanceof Error)) return undefined;
  return new RejectedError(error.message, { code: relayed(code), hint, cause: error });
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? mapStackTrace(cause.stack ?? cause.message) : String(cause);
}
