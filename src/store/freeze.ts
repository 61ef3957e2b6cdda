/**
 * Freezes a value and everything reachable from it, in place, and returns it.
 *
 * Made for JSON data (plain objects, arrays, primitives), which is what the API server sends. A
 * subtree that is already frozen is assumed to be deeply frozen and is skipped, so freezing an
 * object that shares most of its subtrees with a frozen older version costs only the new parts.
 * Typed arrays and functions are left alone. Do not pass an object that is shallowly frozen but
 * has mutable children: they will stay mutable.
 *
 * Frozen objects turn client-go's "mutating the cache" bug into an immediate `TypeError` (in
 * strict-mode code) instead of silent corruption of every other reader's view.
 *
 * @example
 * ```ts
 * import { deepFreeze } from './freeze.ts';
 * const pod = deepFreeze({ metadata: { name: 'web-0', labels: { app: 'web' } } });
 * Object.isFrozen(pod.metadata.labels); // true
 * ```
 *
 * @param value - the value to freeze; primitives are returned as is.
 * @returns `value`, frozen.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) freezeObject(value, 0, true);
  return value;
}

// Recursion is the fast path; past this depth (hostile input nested 100,000 levels deep) an
// explicit stack takes over, so no input can overflow the call stack.
const maxRecursion = 1000;

/** Freezes any value deeply, starting at `depth` (primitives and frozen objects are left alone). */
function freezeValue(v: unknown, depth: number): void {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) freezeObject(v, depth, true);
}

/**
 * Freezes `v`, a non-null object, and its descendants. Children are tested before recursing, so
 * primitives (most properties of API objects) cost no call. With `skipFrozen`, a frozen child is
 * taken to be frozen deeply and skipped ({@link deepFreeze}'s rule); without it, only the first two
 * levels are asked `Object.isFrozen` ({@link freezeFresh}).
 */
function freezeObject(v: object, depth: number, skipFrozen: boolean): void {
  if (depth > maxRecursion) {
    freezeIteratively(v);
    return;
  }
  if (Array.isArray(v)) {
    Object.freeze(v);
    for (let i = 0; i < v.length; i++) {
      const child: unknown = v[i];
      if (typeof child === 'object' && child !== null && !((skipFrozen || depth < 2) && Object.isFrozen(child))) freezeObject(child, depth + 1, skipFrozen);
    }
    return;
  }
  if (ArrayBuffer.isView(v)) return;
  Object.freeze(v);
  // for..in reads own `__proto__` data properties (as JSON.parse creates them) without touching
  // the prototype accessor; JSON data has no inherited enumerable properties.
  for (const k in v) {
    const child: unknown = (v as Record<string, unknown>)[k];
    if (typeof child === 'object' && child !== null && !((skipFrozen || depth < 2) && Object.isFrozen(child))) freezeObject(child, depth + 1, skipFrozen);
  }
}

/**
 * {@link deepFreeze} for objects just built from JSON (what `reflect` stores): the same result,
 * asking `Object.isFrozen` only of the first two levels (the root's children and theirs) — fresh
 * objects never are frozen, and asking every child costs a quarter of the walk, while an update
 * built by spreading a frozen object (`{ ...pod, metadata: { ...pod.metadata, … } }`, or immer)
 * shares its unchanged parts near the top (`spec`, `metadata.managedFields`), which are then
 * skipped. A deeper frozen subtree is walked again, harmlessly; a cycle ends at `maxRecursion`,
 * where the iterative walk, which does check, takes over.
 *
 * @internal
 */
export function freezeFresh<T>(value: T): T {
  if (typeof value === 'object' && value !== null) freezeObject(value, 0, false);
  return value;
}

function freezeIteratively(root: object): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || Object.isFrozen(v) || ArrayBuffer.isView(v)) continue;
    Object.freeze(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else {
      for (const k in v) stack.push((v as Record<string, unknown>)[k]);
    }
  }
}

