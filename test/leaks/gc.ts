import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, whether or not the process was started with `--expose-gc`
 * (`npm test` is not; `npm run test:chaos` is): V8 lets a running process turn the flag on, and a
 * fresh context then sees `gc`.
 */
export function collectGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) {
    exposed();
    return;
  }
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Heap in use after two full collections, in bytes. */
export async function settledHeap(): Promise<number> {
  for (let i = 0; i < 2; i++) {
    collectGarbage();
    await new Promise((resolve) => setImmediate(resolve));
  }
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** How many handles of each kind keep the process alive (sockets, timers, …). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

export const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
