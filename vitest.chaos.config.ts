import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: the long chaos, load and leak runs (test/chaos/long/**), excluded from
// `npm test`. One file per worker; each file runs its schedules concurrently. `--expose-gc` lets
// the heap measurements collect garbage before they read the heap.
export default defineConfig({
  test: {
    include: ['test/chaos/long/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 3_600_000,
    hookTimeout: 180_000,
    execArgv: ['--expose-gc'],
    fileParallelism: false,
  },
});
