import type { Observable } from 'rxjs';
import type { Reflection } from '../model/reflection.ts';
import { joinReflections } from './internal/join-engine.ts';
import type { Joined, JoinOptions } from './join-with.ts';

/**
 * Joins two collections on key functions; the creation form of {@link joinWith}
 * (`join(a$, b$, o)` is `a$.pipe(joinWith(b$, o))`).
 *
 * Emission contract, costs and semantics: see {@link joinWith}.
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { join, type KubeObject, type Reflection } from 'rxkube';
 * interface Pod extends KubeObject { metadata?: KubeObject['metadata'] & { ownerReferences?: { uid: string }[] } }
 * declare const pods$: Observable<Reflection<Pod>>;
 * declare const replicaSets$: Observable<Reflection<KubeObject>>;
 * const owned$ = join(pods$, replicaSets$, {
 *   leftKey: (pod) => pod.metadata?.ownerReferences?.map((ref) => ref.uid),
 *   rightKey: (rs) => rs.metadata?.uid,
 *   mode: 'inner',
 * });
 * ```
 * @param left$ - the left collection's reflections; the output is keyed by its store keys.
 * @param right$ - the right collection's reflections.
 * @param options - key functions, extra condition and join mode.
 * @returns reflections of joined rows.
 */
export function join<L, R>(left$: Observable<Reflection<L>>, right$: Observable<Reflection<R>>, options: JoinOptions<L, R>): Observable<Reflection<Joined<L, R>>> {
  return joinReflections(left$, right$, { leftKey: options.leftKey, rightKey: options.rightKey, where: options.where, inner: options.mode === 'inner' });
}
