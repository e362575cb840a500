import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __HLA_COMPASS_VERSION__: JSON.stringify('0.0.0-test') },
  test: {
    include: ['test/**/*.test.ts'],
    // The suites run the built CLI against real registries, an emulator and a Docker engine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
