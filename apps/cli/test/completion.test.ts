// `hla-compass completion bash|zsh|fish` as users load it: each script sourced in the real shell
// (bash, zsh and fish, installed with apt when missing), its completion function called the way
// the shell calls it, with the built CLI on PATH answering at each Tab.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages, findExecutable, runProcess } from '@hla-compass/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogEntry, catalog, groups } from '../src/commands/catalog.js';
import { candidatesFor } from '../src/completion/candidates.js';
import { globalOptions, longFlag } from '../src/global-options.js';
import { CLI_PATH, runCli } from './cli-process.js';

let root: string;
let env: Record<string, string>;
/** A module directory with files to complete. */
let workDir: string;
const scripts: Record<'bash' | 'zsh' | 'fish', string> = { bash: '', zsh: '', fish: '' };

beforeAll(async () => {
  await ensureDebianPackages(['bash', 'zsh', 'fish'], {
    reason: 'the completion tests (they source the scripts in bash, zsh and fish)',
  });
  root = await mkdtemp(join(tmpdir(), 'hla-completion-'));
  const bin = join(root, 'bin');
  await mkdir(bin);
  // The scripts run `hla-compass` from PATH, as they do once the package is installed.
  await writeFile(
    join(bin, 'hla-compass'),
    `#!/bin/sh\nexec '${process.execPath}' '${CLI_PATH}' "$@"\n`,
  );
  await chmod(join(bin, 'hla-compass'), 0o755);
  env = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: join(root, 'home'),
    HLA_COMPASS_CONFIG_DIR: join(root, 'config'),
  };
  workDir = join(root, 'module');
  await mkdir(join(workDir, 'backend'), { recursive: true });
  await writeFile(join(workDir, 'manifest.json'), '{}');
  await writeFile(join(workDir, 'manual.md'), '');
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const printed = await runCli(['completion', shell], { cwd: root, env });
    expect(printed.code).toBe(0);
    scripts[shell] = join(root, `completion.${shell}`);
    await writeFile(scripts[shell], printed.stdout);
  }
});
afterAll(() => (root === undefined ? undefined : rm(root, { recursive: true, force: true })));

