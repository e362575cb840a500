import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// scripts/node-matrix.mjs sets it to collect each suite's counts per Node in one table.
const reportDir = process.env.HLA_COMPASS_TEST_REPORT_DIR;

export default defineConfig({
  // Suites start real registries and emulator processes; the defaults are too tight for that.
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    ...(reportDir === undefined
      ? {}
      : {
          reporters: ['default', 'json'],
          outputFile: {
            json: join(reportDir, `apps-platform-node-${process.versions.node}.json`),
          },
        }),
  },
});
