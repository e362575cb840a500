// The CI recipes of docs/ci as a module author copies them: the GitHub Actions workflow passes
// action-validator and its run steps work, run as the runner runs them (bash -eo pipefail, the
// job's env, $GITHUB_ENV, $RUNNER_TEMP) against an emulator, the run's registry and the CLI
// installed from verdaccio; the GitLab snippet is YAML and asks for the same commands.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ProcessResult,
  type RunningEmulator,
  runProcess,
  startEmulator,
} from '@hla-compass/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { e2eSeed } from '../setup/e2e-seed.js';
import { EMULATOR_BIN } from '../setup/installed-cli.js';
import { type BlockYaml, parseBlockYaml } from './block-yaml.js';
import { machineSecrets, transcript, world } from './user-machine.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKFLOW_FILE = join(REPOSITORY_ROOT, 'docs', 'ci', 'github-actions.yml');
const GITLAB_FILE = join(REPOSITORY_ROOT, 'docs', 'ci', 'gitlab.md');

/** What the recipes address on the runner's loopback, and what stands in for it here. */
const PLATFORM_ORIGIN = 'http://127.0.0.1:4100';
const REGISTRY_HOST = '127.0.0.1:5000';

interface LintResult {
  readonly code: number;
  readonly errors: readonly { readonly code: string; readonly detail?: string }[];
}

/** action-validator's bin, as its package.json names it, on one file. */
async function actionValidator(file: string): Promise<LintResult> {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('@action-validator/cli/package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
    bin: Record<string, string>;
  };
  const bin = join(dirname(manifestPath), manifest.bin['action-validator'] ?? 'missing');
  const result = await runProcess(process.execPath, [bin, file]);
  const report = result.stderr.trim() === '' ? { errors: [] } : JSON.parse(result.stderr);
  return { code: result.code, errors: (report as { errors: LintResult['errors'] }).errors };
}

async function scratch(name: string): Promise<string> {
  return mkdtemp(join(world.scratchDir, `${name}-`));
}

function mapping(value: BlockYaml | undefined, what: string): Record<string, BlockYaml> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${what} is not a mapping`);
  }
  return value as Record<string, BlockYaml>;
}

function strings(value: BlockYaml | undefined, what: string): Record<string, string> {
  const entries = Object.entries(mapping(value ?? {}, what));
  for (const [key, item] of entries) {
    if (typeof item !== 'string') throw new Error(`${what}.${key} is not a string`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

interface Step {
  readonly name: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly env: Record<string, string>;
}

interface Job {
  readonly env: Record<string, string>;
  readonly steps: readonly Step[];
}

async function workflowJob(): Promise<Job> {
  const workflow = mapping(parseBlockYaml(await readFile(WORKFLOW_FILE, 'utf8')), 'the workflow');
  const jobs = Object.values(mapping(workflow.jobs, 'jobs'));
  expect(jobs).toHaveLength(1);
  const job = mapping(jobs[0], 'the job');
  const steps = job.steps;
  if (!Array.isArray(steps)) throw new Error('the job has no steps');
  return {
    env: strings(job.env, 'env'),
    steps: steps.map((item: BlockYaml, index) => {
      const step = mapping(item, `step ${index}`);
      const text = (key: string) => (typeof step[key] === 'string' ? step[key] : undefined);
      return {
        name: text('name') ?? text('uses') ?? `step ${index}`,
        ...(text('id') === undefined ? {} : { id: text('id') }),
        ...(text('uses') === undefined ? {} : { uses: text('uses') }),
        ...(text('run') === undefined ? {} : { run: text('run') }),
        ...(text('if') === undefined ? {} : { if: text('if') }),
        env: strings(step.env, `step ${index}.env`),
      };
    }),
  };
}

/** The snippet of docs/ci/gitlab.md: its one ```yaml block. */
async function gitlabSnippet(): Promise<string> {
  const blocks = [...(await readFile(GITLAB_FILE, 'utf8')).matchAll(/^```yaml\n([\s\S]*?)^```$/gm)];
  expect(blocks).toHaveLength(1);
  return blocks[0]?.[1] ?? '';
}

