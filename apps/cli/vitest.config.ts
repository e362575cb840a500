import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// scripts/node-matrix.mjs sets it to collect each suite's counts per Node in one table.
const reportDir = process.env.HLA_COMPASS_TEST_REPORT_DIR;

/**
 * Files that spend most of their time waiting (on the engine's upload retries against a failing
 * registry, on engines and registries of their own), longest first: push-faults.test.ts alone
 * waits ~160 s. Without durations cached (a fresh clone, as CI runs) vitest starts the largest
 * files first, and these started last: on 2 busy cores the suite's end was one of them waiting
 * with the machine at 30%. Started first, their waiting overlaps the other files' work (issue 18).
 */
const WAITING_FILES = [
  'push-faults.test.ts',
  'docker-setups.test.ts',
  'fast-path.test.ts',
  'reproducible.test.ts',
];

class WaitingFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = WAITING_FILES.indexOf(basename(file.moduleId));
      return index === -1 ? WAITING_FILES.length : index;
    };
    // Array.prototype.sort is stable: the rest keep vitest's own order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  define: { __HLA_COMPASS_VERSION__: JSON.stringify('0.0.0-test') },
  test: {
    include: ['test/**/*.test.ts'],
    // The suites run the built CLI against real registries, an emulator and a Docker engine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Most of the suite's time is waiting (on the engine's retries and timeouts, registries,
    // subprocesses): on 2 cores it used 37% of one core with one file at a time (606 s), and
    // three files at once took 230 s for the same CPU. So at least three, whatever the cores.
    maxWorkers: Math.max(3, availableParallelism()),
    sequence: { sequencer: WaitingFilesFirst },
    ...(reportDir === undefined
      ? {}
      : {
          reporters: ['default', 'json'],
          outputFile: { json: join(reportDir, `apps-cli-node-${process.versions.node}.json`) },
        }),
  },
});
