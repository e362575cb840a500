// `hla-compass test`: builds the module's image (never pushed) and runs it once as the platform's
// runtime does (python-sdk.md §6.3), with a payload checked against manifest.json "inputs", then
// checks what it wrote: the runtime's result shape, and results against "outputs". --watch
// rebuilds and reruns on every change to backend/ or manifest.json.

import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  type Manifest,
  payloadJsonSchema,
  validateModule,
  validatePayload,
} from '@hla-compass/manifest';
import type Dockerode from 'dockerode';
import { defineCommand, type OptionSpec, option } from '../command.js';
import type { ResolvedEnvironment } from '../config/environments.js';
import type { CommandContext } from '../context.js';
import { connectDockerEngine, type DockerEngine, engineMessage } from '../docker/engine.js';
import { AuthenticationError, ExitCode, RejectedError, UsageError } from '../errors.js';
import { interruptedExitCode, onInterrupt } from '../interrupt.js';
import { toCliError } from '../library-errors.js';
import { type ContainerRunResult, runContainer } from '../testing/container-run.js';
import { inputDefaults } from '../testing/input-defaults.js';
import { watchModule } from '../testing/module-watch.js';
import {
  CONTAINER_PATHS,
  type ContainerCredentials,
  type ContainerLimits,
  containerEnvironment,
  containerLimits,
  RUN_MODES,
  type RunMode,
  runContext,
  runMode,
} from '../testing/runtime-contract.js';
import { buildTestImage, type TestImage } from '../testing/test-image.js';
import { judgeRun, payloadIssues, type TestIssue } from '../testing/test-verdict.js';
import { readValidModule } from '../valid-module.js';

/** Where a run's files live in the module, kept until the next run (for a look after a failure). */
const RUN_DIR = '.hla-compass/test';

const modeOption: OptionSpec<RunMode | undefined> = {
  flags: '--mode <mode>',
  description: `run mode in the context: ${RUN_MODES.join(', ')} (default: execution.defaultMode)`,
  choices: RUN_MODES,
  convert: (raw, flag) => {
    if (raw === undefined) return undefined;
    if (RUN_MODES.includes(raw as RunMode)) return raw as RunMode;
    throw new UsageError(`${flag} must be one of ${RUN_MODES.join(', ')}, got "${String(raw)}"`);
  },
};

type TestOptions = {
  readonly input: string | undefined;
  readonly output: string | undefined;
  readonly image: string | undefined;
  readonly mode: RunMode | undefined;
  readonly withCredentials: boolean;
  readonly tag: string | undefined;
  readonly registry: string | undefined;
  readonly baseImage: string | undefined;
  readonly platform: string | undefined;
  readonly cache: boolean;
};

/** One run, as --json prints it (`exit` is the command's exit code, not printed). */
interface TestReport {
  readonly passed: boolean;
  /** The container's exit status; null when nothing ran (an input that does not fit). */
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly output: unknown;
  readonly issues: readonly TestIssue[];
  readonly exit: number;
  readonly module: string;
  readonly image?: string;
  readonly logTail: readonly string[];
}

