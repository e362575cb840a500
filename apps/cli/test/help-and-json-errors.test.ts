// What the top-level help tells (environment variables, exit codes, where the docs are), the
// examples of every command group, and --json for usage errors: one JSON document on stdout,
// shaped like every other --json error. The built CLI as a subprocess.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog, groups } from '../src/commands/catalog.js';
import { variables } from '../src/config/variables.js';
import { ExitCode, exitCodeMeanings } from '../src/errors.js';
import { DOCS_URL } from '../src/program.js';
import { createSandbox, type Sandbox } from './cli-process.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(() => sandbox.cleanup());

describe('hla-compass --help', () => {
  it('names every environment variable the CLI reads, each with what it does', async () => {
    const { stdout, code } = await sandbox.run(['--help']);
    expect(code).toBe(0);
    const section = stdout.split('Environment variables:\n')[1]?.split('\n\n')[0] ?? '';
    const names = section.split('\n').filter((line) => /^ {2}\S/.test(line));
    expect(names.map((line) => line.trim())).toEqual(variables.map((variable) => variable.name));
    // The description follows its name, wrapped: its first words open the next line.
    for (const variable of variables) {
      const firstWords = variable.description.split(' ').slice(0, 3).join(' ');
      expect(section).toContain(`  ${variable.name}\n      ${firstWords}`);
    }
  });

  it('lists the exit codes and their meanings, and links the docs', async () => {
    const { stdout } = await sandbox.run(['--help']);
    const section = stdout.split('Exit codes:\n')[1]?.split('\n\n')[0] ?? '';
    for (const code of Object.values(ExitCode)) {
      const firstWords = exitCodeMeanings[code].split(' ').slice(0, 4).join(' ');
      expect(section).toMatch(
        new RegExp(`^ {2}${code} {2}${firstWords.replace(/[()]/g, '\\$&')}`, 'm'),
      );
    }
    expect(stdout).toContain(`Docs:\n  ${DOCS_URL}`);
  });

  it('keeps those sections to the top level', async () => {
    const { stdout } = await sandbox.run(['keys', 'init', '--help']);
    expect(stdout).not.toContain('Environment variables:');
    expect(stdout).not.toContain('Exit codes:');
  });

  it.each(Object.entries(groups))(
    'gives the group `%s` examples in its help',
    async (name, group) => {
      const { stdout, code } = await sandbox.run([name, '--help']);
      expect(code).toBe(0);
      const examples = stdout.split('\nExamples:\n')[1] ?? '';
      expect(group.examples.length).toBeGreaterThan(0);
      for (const example of group.examples) {
        expect(examples).toContain(`$ ${example.command}`);
        expect(examples).toContain(`# ${example.description}`);
      }
      // Each example runs a command of the group.
      for (const example of group.examples) {
        const ran = catalog.filter((entry) => entry.path[0] === name);
        expect(
          ran.some((entry) => example.command.includes(`hla-compass ${entry.path.join(' ')}`)),
        ).toBe(true);
      }
    },
  );
});

describe('--json usage errors', () => {
  it.each([
    [['--json', 'bogus'], 'UNKNOWN_COMMAND', "unknown command 'bogus'", 'hla-compass --help'],
    [
      ['validate', '--bogus', '--json'],
      'UNKNOWN_OPTION',
      "unknown option '--bogus'",
      'hla-compass validate --help',
    ],
    [
      ['init', '--json'],
      'MISSING_ARGUMENT',
      "missing required argument 'name'",
      'hla-compass init --help',
    ],
    [
      ['publish-status', 'a', 'b', '--json'],
      'TOO_MANY_ARGUMENTS',
      'too many arguments',
      'hla-compass publish-status --help',
    ],
    [
      ['--json', 'publish-status', 'x', '--timeout'],
      'MISSING_OPTION_VALUE',
      "option '--timeout <seconds>' argument missing",
      'hla-compass publish-status --help',
    ],
    [
      ['init', 'x', '--template', 'gui', '--json'],
      'INVALID_ARGUMENT',
      'Allowed choices are no-ui, with-ui',
      'hla-compass init --help',
    ],
    [
      ['completion', 'pwsh', '--json'],
      'INVALID_ARGUMENT',
      'Allowed choices are bash, zsh, fish',
      'hla-compass completion --help',
    ],
    [
      ['--json', 'keys'],
      'COMMAND_REQUIRED',
      '`hla-compass keys` needs a command: init, show, register, list, revoke',
      'hla-compass keys --help',
    ],
    [
      ['--json'],
      'COMMAND_REQUIRED',
      '`hla-compass` needs a command: init, validate, build',
      'hla-compass --help',
    ],
  ])(
    '%j prints one {"error"} document on stdout and exits 2',
    async (args, code, message, help) => {
      const result = await sandbox.run(args);
      expect(result.code).toBe(2);
      const { error, ...rest } = JSON.parse(result.stdout);
      expect(rest).toEqual({});
      expect(error).toEqual({
        code,
        message: expect.stringContaining(message),
        hint: `run \`${help}\` for usage`,
      });
      // The human message stays on stderr.
      expect(result.stderr).toMatch(/error:|Usage:/);
    },
  );

  it('is shaped like the JSON of an error a command reports', async () => {
    const usage = JSON.parse((await sandbox.run(['--json', 'bogus'])).stdout);
    const command = JSON.parse(
      (await sandbox.run(['env', 'list', '--json'], { env: { HLA_COMPASS_ENV: 'qa' } })).stdout,
    );
    expect(Object.keys(usage)).toEqual(Object.keys(command));
    expect(Object.keys(usage.error)).toEqual(expect.arrayContaining(['code', 'message']));
    expect(Object.keys(command.error)).toEqual(['code', 'message']);
  });

  it('prints nothing on stdout without --json, and takes no --json after `--`', async () => {
    expect((await sandbox.run(['bogus'])).stdout).toBe('');
    const afterDashes = await sandbox.run(['init', '--', '--json']);
    expect(afterDashes.code).not.toBe(0);
    expect(afterDashes.stdout).toBe('');
  });

  it('redacts credentials a user typed into a usage error', async () => {
    const result = await sandbox.run(['--json', 'https://user:hunter22@example.com']);
    expect(result.code).toBe(2);
    expect(result.stdout).not.toContain('hunter22');
    expect(JSON.parse(result.stdout).error.message).toContain('***@example.com');
  });
});
