// The CI recipes of docs/ci as a module author copies them. The GitHub Actions workflow passes
// action-validator, and its run steps work when run as the runner runs them (bash -eo pipefail,
// the job's env, $GITHUB_ENV, $RUNNER_TEMP); the GitLab snippet is YAML and its script works in
// one shell with the job's variables. Both run against an emulator started for them, the run's
// registry and the CLI installed from verdaccio, which stand in for the services they start.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type ProcessResult,
  type RunningEmulator,
  runProcess,
  startEmulator,
} from '@hla-compass/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { e2eSeed } from '../setup/e2e-seed.js';
import { EMULATOR_BIN } from '../setup/installed-cli.js';
import { parseBlockYaml } from './block-yaml.js';
import {
  actionValidator,
  cliInvocations,
  gitlabJob,
  gitlabSnippet,
  REPOSITORY_ROOT,
  WORKFLOW_FILE,
  type WorkflowStep,
  workflowJob,
} from './ci-recipes.js';
import { machineSecrets, transcript, world } from './user-machine.js';

/** What the recipes reach on the runner's loopback, replaced here by this run's services. */
const PLATFORM_ORIGIN = 'http://127.0.0.1:4100';
const REGISTRY_HOST = '127.0.0.1:5000';
/** The platform's runtime image, which cannot be pulled here: the run's base image stands in. */
const RUNTIME_IMAGE = 'ghcr.io/alitheabio/hla-compass-python:3.11';
const MODULE = 'ci-recipe';
const PUBLISHED = `Published ${MODULE}@0.1.0 to dev (scope org): APPROVED`;

interface CiMachine {
  /** What the runner itself provides: PATH with the installed CLI first, HOME, TMPDIR, Docker. */
  readonly env: Readonly<Record<string, string>>;
  readonly temp: string;
  /** The module's repository, as a checkout gives it: made by the installed `hla-compass init`. */
  readonly moduleDir: string;
  /** The recipe's `hla-compass-platform start`: on a free port, seeded for the run's registry. */
  startPlatform(controlToken: string): Promise<void>;
  /** The job's variables with this run's services in place of the runner's loopback ones. */
  standIn(variables: Readonly<Record<string, string>>): Record<string, string>;
  /** A script in `bash --noprofile --norc -eo pipefail`, as both runners run one. */
  bash(script: string, env: Readonly<Record<string, string>>): Promise<ProcessResult>;
}

async function ciMachine(): Promise<CiMachine> {
  const home = await mkdtemp(join(world.scratchDir, 'ci-runner-'));
  const temp = join(home, 'tmp');
  const dockerConfig = join(home, '.docker');
  const workspace = join(home, 'workspace');
  await Promise.all([mkdir(temp), mkdir(dockerConfig), mkdir(workspace)]);
  const env = {
    PATH: [
      dirname(world.cliBin),
      dirname(process.execPath),
      process.env.PATH ?? '/usr/bin:/bin',
    ].join(':'),
    HOME: home,
    TMPDIR: temp,
    CI: 'true',
    DOCKER_HOST: world.dockerHost,
    DOCKER_CONFIG: dockerConfig,
  };
  const init = await runProcess(world.cliBin, ['init', MODULE], { cwd: workspace, env });
  expect(init.code).toBe(0);

  const standIns = new Map([
    [REGISTRY_HOST, world.plainRegistry],
    [RUNTIME_IMAGE, world.baseImage],
  ]);
  let emulator: RunningEmulator | undefined;
  onTestFinished(async () => {
    await emulator?.stop();
  });
  let scripts = 0;
  return {
    env,
    temp,
    moduleDir: join(workspace, MODULE),
    async startPlatform(controlToken) {
      machineSecrets.push(controlToken);
      const registryPort = Number(world.plainRegistry.split(':')[1]);
      emulator = await startEmulator({
        bin: EMULATOR_BIN,
        seed: await e2eSeed(registryPort, world.guardedRegistry.host),
        env: { HLA_COMPASS_EMULATOR_TOKEN: controlToken },
      });
      standIns.set(PLATFORM_ORIGIN, emulator.url);
    },
    standIn(variables) {
      return Object.fromEntries(
        Object.entries(variables).map(([key, value]) => [
          key,
          [...standIns].reduce((text, [from, to]) => text.replaceAll(from, to), value),
        ]),
      );
    },
    async bash(script, scriptEnv) {
      scripts += 1;
      const file = join(home, `script-${scripts}.sh`);
      await writeFile(file, script);
      const result = await runProcess('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
        cwd: join(workspace, MODULE),
        env: scriptEnv,
      });
      transcript.push(result.stdout, result.stderr);
      return result;
    },
  };
}

