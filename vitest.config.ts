import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['**/node_modules/**', 'test/e2e/**', 'test/chaos/long/**'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
});
