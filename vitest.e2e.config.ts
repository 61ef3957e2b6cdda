import { defineConfig } from 'vitest/config';

/**
 * Browser end-to-end tests (test/e2e): Debian's Chromium driven by playwright-core against the
 * examples served on loopback. Slow by nature (a production build, 10,000 pods, real time), so kept
 * apart from `npm test`; run with `npm run test:e2e`.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    reporters: ['default'],
  },
});