/** KEY=VALUE lines a step appended to $GITHUB_ENV (the recipe uses no multi-line value). */
function githubEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/**
 * The steps a run here does not execute: actions (the temp module stands in for the checkout, this
 * Node.js for setup-node), the install (the CLI from verdaccio is on PATH), the emulator's start
 * (ciMachine starts one), and the log dump of a failed job (the run stops at the first failure).
 */
function standsIn(step: WorkflowStep): boolean {
  return (
    step.uses !== undefined ||
    step.id === 'install' ||
    step.id === 'platform' ||
    step.if === 'failure()'
  );
}

describe('the GitHub Actions recipe (docs/ci/github-actions.yml)', () => {
  it('passes action-validator, and a copy with a misspelt step key fails it', async () => {
    const valid = await actionValidator(WORKFLOW_FILE);
    expect(valid.errors).toEqual([]);
    expect(valid.code).toBe(0);

    const dir = await mkdtemp(join(world.scratchDir, 'lint-'));
    const broken = join(dir, 'broken.yml');
    const source = await readFile(WORKFLOW_FILE, 'utf8');
    expect(source).toContain('        run: hla-compass publish\n');
    await writeFile(
      broken,
      source.replace('        run: hla-compass publish\n', '        runs: hla-compass publish\n'),
    );
    const refused = await actionValidator(broken);
    expect(refused.code).toBe(1);
    expect(JSON.stringify(refused.errors)).toContain("Additional property 'runs' is not allowed");
  });

  it('installs the packages this repository publishes and starts the emulator with flags it has', async () => {
    const { steps } = await workflowJob();
    const install = steps.find((step) => step.id === 'install')?.run ?? '';
    for (const dir of ['apps/cli', 'apps/platform']) {
      const text = await readFile(join(REPOSITORY_ROOT, dir, 'package.json'), 'utf8');
      expect(install).toContain(` ${(JSON.parse(text) as { name: string }).name}`);
    }
    const start = cliInvocations(steps.find((step) => step.id === 'platform')?.run ?? '');
    expect(start).toHaveLength(1);
    const usage = await runProcess(process.execPath, [EMULATOR_BIN, 'start', '--help']);
    expect(usage.code).toBe(0);
    for (const flag of (start[0] ?? '').split(/\s+/).filter((word) => word.startsWith('--'))) {
      expect(usage.stdout).toContain(`  ${flag} `);
    }
  });

  it('runs its steps with the job’s env: validate, build, push, publish, VERSION_EXISTS for another image, reset, publish again', async () => {
    const job = await workflowJob();
    for (const step of job.steps.filter((each) => each.id !== 'platform')) {
      // Every step reaches the services through the job's env, which is what a run here replaces.
      expect(step.run ?? '').not.toContain(PLATFORM_ORIGIN);
      expect(step.run ?? '').not.toContain(REGISTRY_HOST);
      expect(step.run ?? '').not.toContain('${{');
    }
    const machine = await ciMachine();
    const runnerTemp = join(machine.temp, 'runner');
    const githubEnv = join(runnerTemp, '_github_env');
    await mkdir(runnerTemp);
    await writeFile(githubEnv, '');
    const runner = {
      ...machine.env,
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: machine.moduleDir,
      GITHUB_ENV: githubEnv,
      RUNNER_TEMP: runnerTemp,
    };

    const results = new Map<string, ProcessResult>();
    for (const step of job.steps) {
      const env: Record<string, string> = {
        ...runner,
        ...machine.standIn(job.env),
        ...githubEnvFile(await readFile(githubEnv, 'utf8')),
        ...step.env,
      };
      if (step.id === 'platform') {
        expect(env.HLA_COMPASS_EMULATOR_TOKEN).toMatch(/^[0-9a-f]{48}$/);
        await machine.startPlatform(env.HLA_COMPASS_EMULATOR_TOKEN ?? '');
      }
      if (standsIn(step)) continue;
      const result = await machine.bash(step.run ?? '', env);
      expect(result.code, `step "${step.name}":\n${result.stdout}\n${result.stderr}`).toBe(0);
      results.set(step.name, result);
    }
    expect(results.size).toBe(job.steps.filter((step) => !standsIn(step)).length);

    const output = (pattern: RegExp) =>
      [...results].find(([name]) => pattern.test(name))?.[1].stdout ?? '';
    expect(output(/^Check the credentials/)).toContain('developer@your-org.test');
    expect(output(/^Publish$/)).toContain(PUBLISHED);
    expect(output(/VERSION_EXISTS/)).toContain(
      `refused as expected: ${MODULE}@0.1.0 already exists in dev`,
    );
    expect(JSON.parse(output(/^Reset/))).toEqual({ reset: ['local', 'dev', 'staging', 'prod'] });
    expect(output(/^After the reset/)).toContain(PUBLISHED);
  });
});

