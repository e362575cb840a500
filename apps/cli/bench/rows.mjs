// What the CLI benches share: a median, a timed child process, and the summary rows of issue 18's
// table (what, now, floor, ratio, target, met or not). Each bench prints its rows; with
// BENCH_SUMMARY set (bench/cli.mjs sets it) it also appends them there as JSON lines, for the one
// summary table at the end of `pnpm bench`.
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';

/** The middle value (the upper one of the two middles for an even count). */
export function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
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
