import { assertInInjectionContext, computed } from '@angular/core';
import type { Signal, ValueEqualityFn } from '@angular/core';
import type { Snapshot, SnapshotSource } from '../index.ts';
import { snapshotSignal } from './snapshot-signal.ts';
import type { SignalBindingOptions } from './snapshot-signal.ts';

/**
 * A signal of a value derived from the current snapshot, notifying its consumers only when that
 * value changed according to `equal`.
 *
 * A `computed` with `equal` over {@link snapshotSignal}: `selector` runs once per new snapshot
 * (and again when a signal it reads changes); when `equal(previous, next)` holds, the signal
 * keeps its previous value and templates and `computed`s that read it are not dirtied.
 *
 * Signal contract: `undefined`, without calling `selector`, before the first complete list.
 * Errors thrown by `selector` or the source are thrown when the signal is read. The subscription
 * ends with the injection context, as for {@link snapshotSignal}.
 *
 * @example
 * ```ts
 * import { Component } from '@angular/core';
 * import type { Informer, KubeObject } from 'rxkube';
 * import { selectSignal } from 'rxkube/angular';
 * declare const pods: Informer<KubeObject>;
 *
 * @Component({ selector: 'pod-names', template: `{{ names()?.join(', ') }}` })
 * export class PodNames {
 *   readonly names = selectSignal(
 *     pods,
 *     (s) => [...s.values()].map((p) => p.metadata?.name ?? '').sort(),
 *     (a, b) => a.length === b.length && a.every((n, i) => n === b[i]),
 *   );
 * }
 * ```
 *
 * @param source - an informer or an Observable of reflections.
 * @param selector - derives the value from a snapshot; must be pure (it may read other signals).
 * @param equal - whether two selected values are the same. Defaults to `Object.is`.
 * @param options - see {@link SignalBindingOptions}.
 * @returns a read-only signal of the selected value.
 */
export function selectSignal<T, S, I extends string = string>(
  source: SnapshotSource<T, I>,
  selector: (snapshot: Snapshot<T, I>) => S,
  equal: ValueEqualityFn<S> = Object.is,
  options?: SignalBindingOptions,
): Signal<S | undefined> {
  if (options?.injector === undefined) assertInInjectionContext(selectSignal);
  const snapshot = snapshotSignal(source, options);
  return computed(
    () => {
      const current = snapshot();
      return current === undefined ? undefined : selector(current);
    },
    { equal: (a, b) => (a === undefined || b === undefined ? a === b : equal(a, b)) },
  );
}
