import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and e2e tests own real ports, ptys and a browser: keep files apart.
    fileParallelism: false,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
