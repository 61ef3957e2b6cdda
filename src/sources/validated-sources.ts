import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatch } from '../model/wire.ts';

/**
 * The list/watch sources whose every page and event already passed the wire checks
 * (`decodeObjectList`'s and `decodeWatchEvent`'s rules: the ones `listWatch` applies to any
 * source), so that the loop does not check each event a second time.
 */
const validated = new WeakSet<object>();

/**
 * Marks `source` as one that validates what it emits, and returns it. Only rxkube's own transports
 * are marked; any other source is checked by the loop.
 *
 * @internal
 */
export function markValidated<T extends KubeObject, L extends ListWatch<T>>(source: L): L {
  validated.add(source);
  return source;
}

/**
 * Whether `source` validates what it emits (see {@link markValidated}).
 *
 * @internal
 */
export function isValidated(source: object): boolean {
  return validated.has(source);
}
