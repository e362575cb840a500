import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Suites start real registries and emulator processes; the defaults are too tight for that.
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
