import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['**/node_modules/**', 'test/e2e/**', 'test/chaos/long/**', 'test/conformance/**', 'test/faults/**'],
        },
      },
      {
        // The real kube-apiserver tier: global-setup builds (once, cached) and starts the control
        // planes; it fails with what to install when Go or openssl is missing, never skips.
        extends: true,
        test: {
          name: 'conformance',
          include: ['test/conformance/**/*.test.ts'],
          globalSetup: ['test/conformance/global-setup.ts'],
          testTimeout: 120_000,
        },
      },
      {
        // The real kube-apiserver as the fault injector (kill -9 and restart, compaction, a TCP
        // proxy that resets, blackholes and slows, 429s): its own control plane, since it kills it.
        extends: true,
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          testTimeout: 300_000,
        },
      },
    ],
  },
});