/**
 * Returns `next` with every subtree that deep-equals the corresponding subtree of `previous`
 * replaced by `previous`'s, so unchanged parts keep their identity across versions of an object.
 *
 * If `next` deep-equals `previous` entirely, `previous` itself is returned. Otherwise the result is
 * `next`, edited in place (or a shallow copy of any part of `next` that is frozen): its changed
 * parts are its own, its unchanged parts are `previous`'s. With `freeze` on (the default) only the
 * new subtrees are frozen, since `previous`'s are assumed deeply frozen already; an update then
 * costs one comparison, not a re-freeze, and memoised UI components keyed on a subtree's identity
 * do not re-render.
 *
 * Deep equality here means: the same own enumerable keys, arrays of the same length, and `===` on
 * primitives. Keys such as `__proto__`, `constructor` and `prototype` are ordinary data keys: an
 * own `__proto__` property (as `JSON.parse` creates) is rewritten with `Object.defineProperty`, never
 * through the prototype setter, so no prototype is ever changed.
 *
 * Do not rely on `next` being left untouched: pass data you own (for example a freshly parsed
 * object), not a value other code still reads.
 *
 * @example
 * ```ts
 * import { shareStructure } from './freeze.ts';
 * const v1 = { metadata: { name: 'a', resourceVersion: '1' }, spec: { replicas: 2 } };
 * const v2 = shareStructure(v1, { metadata: { name: 'a', resourceVersion: '2' }, spec: { replicas: 2 } });
 * v2.spec === v1.spec; // true
 * ```
 *
 * @param previous - the older version (or `undefined`: then `next` is only frozen).
 * @param next - the newer version.
 * @param freeze - freeze the new subtrees. Defaults to true.
 * @returns `previous` when deep-equal, otherwise `next` sharing `previous`'s equal subtrees.
 */
export function shareStructure<T>(previous: T | undefined, next: T, freeze = true): T {
  return share(previous, next, freeze, 0) as T;
}

function share(prev: unknown, next: unknown, freeze: boolean, depth: number): unknown {
  if (prev === next) return prev;
  if (typeof next !== 'object' || next === null) return next;
  // Below maxRecursion levels subtrees are not shared, only frozen (without recursion).
  if (typeof prev === 'object' && prev !== null && depth <= maxRecursion) {
    if (Array.isArray(next)) {
      if (Array.isArray(prev)) return shareArray(prev, next, freeze, depth);
    } else if (!Array.isArray(prev) && !ArrayBuffer.isView(next)) {
      return shareObject(prev as Record<string, unknown>, next as Record<string, unknown>, freeze, depth);
    }
  }
  if (freeze) freezeValue(next, depth);
  return next;
}

function shareArray(prev: readonly unknown[], next: unknown[], freeze: boolean, depth: number): unknown {
  let same = prev.length === next.length;
  const frozen = Object.isFrozen(next);
  let target = next;
  for (let i = 0; i < next.length; i++) {
    const nv = next[i];
    let sv: unknown;
    if (i < prev.length) {
      sv = share(prev[i], nv, freeze, depth + 1);
      if (sv !== prev[i]) same = false;
    } else {
      if (freeze) freezeValue(nv, depth + 1);
      sv = nv;
    }
    if (sv !== nv) {
      if (frozen && target === next) target = next.slice();
      target[i] = sv;
    }
  }
  if (same) return prev;
  if (freeze) Object.freeze(target);
  return target;
}

function shareObject(prev: Record<string, unknown>, next: Record<string, unknown>, freeze: boolean, depth: number): unknown {
  let same = true;
  let count = 0;
  const frozen = Object.isFrozen(next);
  let target = next;
  for (const k in next) {
    count++;
    const nv = next[k];
    let sv: unknown;
    if (Object.hasOwn(prev, k)) {
      const pv = prev[k];
      sv = share(pv, nv, freeze, depth + 1);
      if (sv !== pv) same = false;
    } else {
      same = false;
      if (freeze) freezeValue(nv, depth + 1);
      sv = nv;
    }
    if (sv !== nv) {
      if (frozen && target === next) target = copyObject(next);
      setOwn(target, k, sv);
    }
  }
  if (same) {
    let prevCount = 0;
    for (const _ in prev) prevCount++;
    if (prevCount === count) return prev;
  }
  if (freeze) Object.freeze(target);
  return target;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

function copyObject(source: Record<string, unknown>): Record<string, unknown> {
  const copy = Object.create(Object.getPrototypeOf(source)) as Record<string, unknown>;
  for (const k of Object.keys(source)) setOwn(copy, k, source[k]);
  return copy;
}
