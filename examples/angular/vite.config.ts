import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * The Angular example's Vite config: no Angular plugin and no Angular CLI. Components apply their
 * decorators as functions and templates are compiled in the browser (JIT), so Vite only bundles.
 * `rxkube`, `rxkube/angular` and `rxkube/worker` resolve to the sources. Two pages: index.html
 * (the informers on the page) and worker.html (the pods informer in a Web Worker).
 */
export default defineConfig({
  root: here('.'),
  base: './',
  resolve: {
    alias: [
      { find: /^rxkube$/, replacement: here('../../src/index.ts') },
      { find: /^rxkube\/angular$/, replacement: here('../../src/angular/index.ts') },
      { find: /^rxkube\/worker$/, replacement: here('../../src/worker/index.ts') },
    ],
  },
  worker: { format: 'es' },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    rolldownOptions: { input: { main: here('index.html'), worker: here('worker.html') } },
    // The JIT compiler is about half of the bundle: expected for an example without the CLI.
    chunkSizeWarningLimit: 2_000,
  },
  logLevel: 'warn',
});
