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
    // Test files share one module graph per worker instead of importing the emulator (its
    // contract, zod, Hono) again for each of them: measured alone on the 2-core machine, the suite
    // went from 117 s wall / 68 s CPU to 82 s / 47 s, all 291 tests green. No test file mocks a
    // module; each builds its own platform, databases and servers.
    isolate: false,
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
