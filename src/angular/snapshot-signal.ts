import { assertInInjectionContext } from '@angular/core';
import type { Injector, Signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import type { Snapshot, SnapshotSource } from '../index.ts';
import { isInformer } from '../internal/index.ts';
import { snapshotsOf } from './internal/snapshots.ts';

/**
 * Options shared by the signal factories of `rxkube/angular`.
 *
 * @example
 * ```ts
 * import { inject, Injector } from '@angular/core';
 * import type { SignalBindingOptions } from 'rxkube/angular';
 * const options: SignalBindingOptions = { injector: inject(Injector) };
 * ```
 */
export interface SignalBindingOptions {
  /**
   * The injector whose `DestroyRef` ends the subscription. Lets the factory run outside an
   * injection context (in `ngOnInit`, an event handler, a test).
   *
   * @defaultValue the current injection context's injector.
   */
  readonly injector?: Injector;
}

/**
 * A signal of the current snapshot of an informer (or of an Observable of reflections).
 *
 * Built on `toSignal`: subscribes at once and unsubscribes when the injection context's
 * `DestroyRef` fires (the component, directive, service or environment injector is destroyed).
 * For an informer, subscribing to `snapshot$` starts the list/watch if nothing else holds it, and
 * the signal starts from `getSnapshot()`. Subscriptions are shared per source: every signal over
 * the same informer or Observable, in any component, makes one subscription to it, which ends
 * when the last of their injectors is destroyed.
 *
 * Signal contract: the value keeps its identity until the state changes, so `computed`s over it
 * recompute only then. It is `undefined` before the first complete list. If the source fails,
 * reading the signal throws the error (as `toSignal` does); an informer never fails.
 *
 * Must run in an injection context (a constructor, a field initializer, `runInInjectionContext`)
 * unless `options.injector` is given.
 *
 * @example
 * ```ts
 * import { Component } from '@angular/core';
 * import type { Informer, KubeObject } from 'rxkube';
 * import { snapshotSignal } from 'rxkube/angular';
 * declare const pods: Informer<KubeObject>;
 *
 * @Component({
 *   selector: 'pod-count',
 *   template: `@if (snapshot(); as s) { {{ s.size }} pods } @else { loading… }`,
 * })
 * export class PodCount {
 *   readonly snapshot = snapshotSignal(pods);
 * }
 * ```
 *
 * @param source - an informer or an Observable of reflections.
 * @param options - see {@link SignalBindingOptions}.
 * @returns a read-only signal of the latest snapshot.
 */
export function snapshotSignal<T, I extends string = string>(source: SnapshotSource<T, I>, options?: SignalBindingOptions): Signal<Snapshot<T, I> | undefined> {
  const injector = options?.injector;
  if (injector === undefined) assertInInjectionContext(snapshotSignal);
  const initialValue = isInformer<T>(source) ? source.getSnapshot() : undefined;
  return toSignal<Snapshot<T, I> | undefined, Snapshot<T, I> | undefined>(snapshotsOf(source), { initialValue, injector });
}
