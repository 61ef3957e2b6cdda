/**
 * rxkube/react — React hooks over informers: `useSyncExternalStore` bindings that share one
 * subscription per source, survive StrictMode double mounting without restarting a watch, and
 * re-render only when what a component reads changed.
 *
 * Requires React 18 or later (an optional peer dependency).
 *
 * @packageDocumentation
 */

// ── Hooks ─────────────────────────────────────────────────────────────────────
export { useSnapshot } from './use-snapshot.ts';
export { useSelector } from './use-selector.ts';
export { useObject } from './use-object.ts';
export { useInformerStatus } from './use-informer-status.ts';
