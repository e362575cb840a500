// Test settings every package shares. The timeouts guard against hangs only: tests never assert
// durations, and on a 2-core CI machine every package's suites run at once.
export const sharedTestOptions = {
  include: ['test/**/*.test.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // Test files share one module graph per worker instead of importing it again for each file:
  // no suite here mocks modules or leaves global state behind, and measured alone on the 2-core
  // machine the packages' suites ran in about half the time (manifest 8.5 → 3.4 s, signing
  // 13.8 → 10.4 s, registry-client 7.7 → 4.8 s, platform-api 5.6 → 2.2 s wall).
  isolate: false,
};
