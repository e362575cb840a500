// What the CLI benches share: a median, a timed child process, the environment of a Docker bench, and the summary rows of issue 18's
// table (what, now, floor, ratio, target, met or not). Each bench prints its rows; with
// BENCH_SUMMARY set (bench/cli.mjs sets it) it also appends them there as JSON lines, for the one
// summary table at the end of `pnpm bench`.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Node that runs the CLI and its `node -e 0` floor in every CLI bench: BENCH_NODE=/path/to/node
 * measures them under another version than the one running the bench (which keeps the emulator,
 * registry and engine it starts). Node 22 and 24 start in less than half of Node 20's time, and
 * ≥ 22.1 keeps the CLI's compiled code between runs (main.ts), so the rows differ by version.
 */
export const cliNode = process.env.BENCH_NODE ?? process.execPath;

/** `vX.Y.Z` of cliNode. */
export function cliNodeVersion() {
  return spawnSync(cliNode, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

/**
 * The built CLI the bench runs: BENCH_CLI when set (bench/cli.mjs sets it for all three benches),
 * else a copy of apps/cli/dist taken now, removed at exit. A copy, because other work rebuilds
 * dist (built beside and swapped in) while a bench runs, and every run must be the same build.
 */
export function cliUnderTest() {
  if (process.env.BENCH_CLI) return process.env.BENCH_CLI;
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const copy = mkdtempSync(join(tmpdir(), 'hla-bench-cli-'));
  process.on('exit', () => rmSync(copy, { recursive: true, force: true }));
  cpSync(dist, copy, { recursive: true });
  const cli = join(copy, 'hla-compass.js');
  timedRun(cliNode, [cli, '--version']);
  return cli;
}

/**
 * The environment a Docker bench runs the CLI and the Docker CLI in: HOME, the CLI's config dir
 * and an empty Docker config of its own under `work`, and the bench's engine.
 */
export function dockerBenchEnv(work, engine) {
  const env = {
    ...process.env,
    HOME: join(work, 'home'),
    HLA_COMPASS_CONFIG_DIR: join(work, 'config'),
    DOCKER_HOST: engine.dockerHost,
    DOCKER_CONFIG: join(work, 'docker'),
  };
  mkdirSync(env.DOCKER_CONFIG, { recursive: true });
  return env;
}

/** The middle value; for an even count, the mean of the two middle values. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs `program` to its end and returns its wall time in ms; a failure throws with its stderr. */
export function timedRun(program, args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(program, args, { encoding: 'utf8', ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${program} ${args.join(' ')}: exit ${result.status}: ${result.stderr}`);
  }
  return ms;
}

/**
 * One row of the summary: `now` and `floor` in ms (medians of the same run), the ratio against
 * `target`, and whether it is met. Printed, and appended to BENCH_SUMMARY when set.
 */
export function summaryRow(row) {
  const line = summaryLine(row);
  console.log(line);
  if (process.env.BENCH_SUMMARY)
    appendFileSync(process.env.BENCH_SUMMARY, `${JSON.stringify(row)}\n`);
  return line;
}

/** `what  now  floor (what it is)  ratio  target  met|NOT MET  (n=…)` */
export function summaryLine({ what, now, floor, floorName, target, runs }) {
  const ratio = now / floor;
  const met = ratio <= target ? 'met' : 'NOT MET';
  return `  ${what.padEnd(46)} now ${ms(now).padStart(8)}  floor ${ms(floor).padStart(8)} (${floorName})  ${ratio.toFixed(2)}×  target ≤ ${target.toFixed(2)}×  ${met}  (n=${runs})`;
}

function ms(value) {
  return `${value.toFixed(value < 100 ? 1 : 0)} ms`;
}
