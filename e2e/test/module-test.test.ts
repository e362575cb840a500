// `hla-compass test` as a user runs it before publishing, with the installed CLI and a real engine:
// both templates pass out of the box; the runtime contract (payload, context, output, variables,
// limits, no network); a module that reports an error, crashes, outlives its timeout or writes
// results that break "outputs"; a payload that breaks "inputs"; and the --watch loop.
import { spawn } from 'node:child_process';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureRuntimeImage, RUNTIME_IMAGE_TAG, runProcess } from '@hla-compass/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserMachine, transcript, type UserMachine, world } from './user-machine.js';

let runtimeWasThere = false;
const built = new Set<string>();

beforeAll(async () => {
  const present = await runProcess(world.dockerCli, [
    '--host',
    world.dockerHost,
    'image',
    'inspect',
    RUNTIME_IMAGE_TAG,
  ]);
  runtimeWasThere = present.code === 0;
  await ensureRuntimeImage(world.dockerHost);
});

afterAll(async () => {
  // On an engine that was already running, only what this file made goes (a private one goes whole).
  const docker = (args: string[]) =>
    runProcess(world.dockerCli, ['--host', world.dockerHost, ...args]);
  if (built.size > 0) await docker(['image', 'rm', '--force', ...built]);
  if (!runtimeWasThere) await docker(['image', 'rm', RUNTIME_IMAGE_TAG]);
});

/** The flags of every test here: the runtime image as base, a tag the global teardown removes. */
function buildFlags(name: string): string[] {
  const tag = `${world.plainRegistry}/your-org/${name}:0.1.0`;
  built.add(tag);
  return ['--base-image', RUNTIME_IMAGE_TAG, '--tag', tag];
}

/** The parts of a template's manifest the scenarios change. */
type EditableManifest = {
  execution: Record<string, unknown>;
  resources: Record<string, unknown>;
  [field: string]: unknown;
};

