import { assertInInjectionContext, isSignal } from '@angular/core';
import type { Signal } from '@angular/core';
import type { SnapshotSource } from '../index.ts';
import type { SignalBindingOptions } from './snapshot-signal.ts';
import { selectSignal } from './select-signal.ts';

/**
 * A signal of the object stored under `key`, notifying its consumers only when that object
 * changed.
 *
 * A snapshot keeps the identity of every object a change did not touch, so this compares with
 * `Object.is`: a change to any other object in the collection does not notify. `key` may be a
 * signal (a component `input()`, a route parameter): the signal then follows the key.
 *
 * Signal contract: as {@link selectSignal} with `(s) => s.get(key)`.
 *
 * @example
 * ```ts
 * import { Component, input } from '@angular/core';
 * import type { Informer, KubeObject } from 'rxkube';
 * import { objectSignal } from 'rxkube/angular';
 * declare const pods: Informer<KubeObject>;
 *
 * @Component({ selector: 'pod-version', template: `{{ pod()?.metadata?.resourceVersion ?? 'gone' }}` })
 * export class PodVersion {
 *   readonly podKey = input.required<string>();
 *   readonly pod = objectSignal(pods, this.podKey);
 * }
 * ```
 *
 * @param source - an informer or an Observable of reflections.
 * @param key - the store key (`namespace/name`, or `name` for cluster-scoped objects), or a signal of it.
 * @param options - see {@link SignalBindingOptions}.
 * @returns a read-only signal of the object, `undefined` when absent or before the first complete list.
 */
export function objectSignal<T>(source: SnapshotSource<T>, key: string | Signal<string>, options?: SignalBindingOptions): Signal<T | undefined> {
  if (options?.injector === undefined) assertInInjectionContext(objectSignal);
  const readKey = isSignal(key) ? key : () => key;
  return selectSignal(source, (snapshot) => snapshot.get(readKey()), Object.is, options);
}
