import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __HLA_COMPASS_VERSION__: JSON.stringify('0.0.0-test') },
  test: { include: ['test/**/*.test.ts'] },
});