export default defineCommand({
  description:
    'Builds the module (as `hla-compass build` does, never pushing; --image runs an image the engine ' +
    'already has instead) and runs it once as the platform runs it: the payload at /var/input.json ' +
    '(--input FILE, else the defaults of manifest.json "inputs", nested ones included), checked ' +
    'against "inputs" first; a context at /var/context.json (run_id, module_id, module_version, ' +
    'organization_id, user_id, environment, correlation_id, requested_at, mode); the output directory ' +
    `${CONTAINER_PATHS.outputDir} mounted from ${RUN_DIR}/output, HLA_COMPASS_OUTPUT pointing into ` +
    'it; HLA_COMPASS_ENV set to the selected environment and HLA_COMPASS_OFFLINE=1, so no credential ' +
    'enters the container unless --with-credentials. The container gets resources.memory and ' +
    'resources.vcpus as limits, no network unless permissions.network lists hosts (then the ' +
    "engine's default network, not limited to them), and resources.timeout (default 300 s). The " +
    'output must be {"status": "success", "results": …} with results valid against "outputs", or ' +
    '{"status": "error", "error": {"type", "message"}}. Exits 0 when the test passes, 1 when the ' +
    'module reports an error, crashes, times out or writes a wrong output, 2 when the input does ' +
    'not fit "inputs"; --json prints {passed, exitCode, durationMs, output, issues}. --watch ' +
    'rebuilds and reruns after each change to backend/ or manifest.json until Ctrl-C (exit 130). ' +
    'Without --tag or --registry the image is tagged as build.json names it, else ' +
    'localhost/<name>:<version>.',
  options: {
    input: option.string('--input <file>', 'JSON payload (default: the defaults of "inputs")'),
    output: option.string('--output <file>', 'also write the output document to this file'),
    image: option.string('--image <ref>', 'run this image from the engine instead of building'),
    mode: modeOption,
    withCredentials: option.flag(
      '--with-credentials',
      "hand the environment's credentials (HLA_ACCESS_TOKEN or HLA_API_KEY) to the module",
    ),
    watch: option.flag('--watch', 'rebuild and rerun after every change, until Ctrl-C'),
    tag: option.string('--tag <ref>', 'image reference to build under'),
    registry: option.string('--registry <registry>', 'build as <registry>/<name>:<version>'),
    baseImage: option.string('--base-image <image>', 'base image of a generated Dockerfile'),
    platform: option.string('--platform <os/arch>', 'target platform of the image'),
    cache: option.negatable('--no-cache', 'build every step again, without the layer cache'),
  },
  examples: [
    { command: 'hla-compass test', description: 'build, run with the default input, check' },
    {
      command: 'hla-compass test --input examples/sample_input.json',
      description: 'run with a payload of your own',
    },
    {
      command: 'hla-compass test --watch',
      description: 'rebuild and rerun on every change to backend/ or manifest.json',
    },
    {
      command: 'hla-compass test --image ghcr.io/your-org/my-module:1.0.0 --json',
      description: 'test an image as it is, for CI',
    },
  ],
  async run({ options }, context) {
    const { watch, ...testOptions } = options;
    refuseContradictions(options, context);
    const interrupt = onInterrupt();
    try {
      if (watch) return await watchLoop(testOptions, context, interrupt.signal);
      const report = await testOnce(testOptions, context, interrupt.signal);
      if (report === undefined) {
        context.logger.warn('interrupted: the test container was stopped and removed');
        return interruptedExitCode(interrupt.signal) as ExitCode;
      }
      context.output.result(
        {
          passed: report.passed,
          exitCode: report.exitCode,
          durationMs: report.durationMs,
          output: report.output,
          issues: report.issues,
        },
        () => describeReport(report, context),
      );
      return report.exit as ExitCode;
    } finally {
      interrupt.dispose();
    }
  },
});

function refuseContradictions(
  options: TestOptions & { readonly watch: boolean },
  context: CommandContext,
): void {
  const buildFlags = [
    options.tag === undefined ? undefined : '--tag',
    options.registry === undefined ? undefined : '--registry',
    options.baseImage === undefined ? undefined : '--base-image',
    options.platform === undefined ? undefined : '--platform',
    options.cache ? undefined : '--no-cache',
  ].filter((flag) => flag !== undefined);
  if (options.image !== undefined && buildFlags.length > 0) {
    throw new UsageError(
      `--image runs an image as it is: ${buildFlags.join(', ')} would build one`,
      {
        hint: 'drop --image to build the module, or the build options to run the image',
      },
    );
  }
  if (options.watch && options.image !== undefined) {
    throw new UsageError('--watch rebuilds the module on every change; --image never builds', {
      hint: 'drop one of them',
    });
  }
  if (options.watch && context.output.json) {
    throw new UsageError('--watch reports every run as it ends; --json prints one document', {
      hint: 'drop one of them',
    });
  }
  if (options.tag !== undefined && options.registry !== undefined) {
    throw new UsageError('give --tag or --registry, not both', {
      hint: '--tag names the whole image; --registry makes <registry>/<name>:<version>',
    });
  }
}

/** One build and run; undefined when it was interrupted. */
async function testOnce(
  options: TestOptions,
  context: CommandContext,
  signal: AbortSignal,
  live = false,
): Promise<TestReport | undefined> {
  const subject = await readSubject(options, context);
  const unfit = refuseUnfitInput(subject, context);
  if (unfit !== undefined) return unfit;
  const setup = await prepareContainer(options, subject, context);
  if (signal.aborted) return undefined;
  const run = await runTestContainer(setup, subject, context, { live, signal });
  if (run.interrupted) return undefined;
  return judgeTestRun(run, setup, subject, options, context);
}

