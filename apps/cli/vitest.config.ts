import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// scripts/node-matrix.mjs sets it to collect each suite's counts per Node in one table.
const reportDir = process.env.HLA_COMPASS_TEST_REPORT_DIR;

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
    ...(reportDir === undefined
      ? {}
      : {
          reporters: ['default', 'json'],
          outputFile: { json: join(reportDir, `apps-cli-node-${process.versions.node}.json`) },
        }),
  },
});
