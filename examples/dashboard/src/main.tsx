import { Profiler, StrictMode } from 'react';
// Aliased to `react-dom/profiling` by vite.config.ts, so that <Profiler> reports in production too.
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { onRender, startFrameClock } from './metrics.ts';

startFrameClock();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Profiler id="dashboard" onRender={onRender}>
      <App />
    </Profiler>
  </StrictMode>,
);