/** Each `hla-compass …` invocation of a script, up to the first shell operator. */
function cliInvocations(script: string): string[] {
  return [...script.matchAll(/(?:^|[\s(])(hla-compass(?:-platform)? [^|&>;\n\\]*)/g)].map((match) =>
    (match[1] ?? '').trim(),
  );
}

/** KEY=VALUE lines a step appended to $GITHUB_ENV (the multi-line form is not used). */
function githubEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/**
 * The steps this run does not execute: actions (the temp module stands in for the checkout, this
 * Node.js for setup-node), the install (the CLI from verdaccio is on PATH), the emulator's start
 * (one is started for the run), and the log dump of a failed job (the run stops at the failure).
 */
function standsIn(step: Step): boolean {
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

    const dir = await scratch('lint');
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
      const { name } = JSON.parse(
        await readFile(join(REPOSITORY_ROOT, dir, 'package.json'), 'utf8'),
      );
      expect(install).toContain(` ${name}`);
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
    const scripts = job.steps.filter((step) => step.run !== undefined && step.id !== 'platform');
    for (const step of scripts) {
      // The services are reached through the job's env, which is what this run replaces.
      expect(step.run).not.toContain(PLATFORM_ORIGIN);
      expect(step.run).not.toContain(REGISTRY_HOST);
      expect(step.run).not.toContain('${{');
    }

    const home = await scratch('ci-runner');
    const runnerTemp = join(home, 'runner-temp');
    const githubEnv = join(runnerTemp, '_github_env');
    const dockerConfig = join(home, '.docker');
    const workspace = join(home, 'workspace');
    await Promise.all([mkdir(runnerTemp), mkdir(dockerConfig), mkdir(workspace)]);
    await writeFile(githubEnv, '');
    const runner: Record<string, string> = {
      // `npm install --global` as the install step does it: the installed CLI first on PATH.
      PATH: `${dirname(world.cliBin)}:${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: home,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      RUNNER_TEMP: runnerTemp,
      GITHUB_ENV: githubEnv,
      GITHUB_WORKSPACE: join(workspace, 'ci-recipe'),
      DOCKER_HOST: world.dockerHost,
      DOCKER_CONFIG: dockerConfig,
    };
    // What actions/checkout would give: a module's repository, made by the installed CLI.
    const init = await runProcess(world.cliBin, ['init', 'ci-recipe'], {
      cwd: workspace,
      env: runner,
    });
    expect(init.code).toBe(0);

    const standIns = new Map<string, string>([
      [REGISTRY_HOST, world.plainRegistry],
      // Nothing can be pulled here: the run's local base image stands in for the runtime image.
      [job.env.BASE_IMAGE ?? 'BASE_IMAGE unset', world.baseImage],
    ]);
    const jobEnv = () =>
      Object.fromEntries(
        Object.entries(job.env).map(([key, value]) => [
          key,
          [...standIns].reduce((text, [from, to]) => text.replaceAll(from, to), value),
        ]),
      );
    let emulator: RunningEmulator | undefined;
    onTestFinished(async () => {
      await emulator?.stop();
    });

    const results = new Map<string, ProcessResult>();
    for (const step of job.steps) {
      const env = {
        ...runner,
        ...jobEnv(),
        ...githubEnvFile(await readFile(githubEnv, 'utf8')),
        ...step.env,
      };
      if (step.id === 'platform') {
        // The recipe's `hla-compass-platform start --port 4100`, on a free port and seeded for
        // this run's registry, with the control token the job chose.
        const token = env.HLA_COMPASS_EMULATOR_TOKEN;
        expect(token).toMatch(/^[0-9a-f]{48}$/);
        machineSecrets.push(token ?? '');
        const seed = await e2eSeed(
          Number(world.plainRegistry.split(':')[1]),
          world.guardedRegistry.host,
        );
        emulator = await startEmulator({
          bin: EMULATOR_BIN,
          seed,
          env: { HLA_COMPASS_EMULATOR_TOKEN: token },
        });
        standIns.set(PLATFORM_ORIGIN, emulator.url);
      }
      if (standsIn(step)) continue;
      const script = join(runnerTemp, `step-${results.size}.sh`);
      await writeFile(script, step.run ?? '');
      const result = await runProcess(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', script],
        {
          cwd: runner.GITHUB_WORKSPACE,
          env,
        },
      );
      transcript.push(result.stdout, result.stderr);
      expect(result.code, `step "${step.name}" failed:\n${result.stdout}\n${result.stderr}`).toBe(
        0,
      );
      results.set(step.name, result);
    }
    expect(emulator).toBeDefined();

    const output = (pattern: RegExp) =>
      [...results].filter(([name]) => pattern.test(name)).map(([, result]) => result.stdout);
    expect(output(/^Check the credentials/)[0]).toContain('developer@your-org.test');
    const published = 'Published ci-recipe@0.1.0 to dev (scope org): APPROVED';
    expect(output(/^Publish$/)[0]).toContain(published);
    expect(output(/VERSION_EXISTS/)[0]).toContain(
      'refused as expected: ci-recipe@0.1.0 already exists in dev',
    );
    expect(JSON.parse(output(/^Reset/)[0] ?? '')).toEqual({
      reset: ['local', 'dev', 'staging', 'prod'],
    });
    expect(output(/^After the reset/)[0]).toContain(published);
    expect(results.size).toBe(job.steps.filter((step) => !standsIn(step)).length);
  });
});

describe('the GitLab CI recipe (docs/ci/gitlab.md)', () => {
  it('is YAML (action-validator finds no parse error), and a copy with an unclosed list is not', async () => {
    const dir = await scratch('gitlab');
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

  it('defines a job of a declared stage whose script runs the same hla-compass commands as the tested workflow', async () => {
    const document = mapping(parseBlockYaml(await gitlabSnippet()), 'the snippet');
    const stages = document.stages;
    expect(Array.isArray(stages)).toBe(true);
    const jobs = Object.entries(document).filter(
      ([key]) => key !== 'stages' && key !== 'variables',
    );
    expect(jobs).toHaveLength(1);
    const job = mapping(jobs[0]?.[1], 'the job');
    expect(stages).toContain(job.stage);

    const lines = ['before_script', 'script', 'after_script'].flatMap((key) => {
      const value = job[key] ?? [];
      if (!Array.isArray(value) || !value.every((line) => typeof line === 'string')) {
        throw new Error(`${key} is not a list of command lines`);
      }
      return value as string[];
    });
    const gitlabCommands = cliInvocations(lines.join('\n'));
    const { env, steps } = await workflowJob();
    const workflowCommands = new Set(
      cliInvocations(steps.map((step) => step.run ?? '').join('\n')),
    );
    expect(gitlabCommands.length).toBeGreaterThanOrEqual(workflowCommands.size);
    for (const command of gitlabCommands) expect(workflowCommands).toContain(command);
    for (const command of workflowCommands) expect(gitlabCommands).toContain(command);
    expect(strings(job.variables, 'variables')).toEqual(env);
  });
});