/** The module under test and what it runs with. */
interface TestSubject {
  readonly manifest: Manifest;
  /** `name@version`, for the report. */
  readonly moduleName: string;
  readonly mode: RunMode;
  readonly payload: Record<string, unknown>;
}

/** What the container needs from outside the module: engine, image, environment, credentials. */
interface ContainerSetup {
  readonly environment: ResolvedEnvironment;
  readonly credentials: ContainerCredentials | undefined;
  readonly engine: DockerEngine;
  readonly image: TestImage;
}

type TestRun = ContainerRunResult & {
  readonly limits: ContainerLimits;
  readonly outputFile: string;
};

async function readSubject(options: TestOptions, context: CommandContext): Promise<TestSubject> {
  // A build validates the module and prints its warnings itself.
  const manifest = await moduleManifest(context, options.image === undefined);
  const chosen = runMode(options.mode, manifest.execution);
  if ('refused' in chosen) {
    throw new UsageError(`--mode: ${chosen.refused}`, {
      hint: 'pass a mode the module supports, or add it to execution.supports',
    });
  }
  return {
    manifest,
    moduleName: `${manifest.name}@${manifest.version}`,
    mode: chosen.mode,
    payload: await readPayload(options.input, manifest, context),
  };
}

/** The report of a payload that breaks "inputs" (nothing runs then), else undefined. */
function refuseUnfitInput(subject: TestSubject, context: CommandContext): TestReport | undefined {
  const inputs = payloadJsonSchema(subject.manifest.inputs);
  const inputCheck = validatePayload(inputs, subject.payload, 'input');
  if (!inputCheck.checked) {
    context.logger.warn(
      `the input was not checked: manifest.json "inputs" uses what hla-compass cannot check (${inputCheck.reason})`,
    );
    return undefined;
  }
  if (inputCheck.valid) return undefined;
  return {
    passed: false,
    exitCode: null,
    durationMs: 0,
    output: null,
    issues: payloadIssues(inputCheck.issues, 'input'),
    exit: ExitCode.invalidInput,
    module: subject.moduleName,
    logTail: [],
  };
}

/** Connects to the engine and builds the image (or finds the one --image names). */
async function prepareContainer(
  options: TestOptions,
  subject: TestSubject,
  context: CommandContext,
): Promise<ContainerSetup> {
  const environment = await context.environment();
  const credentials = options.withCredentials ? await containerCredentials(context) : undefined;
  const engine = await connectDockerEngine(context);
  const image =
    options.image === undefined
      ? await buildTestImage(context, options, subject.manifest)
      : await engineImage(engine.docker, options.image);
  return { environment, credentials, engine, image };
}

/** Writes the run's files and runs the container once under the manifest's limits. */
async function runTestContainer(
  { environment, credentials, engine, image }: ContainerSetup,
  { manifest, mode, payload }: TestSubject,
  context: CommandContext,
  { live, signal }: { readonly live: boolean; readonly signal: AbortSignal },
): Promise<TestRun> {
  const files = await prepareRunFiles(join(context.cwd, RUN_DIR), payload, {
    manifest,
    environment: environment.name,
    mode,
    offline: credentials === undefined,
    now: new Date(),
    correlationId: context.settings.get('HLA_CORRELATION_ID'),
  });
  const info = (await engine.docker.info().catch(() => ({}))) as { NCPU?: number };
  const limits = containerLimits(manifest, info.NCPU ?? availableParallelism());
  warnAboutLimits(manifest, limits, context);
  context.logger.info(
    `Running ${image.imageRef} (${mode}, ${environment.name}, timeout ${limits.timeoutSeconds} s${credentials === undefined ? ', offline' : ', with credentials'})`,
  );
  const run = await runContainer(engine.docker, {
    image: image.imageId,
    env: containerEnvironment({ manifest, environment: environment.name, mode, credentials }),
    mounts: [
      { source: files.input, target: CONTAINER_PATHS.input, readOnly: true },
      { source: files.context, target: CONTAINER_PATHS.context, readOnly: true },
      { source: files.outputDir, target: CONTAINER_PATHS.outputDir, readOnly: false },
    ],
    limits,
    labels: { 'io.hla-compass.test': manifest.name },
    // The module's log as it runs: in the watch loop always, else with --verbose.
    onLog: (line) =>
      live
        ? context.logger.info(context.logger.style.dim(`│ ${line}`))
        : context.logger.debug(`│ ${line}`),
    signal,
  });
  return { ...run, limits, outputFile: files.output };
}

