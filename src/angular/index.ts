/**
 * rxkube/angular — Angular signals over informers, built on `toSignal` and cleaned up through
 * `DestroyRef`: call them in an injection context (or pass an `injector`).
 *
 * Requires `@angular/core` 17 or later (an optional peer dependency).
 *
 * @packageDocumentation
 */

// ── Signals ───────────────────────────────────────────────────────────────────
export { snapshotSignal } from './snapshot-signal.ts';
export type { SignalBindingOptions } from './snapshot-signal.ts';
export { selectSignal } from './select-signal.ts';
export { objectSignal } from './object-signal.ts';
export { statusSignal } from './status-signal.ts';
