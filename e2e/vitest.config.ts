import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['setup/global-setup.ts'],
    setupFiles: ['test/secret-scan.ts'],
    // One line per scenario with its duration, also when CI's output is not a terminal.
    reporters: ['verbose'],
    // Generous bounds against a hang, never assertions on speed: a build on a loaded CI machine
    // can take tens of seconds (minutes where the engine falls back to the vfs storage driver).
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