/** Checks what the module wrote against the runtime's result shape and "outputs". */
async function judgeTestRun(
  run: TestRun,
  setup: ContainerSetup,
  { manifest, moduleName }: TestSubject,
  options: TestOptions,
  context: CommandContext,
): Promise<TestReport> {
  const outputText = await readFile(run.outputFile, 'utf8').catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    },
  );
  const verdict = judgeRun(
    {
      exitCode: run.exitCode,
      timedOut: run.timedOut,
      oomKilled: run.oomKilled,
      timeoutSeconds: run.limits.timeoutSeconds,
      memoryMb: manifest.resources?.memory ?? manifest.resources?.memoryMb,
      outputText,
    },
    manifest.outputs,
  );
  if (verdict.unchecked !== undefined) context.logger.warn(verdict.unchecked);
  if (options.output !== undefined && outputText !== undefined) {
    await writeFile(resolve(context.cwd, options.output), outputText);
  }
  return {
    passed: verdict.passed,
    exitCode: run.exitCode,
    durationMs: run.durationMs,
    output: verdict.output,
    issues: verdict.issues,
    exit: verdict.passed ? ExitCode.ok : ExitCode.rejected,
    module: moduleName,
    image: setup.image.imageRef,
    logTail: run.logTail,
  };
}

/**
 * Runs, then waits for a change and runs again, until Ctrl-C. A failure of one round (an invalid
 * manifest, a build error) is printed and the loop waits for the fix.
 */
async function watchLoop(
  options: TestOptions,
  context: CommandContext,
  signal: AbortSignal,
): Promise<ExitCode> {
  const logger = context.logger;
  let watcher: ReturnType<typeof watchModule> | undefined;
  try {
    for (;;) {
      try {
        const report = await testOnce(options, context, signal, true);
        if (report !== undefined) {
          for (const line of describeReport(report, context)) logger.info(line);
        }
      } catch (error) {
        const failure = toCliError(error);
        if (failure === undefined) throw error;
        logger.error(failure.message);
        if (failure.hint) logger.hint(failure.hint);
      }
      if (signal.aborted) break;
      watcher ??= startWatching(context.cwd, signal);
      logger.info(
        logger.style.dim('Watching backend/ and manifest.json for changes (Ctrl-C to stop)'),
      );
      const changed = await watcher.next();
      if (changed === undefined) break;
      logger.info(`Changed: ${changed.join(', ')}`);
    }
  } finally {
    watcher?.close();
  }
  logger.info('Stopped watching.');
  return interruptedExitCode(signal) as ExitCode;
}

function startWatching(dir: string, signal: AbortSignal) {
  try {
    return watchModule(dir, signal);
  } catch (error) {
    throw new UsageError(
      `cannot watch ${dir}: ${error instanceof Error ? error.message : String(error)}`,
      { hint: 'the module needs backend/ and manifest.json' },
    );
  }
}

/** The module's manifest; `quiet` leaves the printing of warnings to the build that follows. */
async function moduleManifest(context: CommandContext, quiet: boolean): Promise<Manifest> {
  if (quiet) {
    const validation = await validateModule(context.cwd);
    if (validation.valid && validation.manifest !== undefined) return validation.manifest;
  }
  return (await readValidModule(context.cwd, context, 'nothing was tested')).manifest;
}

async function readPayload(
  file: string | undefined,
  manifest: Manifest,
  context: CommandContext,
): Promise<Record<string, unknown>> {
  if (file === undefined) return inputDefaults(payloadJsonSchema(manifest.inputs));
  const path = resolve(context.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new UsageError(`--input ${file}: no such file`, {
      hint: 'give the path of a JSON file, e.g. examples/sample_input.json',
    });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    throw new UsageError(`--input ${file} is not JSON: ${(error as Error).message}`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new UsageError(`--input ${file}: the payload must be a JSON object`);
  }
  return payload as Record<string, unknown>;
}

/** The credentials the CLI would call the platform with, for the module's own calls. */
async function containerCredentials(context: CommandContext): Promise<ContainerCredentials> {
  const platform = await context.platform();
  const active = await platform.credentials();
  const name = platform.environment.name;
  if (active === undefined) {
    throw new AuthenticationError(`--with-credentials: not logged in to ${name}`, {
      hint: `run \`hla-compass auth login --env ${name}\`, or drop --with-credentials to run offline`,
    });
  }
  const bearer = active.headers.authorization?.replace(/^Bearer /, '');
  const apiKey = active.headers['x-api-key'];
  return {
    apiUrl: platform.environment.apiUrl,
    ...(bearer === undefined ? {} : { accessToken: bearer }),
    ...(apiKey === undefined ? {} : { apiKey }),
  };
}

async function engineImage(docker: Dockerode, reference: string): Promise<TestImage> {
  try {
    return { imageId: (await docker.getImage(reference).inspect()).Id, imageRef: reference };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) {
      throw new RejectedError(
        `the Docker engine cannot inspect ${reference}: ${engineMessage(error)}`,
        {
          cause: error,
        },
      );
    }
    throw new UsageError(`--image ${reference} is not in the Docker engine`, {
      code: 'IMAGE_NOT_FOUND',
      hint: `pull it first (\`docker pull ${reference}\`), or drop --image to build the module`,
    });
  }
}

