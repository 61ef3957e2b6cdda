import type { Informer } from '../model/informer.ts';

/**
 * Tells an {@link Informer} apart from anything else, such as an Observable of reflections.
 *
 * Structural: true for any object with `reflections$`, `snapshot$` and `status$` properties and
 * `getSnapshot`/`getStatus` methods, whoever built it. The UI adapters use it to accept either an
 * informer or a plain `Observable<Reflection<T>>`.
 *
 * @example
 * ```ts
 * import { isInformer } from './is-informer.ts';
 * import type { Informer, KubeObject, Reflection } from 'rxkube';
 * import type { Observable } from 'rxjs';
 * declare const source: Informer<KubeObject> | Observable<Reflection<KubeObject>>;
 * const current = isInformer(source) ? source.getSnapshot() : undefined;
 * ```
 *
 * @param value - anything.
 * @returns whether `value` has the shape of an informer.
 */
export function isInformer<T = unknown>(value: unknown): value is Informer<T> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof Informer<T>, unknown>>;
  return (
    typeof candidate.getSnapshot === 'function' &&
    typeof candidate.getStatus === 'function' &&
    typeof candidate.reflections$ === 'object' &&
    typeof candidate.snapshot$ === 'object' &&
    typeof candidate.status$ === 'object'
  );
}
