// The command framework as users meet it: help, version, usage errors and their exit codes,
// --json errors, colour rules. Runs the built CLI.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../src/commands/catalog.js';
import { CLI_PATH, createSandbox, type Sandbox } from './cli-process.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(() => sandbox.cleanup());

describe('hla-compass', () => {
  it('prints the version of its package.json with --version and exits 0', async () => {
    const { version } = JSON.parse(
      await readFile(new URL('../package.json', import.meta.url), 'utf8'),
    );
    const result = await sandbox.run(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('answers -V, and --version beside other options, as --version alone', async () => {
    // `--version` alone is answered before commander loads (main.ts); with other options it is
    // commander's: both must print the same.
    const alone = await sandbox.run(['--version']);
    for (const args of [['-V'], ['--version', '--json'], ['--no-color', '-V']]) {
      expect(await sandbox.run(args)).toMatchObject({ code: 0, stdout: alone.stdout, stderr: '' });
    }
  });

  it.each([['--version'], ['--help'], ['env list'], ['env list --json']])(
    'exits 0 without a word on stderr when stdout is a closed pipe: %s',
    async (args) => {
      // `hla-compass … | head -n 0`: the reader is gone before the CLI writes (closed here right
      // after the spawn, long before the child's Node has started), so every write fails with EPIPE.
      const child = spawn(process.execPath, [CLI_PATH, ...args.split(' ')], {
        cwd: sandbox.dir,
        env: sandbox.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    },
  );

  it('lists every command of the catalog in its help', async () => {
    const result = await sandbox.run(['--help']);
    expect(result.code).toBe(0);
    for (const entry of catalog) {
      expect(result.stdout).toMatch(new RegExp(`^  ${entry.path[0]} `, 'm'));
    }
    expect(result.stdout).toMatch(/--env <name>/);
    expect(result.stdout).toMatch(/--json/);
  });

  it('shows help on stdout and exits 0 when run without arguments', async () => {
    const result = await sandbox.run([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: hla-compass');
  });

  it.each(catalog.map((entry) => [entry.path.join(' ')]))(
    'gives `%s --help` a description, examples and the global options',
    async (path) => {
      const result = await sandbox.run([...path.split(' '), '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: hla-compass ${path}`);
      expect(result.stdout).toMatch(/Examples:\n {2}\$ hla-compass/);
      expect(result.stdout).toContain('Global Options:');
    },
  );

  it('answers `help keys init` like `keys init --help`', async () => {
    const viaHelp = await sandbox.run(['help', 'keys', 'init']);
    const viaFlag = await sandbox.run(['keys', 'init', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
  });

  it('exits 2 with a hint on an unknown option', async () => {
    const result = await sandbox.run(['validate', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
    expect(result.stderr).toContain('hint: run `hla-compass validate --help` for usage');
    expect(result.stdout).toBe('');
  });

  it('exits 2 on an unknown command', async () => {
    const result = await sandbox.run(['deploy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'deploy'");
  });

  it('exits 2 on a missing required argument', async () => {
    const result = await sandbox.run(['init']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'name'");
  });

  it('exits 2 and shows the group help when a group is run without a command', async () => {
    const result = await sandbox.run(['keys']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: hla-compass keys');
  });

  it('refuses a value outside an option’s choices with exit 2', async () => {
    const result = await sandbox.run(['init', 'abc', '--template', 'gui']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Allowed choices are no-ui, with-ui/);
  });

  it.each([['0'], ['abc'], ['1.5'], ['501']])('refuses --limit %s with exit 2', async (value) => {
    const result = await sandbox.run(['modules', 'list', '--limit', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: --limit must be a whole number 1–500, got "${value}"`);
  });

  it('refuses an unknown environment with exit 2, naming the valid ones', async () => {
    const result = await sandbox.run(['env', 'list', '--env', 'production']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error: unknown environment "production" in --env; expected one of local, dev, staging, prod',
    );
  });

  it('prints errors as one JSON document on stdout with --json', async () => {
    const result = await sandbox.run(['env', 'list', '--json'], {
      env: { HLA_COMPASS_ENV: 'qa' },
    });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        code: 'INVALID_INPUT',
        message:
          'unknown environment "qa" in HLA_COMPASS_ENV; expected one of local, dev, staging, prod',
      },
    });
    expect(result.stderr).toContain('error: unknown environment "qa"');
  });

  it('reports a file where the config directory should be as a file-system problem, exit 1, no stack', async () => {
    const result = await sandbox.run(['keys', 'init'], {
      env: { HLA_COMPASS_CONFIG_DIR: '/dev/null/config' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: ENOTDIR/m);
    expect(result.stderr).toContain('hint: a file stands where a directory is expected');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('adds the stack trace with --verbose', async () => {
    const result = await sandbox.run(['keys', 'init', '--verbose'], {
      env: { HLA_COMPASS_CONFIG_DIR: '/dev/null/config' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\n\s+at /);
  });

  it('colours only when asked: never with NO_COLOR, even with FORCE_COLOR', async () => {
    const forced = await sandbox.run(['env', 'list', '--env', 'nope'], {
      env: { FORCE_COLOR: '1' },
    });
    expect(forced.stderr).toContain('\u001b[31merror:');
    const none = await sandbox.run(['env', 'list', '--env', 'nope'], {
      env: { FORCE_COLOR: '1', NO_COLOR: '1' },
    });
    expect(none.stderr).not.toContain('\u001b[');
    const piped = await sandbox.run(['env', 'list', '--env', 'nope']);
    expect(piped.stderr).not.toContain('\u001b[');
  });
});
