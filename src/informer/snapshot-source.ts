import type { Observable } from 'rxjs';
import type { Informer } from '../model/informer.ts';
import type { Reflection } from '../model/reflection.ts';

/**
 * What the UI bindings (`rxkube/react`, `rxkube/angular`) accept as a source of snapshots: an
 * {@link Informer}, or any Observable of {@link Reflection}s (for example `reflect()`'s output).
 *
 * An informer is preferred: its `getSnapshot()` gives the current state on the first render, and
 * its list/watch is shared by construction. An Observable is shared per identity by the bindings,
 * so create it once (module scope, a service, `useMemo`), never during render.
 *
 * @typeParam T - the object type.
 * @typeParam I - the index names its snapshots answer (see {@link Snapshot}).
 *
 * @example
 * ```ts
 * import type { SnapshotSource, KubeObject } from 'rxkube';
 * declare const pods: SnapshotSource<KubeObject>;
 * ```
 */
export type SnapshotSource<T, I extends string = string> = Informer<T, I> | Observable<Reflection<T, I>>;