interface RunFiles {
  readonly input: string;
  readonly context: string;
  readonly outputDir: string;
  readonly output: string;
}

/** Writes the payload and the context, and empties the output directory, under `runDir`. */
async function prepareRunFiles(
  runDir: string,
  payload: unknown,
  contextInput: Parameters<typeof runContext>[0],
): Promise<RunFiles> {
  const outputDir = join(runDir, 'output');
  await rm(outputDir, { recursive: true, force: true });
  await mkdir(outputDir, { recursive: true });
  // The image's user need not be this one: the directory it writes to must let it.
  await chmod(outputDir, 0o777);
  const files = {
    input: join(runDir, 'input.json'),
    context: join(runDir, 'context.json'),
    outputDir,
    output: join(outputDir, 'output.json'),
  };
  await writeFile(files.input, `${JSON.stringify(payload, null, 2)}\n`, { mode: 0o644 });
  await writeFile(files.context, `${JSON.stringify(runContext(contextInput), null, 2)}\n`, {
    mode: 0o644,
  });
  return files;
}

function warnAboutLimits(
  manifest: Manifest,
  limits: ReturnType<typeof containerLimits>,
  context: CommandContext,
): void {
  if (limits.networkMode === 'default') {
    context.logger.warn(
      `permissions.network lists ${limits.networkHosts.join(', ')}: the test container gets the engine's default network, not limited to those hosts`,
    );
  }
  const vcpus = manifest.resources?.vcpus;
  if (vcpus !== undefined && limits.nanoCpus !== undefined && limits.nanoCpus < vcpus * 1e9) {
    context.logger.warn(
      `resources.vcpus is ${vcpus}, the engine has ${limits.nanoCpus / 1e9}: the test runs with ${limits.nanoCpus / 1e9}`,
    );
  }
}

/** The report as text: the verdict, then the output or the issues and the end of the log. */
function describeReport(report: TestReport, context: CommandContext): string[] {
  const style = context.output.style;
  const seconds = (report.durationMs / 1000).toFixed(1);
  if (report.passed) {
    return [
      `${style.green('✓')} Test passed: ${report.module} in ${seconds} s (${report.image ?? ''})`,
      JSON.stringify(report.output, null, 2),
    ];
  }
  const headline =
    report.exitCode === null
      ? `${style.red('✗')} The input does not fit manifest.json "inputs": ${report.module} was not run`
      : `${style.red('✗')} Test failed: ${report.module} after ${seconds} s (${report.image ?? ''})`;
  const lines = [
    headline,
    ...report.issues.map((issue) => {
      const where = issue.path === '' ? '' : `${issue.path}: `;
      return `  ${style.red('error')} ${where}${issue.message} ${style.dim(`[${issue.code}]`)}`;
    }),
  ];
  if (report.exitCode === null) {
    lines.push(
      `${style.cyan('hint:')} fix the payload (--input FILE), or the defaults in "inputs"`,
    );
  }
  if (report.logTail.length > 0) {
    lines.push(`Last ${report.logTail.length} lines of the module's log:`);
    lines.push(...report.logTail.map((line) => `  ${style.dim('│')} ${line}`));
  }
  if (report.exitCode !== null) {
    const runDir = relative(context.cwd, join(context.cwd, RUN_DIR));
    lines.push(style.dim(`input, context and output: ${runDir}/`));
    lines.push(
      `${style.cyan('hint:')} fix the module and test again: --verbose shows its whole log, --watch reruns it after every change`,
    );
  }
  return lines;
}