describe('the GitLab CI recipe (docs/ci/gitlab.md)', () => {
  it('is YAML (action-validator finds no parse error), and a copy with an unclosed list is not', async () => {
    const dir = await mkdtemp(join(world.scratchDir, 'gitlab-'));
    const snippet = join(dir, 'gitlab-ci.yml');
    await writeFile(snippet, await gitlabSnippet());
    // A workflow schema's errors, which a GitLab file has; never a parse error.
    const parsed = await actionValidator(snippet);
    expect(parsed.errors.length).toBeGreaterThan(0);
    expect(parsed.errors.filter((error) => error.code === 'parse_error')).toEqual([]);

    const broken = join(dir, 'broken-ci.yml');
    await writeFile(broken, (await gitlabSnippet()).replace('stages:', 'stages: [publish\nx:'));
    const refused = await actionValidator(broken);
    expect(refused.errors.map((error) => error.code)).toContain('parse_error');
  });

  it('has one job of a declared stage, with the workflow’s env and hla-compass commands', async () => {
    const job = await gitlabJob();
    expect(job.stages).toContain(job.stage);
    const workflow = await workflowJob();
    expect(job.variables).toEqual(workflow.env);
    const gitlabCommands = new Set(
      cliInvocations([...job.beforeScript, ...job.script, ...job.afterScript].join('\n')),
    );
    const workflowCommands = new Set(
      cliInvocations(workflow.steps.map((step) => step.run ?? '').join('\n')),
    );
    expect(gitlabCommands).toEqual(workflowCommands);
  });

  it('runs its before_script and script in one shell with the job’s variables: publish, VERSION_EXISTS, reset, publish again', async () => {
    const job = await gitlabJob();
    // What starts the services (and the token the emulator is started with) is what stands in.
    const startsServices =
      /^(export HLA_COMPASS_EMULATOR_TOKEN=|npm install |docker run |nohup hla-compass-platform |echo \$! )/;
    expect(job.beforeScript.filter((line) => startsServices.test(line))).toHaveLength(5);
    const machine = await ciMachine();
    const controlToken = randomBytes(24).toString('hex');
    await machine.startPlatform(controlToken);
    const env = {
      ...machine.env,
      GITLAB_CI: 'true',
      CI_PROJECT_DIR: machine.moduleDir,
      CI_JOB_ID: '4242',
      ...machine.standIn(job.variables),
      HLA_COMPASS_EMULATOR_TOKEN: controlToken,
    };
    const script = [
      ...job.beforeScript.filter((line) => !startsServices.test(line)),
      ...job.script,
    ].join('\n');
    const result = await machine.bash(script, env);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout.split(PUBLISHED)).toHaveLength(3);
    expect(result.stdout).toContain('{"reset":["local","dev","staging","prod"]}');
    const refusal = join(machine.temp, 'hla-compass-ci-4242', 'republish.json');
    expect(JSON.parse(await readFile(refusal, 'utf8')).error).toMatchObject({
      code: 'VERSION_EXISTS',
    });
  });
});

describe('the block YAML reader the recipes are read with', () => {
  it('reads mappings, sequences of mappings, | blocks, quoted, plain and [a, b] scalars, and skips comments', () => {
    const source = [
      '# a comment',
      'on:',
      '  push:',
      '    branches: [main, "release/*"]',
      'jobs:',
      '  one:',
      '    env:',
      '      A: "1"',
      "      B: 'it''s' # trailing comment",
      '      C: http://127.0.0.1:4100/dev',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - name: Two lines',
      '        run: |',
      '          echo one',
      '',
      '            echo indented # kept',
      '      - 5000:5000',
      '',
    ].join('\n');
    expect(parseBlockYaml(source)).toEqual({
      on: { push: { branches: ['main', 'release/*'] } },
      jobs: {
        one: {
          env: { A: '1', B: "it's", C: 'http://127.0.0.1:4100/dev' },
          steps: [
            { uses: 'actions/checkout@v4' },
            { name: 'Two lines', run: 'echo one\n\n  echo indented # kept\n' },
            '5000:5000',
          ],
        },
      },
    });
  });

  it.each([
    ['an anchor', 'a: &x b'],
    ['a flow mapping', 'a: {b: c}'],
    ['a folded block', 'a: >\n  b'],
    ['a tab', 'a:\n\tb: c'],
    ['": " in a plain scalar', 'a:\n  - echo x: y'],
    ['a key twice', 'a: b\na: c'],
    ['a second document', 'a: b\n---\nc: d'],
  ])('refuses %s rather than guess', (_what, source) => {
    expect(() => parseBlockYaml(source)).toThrow();
  });
});
