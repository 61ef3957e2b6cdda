import { assertInInjectionContext } from '@angular/core';
import type { Signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import type { Informer, InformerStatus } from '../index.ts';
import type { SignalBindingOptions } from './snapshot-signal.ts';

/**
 * A signal of the informer's health, for spinners, progress bars and error banners.
 *
 * Built on `toSignal` over `status$`, starting from `getStatus()`, cleaned up through the
 * injection context's `DestroyRef`. Binding to the status alone does not start the list/watch
 * (`status$` does not): pair it with {@link snapshotSignal}, {@link selectSignal} or
 * {@link objectSignal} on the same informer.
 *
 * @example
 * ```ts
 * import { Component } from '@angular/core';
 * import type { Informer, KubeObject } from 'rxkube';
 * import { snapshotSignal, statusSignal } from 'rxkube/angular';
 * declare const pods: Informer<KubeObject>;
 *
 * @Component({
 *   selector: 'pod-list',
 *   template: `@if (status().hasSynced) { {{ snapshot()?.size }} pods } @else { loading… }`,
 * })
 * export class PodList {
 *   readonly snapshot = snapshotSignal(pods);
 *   readonly status = statusSignal(pods);
 * }
 * ```
 *
 * @param informer - the informer to watch.
 * @param options - see {@link SignalBindingOptions}.
 * @returns a read-only signal of the latest status.
 */
export function statusSignal(informer: Informer<unknown>, options?: SignalBindingOptions): Signal<InformerStatus> {
  const injector = options?.injector;
  if (injector === undefined) assertInInjectionContext(statusSignal);
  return toSignal(informer.status$, { initialValue: informer.getStatus(), injector });
}
