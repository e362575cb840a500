// The command framework: builds the commander tree from the catalog, loads and runs the selected
// command, and turns every outcome into the documented exit code and output (SPEC §8).
import { redactSecrets } from '@hla-compass/platform-api/redaction';
import { Command, CommanderError, Option } from 'commander';
import type { CommandDefinition } from './command.js';
import { type CatalogEntry, catalog, groups } from './commands/catalog.js';
import { type CommandContext, createContext, type GlobalOptions, type System } from './context.js';
import { CliError, ExitCode, RejectedError } from './errors.js';
import { colorEnabled, createStyle } from './terminal.js';
import { CLI_VERSION } from './version.js';

const PROGRAM = 'hla-compass';

/** Global options that take a value: their value must not be mistaken for a command word. */
const GLOBAL_VALUE_OPTIONS = new Set(['--env', '--api-url', '--console-url']);

/** Runs one invocation and resolves to its exit code; never throws. */
export async function run(argv: readonly string[], system: System): Promise<number> {
  // `help keys init` is `keys init --help`: commander's own help command stops at one level.
  if (argv[0] === 'help' && argv.length > 1) argv = [...argv.slice(1), '--help'];
  const selected = selectEntry(argv);
  let context: CommandContext | undefined;
  let exitCode: number = ExitCode.ok;

  const program = createRootCommand(system);
  let definition: CommandDefinition | undefined;
  try {
    definition = await selected?.load();
  } catch (error) {
    return reportError(error, undefined, system, argv.includes('--verbose'));
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
      return commanderExitCode(error, selected, system);
    }
    return reportError(error, context, system, argv.includes('--verbose'));
  }
}

function createRootCommand(system: System): Command {
  const program = new Command(PROGRAM)
    .description(
      'Build, push and publish HLA-Compass modules, container-first.\n\n' +
        'A module is a directory with manifest.json and backend/. `hla-compass build` makes its ' +
        'image, `hla-compass push` (or docker push) puts it in an approved registry, and ' +
        '`hla-compass publish --env E` signs the manifest and registers the version.',
    )
    .version(CLI_VERSION, '-V, --version', 'print the version and exit')
    .addOption(new Option('--env <name>', 'platform environment: local, dev, staging or prod'))
    .addOption(new Option('--api-url <url>', 'API base URL (beats HLA_API_ENDPOINT and config)'))
    .addOption(new Option('--console-url <url>', 'console (login page) URL for `auth login`'))
    .option('--json', 'print the result as one JSON document on stdout')
    .option('--verbose', 'debug logs and stack traces on stderr')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command...]', 'show help for a command')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => system.stdout.write(text),
      // Commander's messages quote the arguments as typed (an unknown option, a bad value).
      writeErr: (text) => system.stderr.write(redactSecrets(text)),
      outputError: (text, write) =>
        write(
          text.replace(
            /^error:/,
            createStyle(colorEnabled(system.stderr, system.env)).red('error:'),
          ),
        ),
    });
  return program;
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
    const groupSummary = index < path.length - 1 ? groups[word] : undefined;
    if (groupSummary !== undefined) parent.summary(groupSummary).description(groupSummary);
  }
  return parent;
}

function describeCommand(command: Command, definition: CommandDefinition): void {
  command.description(definition.description);
  for (const argument of definition.arguments ?? []) {
    const syntax = argument.required ? `<${argument.name}>` : `[${argument.name}]`;
    command.argument(syntax, argument.description);
  }
  for (const spec of Object.values(definition.options)) {
    const commanderOption = new Option(spec.flags, spec.description);
    if (spec.choices) commanderOption.choices(spec.choices);
    if (spec.defaultValue !== undefined) commanderOption.default(spec.defaultValue);
    command.addOption(commanderOption);
  }
  if (definition.examples.length > 0) {
    const width = Math.max(...definition.examples.map((example) => example.command.length));
    const lines = definition.examples.map(
      (example) => `  $ ${example.command.padEnd(width)}  # ${example.description}`,
    );
    command.addHelpText('after', `\nExamples:\n${lines.join('\n')}\n`);
  }
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

function commanderExitCode(
  error: CommanderError,
  selected: CatalogEntry | undefined,
  system: System,
): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
    return ExitCode.ok;
  }
  // `hla-compass help …` exits 0; a bare group (`hla-compass keys`) shows help as an error.
  if (error.code === 'commander.help') {
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.invalidInput;
  }
  const helpFor = selected ? `${PROGRAM} ${selected.path.join(' ')} --help` : `${PROGRAM} --help`;
  const style = createStyle(colorEnabled(system.stderr, system.env));
  system.stderr.write(`${style.cyan('hint:')} run \`${helpFor}\` for usage\n`);
  return ExitCode.invalidInput;
}

/** Prints an error the way SPEC §8 wants it: what failed, why, what next; no stack unless --verbose. */
function reportError(
  error: unknown,
  context: CommandContext | undefined,
  system: System,
  verbose: boolean,
): number {
  const style = createStyle(colorEnabled(system.stderr, system.env));
  // A bug's message and stack may quote input too: every line written is redacted.
  const write = (line: string) => system.stderr.write(`${redactSecrets(line)}\n`);
  const known = error instanceof CliError ? error : fileSystemError(error);
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
    write(style.dim(error.stack ?? String(error)));
    if (error.cause !== undefined) write(style.dim(`caused by: ${describeCause(error.cause)}`));
  }
  if (context?.globals.json && !context.output.resultWritten) {
    const body = {
      error: {
        code: known?.code ?? 'INTERNAL',
        message,
        ...(hint ? { hint } : {}),
        ...(known?.requestId ? { requestId: known.requestId } : {}),
        ...(known?.details === undefined ? {} : { details: known.details }),
      },
    };
    system.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  }
  return known?.exitCode ?? ExitCode.rejected;
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
  if (hint === undefined || !(error instanceof Error)) return undefined;
  return new RejectedError(error.message, { code, hint, cause: error });
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
}
