import { defineConfig } from 'vitest/config';

// CI sets HOTLINE_TEST_RESULTS to a file path to get vitest's JSON results besides the usual output.
const resultsFile = process.env.HOTLINE_TEST_RESULTS;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: resultsFile ? ['default', 'json'] : ['default'],
    ...(resultsFile ? { outputFile: { json: resultsFile } } : {}),
  },
});
