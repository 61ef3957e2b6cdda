import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * The dashboard's Vite config. `rxkube` and `rxkube/react` resolve to the sources, so no build of
 * the library is needed; `react-dom/client` resolves to React's profiling build, so that
 * `<Profiler onRender>` reports render times in the production bundle too.
 *
 * `DASHBOARD_MINIFY=0` keeps names readable in CPU profiles.
 *
 * `serve.ts` builds with it (in production mode, see `productionBuild`) and serves `dist/`;
 * `npx vite --config examples/dashboard/vite.config.ts` also works for development if `RXKUBE_API`
 * names a running (simulated) API server.
 */
export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^rxkube$/, replacement: here('../../src/index.ts') },
      { find: /^rxkube\/react$/, replacement: here('../../src/react/index.ts') },
      { find: /^react-dom\/client$/, replacement: 'react-dom/profiling' },
    ],
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    sourcemap: true,
    minify: process.env['DASHBOARD_MINIFY'] !== '0',
    reportCompressedSize: false,
  },
  server: {
    proxy: process.env['RXKUBE_API'] === undefined ? {} : {
      '/api': { target: process.env['RXKUBE_API'] },
      '/apis': { target: process.env['RXKUBE_API'] },
    },
  },
  logLevel: 'warn',
});
