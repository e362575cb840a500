// `pnpm bench` for the CLI: startup.mjs, publish.mjs and build-push.mjs one after another (each
// measures its rows against their floors in its own run, interleaved), then every row of issue
// 18's table for the CLI in one summary: what, now, floor, ratio, target, met or not, and the
// total time. The run counts and why are in each bench's header. BENCH_NODE=/path/to/node runs
// the CLI and its Node floor under that Node (rows.mjs), the rest under the one running this.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliNodeVersion, cliUnderTest, summaryLine } from './rows.mjs';

const benches = ['startup.mjs', 'publish.mjs', 'build-push.mjs'];
const dir = mkdtempSync(join(tmpdir(), 'hla-bench-summary-'));
const summary = join(dir, 'rows.jsonl');
const start = Date.now();
const cli = cliUnderTest();
try {
  for (const bench of benches) {
    const result = spawnSync(process.execPath, [fileURLToPath(new URL(bench, import.meta.url))], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_SUMMARY: summary, BENCH_CLI: cli },
    });
    if (result.status !== 0) throw new Error(`bench/${bench} failed (exit ${result.status})`);
    console.log('');
  }
  const rows = readFileSync(summary, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
  console.log(
    `CLI rows of issue 18 on Node ${cliNodeVersion()}, each against its floor measured in the same run (medians)`,
  );
  for (const row of rows) console.log(summaryLine(row));
  console.log(`  total bench time ${((Date.now() - start) / 1000).toFixed(0)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
