// The CI recipes of docs/ci as data: the GitHub Actions workflow's job and steps, the GitLab
// snippet's job, the hla-compass commands a script runs, and action-validator's verdict on a file.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '@hla-compass/testkit';
import { type BlockYaml, parseBlockYaml } from './block-yaml.js';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WORKFLOW_FILE = join(REPOSITORY_ROOT, 'docs', 'ci', 'github-actions.yml');
export const GITLAB_FILE = join(REPOSITORY_ROOT, 'docs', 'ci', 'gitlab.md');

export interface LintResult {
  readonly code: number;
  readonly errors: readonly { readonly code: string; readonly detail?: string }[];
}

/** action-validator's bin, as its package.json names it, on one file. */
export async function actionValidator(file: string): Promise<LintResult> {
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

function lines(value: BlockYaml | undefined, what: string): string[] {
  const list = value ?? [];
  if (!Array.isArray(list) || !list.every((line) => typeof line === 'string')) {
    throw new Error(`${what} is not a list of command lines`);
  }
  return list as string[];
}

function onlyJob(jobs: Record<string, BlockYaml>): Record<string, BlockYaml> {
  const values = Object.values(jobs);
  if (values.length !== 1) throw new Error(`expected one job, found ${values.length}`);
  return mapping(values[0], 'the job');
}

export interface WorkflowStep {
  readonly name: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly env: Record<string, string>;
}

export interface WorkflowJob {
  readonly env: Record<string, string>;
  readonly steps: readonly WorkflowStep[];
}

export async function workflowJob(): Promise<WorkflowJob> {
  const workflow = mapping(parseBlockYaml(await readFile(WORKFLOW_FILE, 'utf8')), 'the workflow');
  const job = onlyJob(mapping(workflow.jobs, 'jobs'));
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
export async function gitlabSnippet(): Promise<string> {
  const text = await readFile(GITLAB_FILE, 'utf8');
  const blocks = [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)];
  if (blocks.length !== 1) throw new Error(`expected one yaml block, found ${blocks.length}`);
  return blocks[0]?.[1] ?? '';
}

export interface GitlabJob {
  readonly stages: readonly BlockYaml[];
  readonly stage: BlockYaml | undefined;
  readonly variables: Record<string, string>;
  readonly beforeScript: readonly string[];
  readonly script: readonly string[];
  readonly afterScript: readonly string[];
}

export async function gitlabJob(): Promise<GitlabJob> {
  const { stages, ...jobs } = mapping(parseBlockYaml(await gitlabSnippet()), 'the snippet');
  if (!Array.isArray(stages)) throw new Error('the snippet has no list of stages');
  const job = onlyJob(jobs);
  return {
    stages,
    stage: job.stage,
    variables: strings(job.variables, 'variables'),
    beforeScript: lines(job.before_script, 'before_script'),
    script: lines(job.script, 'script'),
    afterScript: lines(job.after_script, 'after_script'),
  };
}

/** Each `hla-compass …` invocation of a script, up to the first shell operator. */
export function cliInvocations(script: string): string[] {
  return [...script.matchAll(/(?:^|[\s(])(hla-compass(?:-platform)? [^|&>;\n\\]*)/g)].map((match) =>
    (match[1] ?? '').trim(),
  );
}