async function shell(program: string, args: string[]): Promise<string> {
  const executable = await findExecutable(program, env.PATH);
  if (executable === undefined) throw new Error(`${program} is not on PATH after the install`);
  const result = await runProcess(executable, args, { cwd: workDir, env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

/** COMPREPLY after bash calls the completion function for these words, the last one current. */
async function bashCompletes(words: string[]): Promise<string[]> {
  const quoted = words.map((word) => `'${word}'`).join(' ');
  const output = await shell('bash', [
    '--norc',
    '-c',
    `source '${scripts.bash}'
     [[ "$(complete -p hla-compass)" == "complete -F _hla_compass hla-compass" ]] || exit 3
     COMP_WORDS=(hla-compass ${quoted}); COMP_CWORD=${words.length}
     _hla_compass
     printf '%s\\n' "\${COMPREPLY[@]}"`,
  ]);
  return output.split('\n').filter((line) => line !== '');
}

describe('bash', () => {
  it('completes command names from the catalog', async () => {
    expect(await bashCompletes(['pu'])).toEqual(['push', 'publish', 'publish-status']);
    expect(await bashCompletes(['keys', ''])).toEqual([
      'init',
      'show',
      'register',
      'list',
      'revoke',
    ]);
    expect(await bashCompletes(['help', 'mo'])).toEqual(['modules']);
  });

  it("completes a command's own options and the global ones, less those already given", async () => {
    const options = await bashCompletes(['build', '--json', '--']);
    expect(options).toEqual(expect.arrayContaining(['--no-cache', '--push', '--env', '--help']));
    expect(options).not.toContain('--json');
    expect(await bashCompletes(['publish', '--s'])).toEqual(['--scope']);
  });

  it('completes the values of --env, also after `=`, and of a choice option', async () => {
    expect(await bashCompletes(['--env', ''])).toEqual(['local', 'dev', 'staging', 'prod']);
    // bash splits `--env=st` into `--env`, `=`, `st`.
    expect(await bashCompletes(['modules', 'list', '--env', '=', 'st'])).toEqual(['staging']);
    expect(await bashCompletes(['--env', '='])).toEqual(['local', 'dev', 'staging', 'prod']);
    expect(await bashCompletes(['init', 'x', '--template', 'w'])).toEqual(['with-ui']);
    expect(await bashCompletes(['completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });

  it('completes file names for a path option, and nothing for a free-form value', async () => {
    expect(await bashCompletes(['validate', '--manifest', 'ma'])).toEqual([
      'manifest.json',
      'manual.md',
    ]);
    expect(await bashCompletes(['build', '--tag', ''])).toEqual([]);
  });
});

describe('zsh', () => {
  // _describe and _files need a live completion widget: stand-ins print what they were given.
  const standIns = `_describe() { local name=\${@[-1]}; print -rl -- "\${(@P)name}"; }
    _files() { print -r -- '<files>'; }`;

  it('registers _hla_compass for hla-compass when sourced after compinit, with descriptions', async () => {
    const output = await shell('zsh', [
      '-f',
      '-c',
      `autoload -Uz compinit && compinit -u -d '${root}/zcompdump'
       source '${scripts.zsh}'
       print -r -- "registered: $_comps[hla-compass]"
       ${standIns}
       words=(hla-compass pu); CURRENT=2; _hla_compass
       words=(hla-compass --env=s); CURRENT=2; _hla_compass
       words=(hla-compass validate --manifest ''); CURRENT=4; _hla_compass`,
    ]);
    expect(output.split('\n')).toEqual([
      'registered: _hla_compass',
      'push:Push the image to its registry and record its digest',
      'publish:Sign and register the module version with an environment',
      'publish-status:Show (or --watch) the state of a publish',
      '--env=staging:',
      '<files>',
      '',
    ]);
  });

  it('works from $fpath too, as the _hla-compass file compinit autoloads', async () => {
    const fpath = join(root, 'zsh-functions');
    await mkdir(fpath, { recursive: true });
    await writeFile(join(fpath, '_hla-compass'), await readFile(scripts.zsh, 'utf8'));
    const output = await shell('zsh', [
      '-f',
      '-c',
      `fpath=('${fpath}' $fpath)
       autoload -Uz compinit && compinit -u -d '${root}/zcompdump-fpath'
       print -r -- "registered: $_comps[hla-compass]"
       ${standIns}
       words=(hla-compass keys re); CURRENT=3; _hla-compass`,
    ]);
    expect(output.split('\n')).toEqual([
      'registered: _hla-compass',
      'register:Register the public key with an environment',
      'revoke:Revoke a registered key',
      '',
    ]);
  });
});

describe('fish', () => {
  const fishCompletes = async (line: string) =>
    (await shell('fish', ['--no-config', '-c', `source '${scripts.fish}'; complete -C '${line}'`]))
      .split('\n')
      .filter((entry) => entry !== '');

  it('completes commands with their summaries, options and values', async () => {
    expect(await fishCompletes('hla-compass pu')).toEqual([
      'publish\tSign and register the module version with an environment',
      'publish-status\tShow (or --watch) the state of a publish',
      'push\tPush the image to its registry and record its digest',
    ]);
    expect(await fishCompletes('hla-compass keys show --j')).toEqual([
      '--json\tprint the result as one JSON document on stdout',
    ]);
    expect(await fishCompletes('hla-compass --env ')).toEqual(['dev', 'local', 'prod', 'staging']);
    expect(await fishCompletes('hla-compass validate --manifest ma')).toEqual([
      'manifest.json',
      'manual.md',
    ]);
  });
});

describe('the candidates', () => {
  const loadNothing = async (entry: CatalogEntry) => {
    throw new Error(`loaded ${entry.path.join(' ')}`);
  };

  it('offers every command and group of the catalog, with its summary, at its level', async () => {
    const top = (await candidatesFor([''], loadNothing)).candidates;
    for (const entry of catalog) {
      const [first] = entry.path;
      const summary = entry.path.length === 1 ? entry.summary : groups[first ?? '']?.summary;
      expect(top).toContainEqual({ value: first, description: summary });
    }
    for (const entry of catalog.filter((candidate) => candidate.path.length === 2)) {
      const below = (await candidatesFor([entry.path[0] ?? '', ''], loadNothing)).candidates;
      expect(below).toContainEqual({ value: entry.path[1], description: entry.summary });
    }
  });

  it.each(catalog.map((entry) => [entry.path.join(' '), entry] as const))(
    'offers every option of `%s`, and loads that command alone',
    async (_name, entry) => {
      const loaded: string[] = [];
      const completion = await candidatesFor([...entry.path, '--'], async (candidate) => {
        loaded.push(candidate.path.join(' '));
        return candidate.load();
      });
      expect(loaded).toEqual([entry.path.join(' ')]);
      const definition = await entry.load();
      const offered = completion.candidates.map(({ value }) => value);
      for (const spec of [...Object.values(definition.options), ...globalOptions]) {
        expect(offered).toContain(longFlag(spec.flags));
      }
    },
  );
});