async function editManifest(dir: string, edit: (manifest: EditableManifest) => void) {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8')) as EditableManifest;
  edit(manifest);
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

const BEHAVIOURS = ['ok', 'error', 'crash', 'sleep', 'bad_output'];

/** A module that does what its input's "behaviour" says; resources.timeout is 3 s. */
async function behavioursModule(machine: UserMachine): Promise<string> {
  const dir = await machine.init('behaviours');
  await writeFile(
    join(dir, 'backend', 'main.py'),
    [
      'import os',
      'import sys',
      'import time',
      '',
      'from hla_compass import Module',
      '',
      '',
      'class Behaviours(Module):',
      '    def execute(self, input_data, context):',
      '        behaviour = input_data["behaviour"]',
      '        print(f"behaviour {behaviour} started", flush=True)',
      '        if behaviour == "error":',
      '            raise ValueError("no peptides to score")',
      '        if behaviour == "crash":',
      '            print("about to crash", file=sys.stderr, flush=True)',
      '            os._exit(3)',
      '        if behaviour == "sleep":',
      '            time.sleep(60)',
      '        if behaviour == "bad_output":',
      '            return [{"peptide": "SIINFEKL", "length": "eight"}]',
      '        return [{"peptide": "SIINFEKL", "length": 8}]',
      '',
    ].join('\n'),
  );
  await editManifest(dir, (manifest) => {
    manifest.execution.entrypoint = 'backend.main:Behaviours';
    manifest.resources.timeout = 3;
    manifest.inputs = {
      type: 'object',
      additionalProperties: false,
      required: ['behaviour'],
      properties: { behaviour: { type: 'string', enum: BEHAVIOURS, default: 'ok' } },
    };
  });
  return dir;
}

async function behave(machine: UserMachine, dir: string, behaviour: string, json = true) {
  const input = join(dir, `${behaviour}.json`);
  await writeFile(input, JSON.stringify({ behaviour }));
  return machine.hlaCompass(
    ['test', ...buildFlags('behaviours'), '--input', input, ...(json ? ['--json'] : [])],
    { cwd: dir },
  );
}

describe('hla-compass test', () => {
  it('passes the no-ui template out of the box; bytecode at any depth stays out of the image', async () => {
    const machine = await newUserMachine();
    const dir = await machine.init('fresh-module');
    // Left by a local Python run: .dockerignore must keep them out at every depth.
    await writeFile(join(dir, 'backend', 'x.pyc'), 'bytecode');
    await mkdir(join(dir, 'backend', 'lib', '.venv'), { recursive: true });
    await writeFile(join(dir, 'backend', 'lib', 'util.py'), 'VALUE = 1\n');
    await writeFile(join(dir, 'backend', 'lib', 'deep.pyc'), 'bytecode');
    await writeFile(join(dir, 'backend', 'lib', '.venv', 'pyvenv.cfg'), 'home = /usr\n');

    const result = await machine.hlaCompass(['test', ...buildFlags('fresh-module')], { cwd: dir });
    expect(result.stderr).not.toMatch(/^(error|warning):/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ Test passed: fresh-module@0.1.0');
    expect(result.stdout).toContain('"peptide": "GILGFVFTL"');

    const files = await machine.docker([
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      '/bin/sh',
      `${world.plainRegistry}/your-org/fresh-module:0.1.0`,
      '-c',
      // The image has no find: the shell's globs (which skip dot files) and a test for dot dirs.
      'cd /app && for f in * */* */*/* */*/*/*; do [ -f "$f" ] && echo "$f"; done; [ -e backend/lib/.venv ] && echo .venv',
    ]);
    expect(files.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'backend/__init__.py',
      'backend/lib/util.py',
      'backend/main.py',
      'backend/requirements.txt',
      'manifest.json',
    ]);
  });

  it('passes the with-ui template out of the box, with --json', async () => {
    const machine = await newUserMachine();
    const init = await machine.hlaCompass([
      'init',
      'fresh-viewer',
      '--template',
      'with-ui',
      '--json',
    ]);
    expect(init.code).toBe(0);
    const { directory } = JSON.parse(init.stdout) as { directory: string };
    const result = await machine.hlaCompass(['test', ...buildFlags('fresh-viewer'), '--json'], {
      cwd: directory,
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toEqual({
      passed: true,
      exitCode: 0,
      durationMs: expect.any(Number),
      output: expect.objectContaining({
        status: 'success',
        results: [
          { peptide: 'SIINFEKL', length: 8 },
          { peptide: 'GILGFVFTL', length: 9 },
          { peptide: 'NLVPMVATV', length: 9 },
        ],
      }),
      issues: [],
    });
  });

  it('runs the module by the runtime contract: payload, context, output, variables, limits, no network', async () => {
    const machine = await newUserMachine();
    const dir = await machine.init('contract-probe');
    await writeFile(
      join(dir, 'backend', 'main.py'),
      [
        'import json',
        'import os',
        '',
        'from hla_compass import Module',
        '',
        '',
        'def first_line(*paths):',
        '    for path in paths:',
        '        if os.path.exists(path):',
        '            with open(path) as handle:',
        '                return handle.read().strip()',
        '    return None',
        '',
        '',
        'class Probe(Module):',
        '    def execute(self, input_data, context):',
        '        with open("/var/context.json") as handle:',
        '            mounted = json.load(handle)',
        '        names = ["HLA_COMPASS_ENV", "HLA_COMPASS_OFFLINE", "HLA_COMPASS_OUTPUT",',
        '                 "HLA_COMPASS_RUN_MODE", "HLA_API_ENDPOINT", "LOG_LEVEL"]',
        '        return {',
        '            "payload": input_data,',
        '            "context": mounted,',
        '            "env": {name: os.environ.get(name) for name in names},',
        '            "hasToken": bool(os.environ.get("HLA_ACCESS_TOKEN")),',
        '            "interfaces": sorted(os.listdir("/sys/class/net")),',
        '            "memoryLimit": first_line("/sys/fs/cgroup/memory.max",',
        '                                      "/sys/fs/cgroup/memory/memory.limit_in_bytes"),',
        '            "outputDirWritable": os.access("/var/dev-out", os.W_OK),',
        '        }',
        '',
      ].join('\n'),
    );
    await editManifest(dir, (manifest) => {
      manifest.execution = { entrypoint: 'backend.main:Probe', supports: ['async'] };
      manifest.resources = {
        memory: 512,
        vcpus: 1,
        timeout: 60,
        environment: { LOG_LEVEL: 'DEBUG' },
      };
      manifest.inputs = {
        type: 'object',
        properties: {
          label: { type: 'string', default: 'probe' },
          options: {
            type: 'object',
            properties: { depth: { type: 'integer', default: 2 }, name: { type: 'string' } },
          },
        },
      };
      manifest.outputs = { type: 'object', required: ['payload', 'context'] };
    });

    // A token in the user's shell is the CLI's, never the module's.
    const offline = await machine.hlaCompass(
      ['test', ...buildFlags('contract-probe'), '--json', '--env', 'staging'],
      { cwd: dir, env: { HLA_ACCESS_TOKEN: 'host-shell-token-not-for-modules' } },
    );
    expect(offline.code).toBe(0);
    const seen = JSON.parse(offline.stdout).output.results;
    expect(seen.payload).toEqual({ label: 'probe', options: { depth: 2 } });
    expect(seen.context).toEqual({
      run_id: expect.stringMatching(/^local-[0-9a-f]{8}$/),
      job_id: 'local',
      module_id: 'contract-probe',
      module_version: '0.1.0',
      organization_id: 'local',
      user_id: 'local',
      roles: ['developer'],
      environment: 'staging',
      correlation_id: expect.any(String),
      requested_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      mode: 'async',
      offline: true,
    });
    expect(seen.env).toEqual({
      HLA_COMPASS_ENV: 'staging',
      HLA_COMPASS_OFFLINE: '1',
      HLA_COMPASS_OUTPUT: '/var/dev-out/output.json',
      HLA_COMPASS_RUN_MODE: 'async',
      HLA_API_ENDPOINT: null,
      LOG_LEVEL: 'DEBUG',
    });
    expect(seen.hasToken).toBe(false);
    expect(seen.interfaces).toEqual(['lo']);
    expect(seen.memoryLimit).toBe(String(512 * 1024 * 1024));
    expect(seen.outputDirWritable).toBe(true);

    // The module's own calls get the env's session only when asked for.
    await machine.login('developer', 'dev');
    const withCredentials = await machine.hlaCompass(
      ['test', ...buildFlags('contract-probe'), '--json', '--env', 'dev', '--with-credentials'],
      { cwd: dir },
    );
    expect(withCredentials.code).toBe(0);
    const online = JSON.parse(withCredentials.stdout).output.results;
    expect(online.hasToken).toBe(true);
    expect(online.env.HLA_COMPASS_OFFLINE).toBeNull();
    expect(online.env.HLA_API_ENDPOINT).toBe(`${world.emulatorUrl}/dev`);
    expect(online.context.offline).toBe(false);
  });

  it('fails with exit 1 and the module message when the module reports an error', async () => {
    const machine = await newUserMachine();
    const dir = await behavioursModule(machine);
    const result = await behave(machine, dir, 'error', false);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ Test failed: behaviours@0.1.0');
    expect(result.stdout).toContain('the module reported module_error: no peptides to score');
    expect(result.stdout).toContain('[module.error]');
    expect(result.stdout).toMatch(/│ behaviour error started/);
  });

  it('fails with exit 1, the exit code and the end of its log when the module crashes', async () => {
    const machine = await newUserMachine();
    const dir = await behavioursModule(machine);
    const result = await behave(machine, dir, 'crash');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ passed: false, exitCode: 3, output: null });
    expect(report.issues).toEqual([
      { code: 'module.crashed', path: '', message: "the module's container exited with code 3" },
    ]);
    const text = await behave(machine, dir, 'crash', false);
    expect(text.stdout).toMatch(/│ about to crash/);
  });

  it('stops a module that outlives resources.timeout, exit 1', async () => {
    const machine = await newUserMachine();
    const dir = await behavioursModule(machine);
    const result = await behave(machine, dir, 'sleep');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.issues).toEqual([
      {
        code: 'module.timeout',
        path: '',
        message:
          'the module ran longer than resources.timeout (3 s) and was stopped: make it faster, or raise resources.timeout (at most 900)',
      },
    ]);
    expect(report.durationMs).toBeGreaterThanOrEqual(3000);
    const left = await machine.docker([
      'ps',
      '--all',
      '--quiet',
      '--filter',
      'label=io.hla-compass.test',
    ]);
    expect(left.stdout.trim()).toBe('');
  });

  it('fails results that break manifest.json "outputs", exit 1, naming the field', async () => {
    const machine = await newUserMachine();
    const dir = await behavioursModule(machine);
    const result = await behave(machine, dir, 'bad_output');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).issues).toEqual([
      {
        code: 'output.invalid_type',
        path: '/results/0/length',
        message: 'results[0].length must be an integer, got "eight"',
      },
    ]);
  });

  it('refuses a payload that breaks manifest.json "inputs" with exit 2, before building anything', async () => {
    const machine = await newUserMachine();
    const dir = await machine.init('bad-input');
    const input = join(dir, 'bad.json');
    await writeFile(
      input,
      JSON.stringify({ peptides: ['SIINFEKL', 'not a peptide'], minLength: 0 }),
    );
    const result = await machine.hlaCompass(
      ['test', ...buildFlags('bad-input'), '--input', input, '--json'],
      { cwd: dir },
    );
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      passed: false,
      exitCode: null,
      durationMs: 0,
      output: null,
      issues: [
        {
          code: 'input.pattern',
          path: '/peptides/1',
          message: 'input.peptides[1] "not a peptide" must match ^[ACDEFGHIKLMNPQRSTVWY]+$',
        },
        {
          code: 'input.too_small',
          path: '/minLength',
          message: 'input.minLength must be at least 1, got 0: Shortest peptide to keep',
        },
      ],
    });
    const text = await machine.hlaCompass(['test', '--input', input], { cwd: dir });
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('The input does not fit manifest.json "inputs"');
    await expect(readFile(join(dir, '.hla-compass', 'build.json'))).rejects.toThrow(/ENOENT/);
  });

  it('--watch reruns after a change to backend/ and ends on Ctrl-C with exit 130', async () => {
    const machine = await newUserMachine();
    const dir = await machine.init('watched');
    const child = spawn(world.cliBin, ['test', '--watch', ...buildFlags('watched')], {
      cwd: dir,
      env: machine.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const until = async (pattern: RegExp, count: number) => {
      const deadline = Date.now() + 120_000;
      while ((stderr.match(new RegExp(pattern, 'g')) ?? []).length < count) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no ${count}× ${pattern} in:\n${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await until(/Watching backend\/ and manifest\.json/, 1);
      expect(stderr).toContain('✓ Test passed: watched@0.1.0');
      await appendFile(
        join(dir, 'backend', 'main.py'),
        '\n\nclass NoUIModule(NoUIModule):\n    def execute(self, input_data, context):\n        return {"status": "success", "results": [{"peptide": "WATCHED", "length": 7}]}\n',
      );
      await until(/Watching backend\/ and manifest\.json/, 2);
      expect(stderr).toContain('Changed: backend/main.py');
      expect(stderr).toContain('"peptide": "WATCHED"');
    } finally {
      child.kill('SIGINT');
      transcript.push(stdout, stderr);
    }
    expect(await exited).toBe(130);
    expect(stderr).toContain('Stopped watching.');
    const left = await machine.docker([
      'ps',
      '--all',
      '--quiet',
      '--filter',
      'label=io.hla-compass.test',
    ]);
    expect(left.stdout.trim()).toBe('');
  });
});
