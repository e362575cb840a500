// Test settings every package shares. The timeouts guard against hangs only: tests never assert
// durations, and on a 2-core CI machine every package's suites run at once.
export const sharedTestOptions = {
  include: ['test/**/*.test.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};
