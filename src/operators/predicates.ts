import type { KubeObject } from '../model/kube-object.ts';

/**
 * A value compared between two versions of an object: {@link onlyChanged} keeps an update when
 * the values differ (`Object.is`). `undefined` is a value like any other.
 *
 * @example
 * ```ts
 * import type { PredicateValue } from 'rxkube';
 * const v: PredicateValue = 'app=web,tier=fe';
 * ```
 */
export type PredicateValue = string | number | bigint | boolean | null | undefined;

/**
 * A function from an object to the {@link PredicateValue} that matters to a consumer (kube-rs's
 * `Predicate`): the generation, the resourceVersion, a canonical string of the labels, …
 *
 * Not a boolean test (that is what {@link filterObjects} takes): the name is kube-rs's, where a
 * predicate says what to compare between two versions of an object.
 *
 * @example
 * ```ts
 * import type { KubeObject, Predicate } from 'rxkube';
 * const replicas: Predicate<KubeObject & { spec?: { replicas?: number } }> = (o) => o.spec?.replicas;
 * ```
 */
export type Predicate<T> = (object: T) => PredicateValue;

function canonicalMap(map: { readonly [key: string]: string } | undefined): string | undefined {
  if (map === undefined) return undefined;
  const keys = Object.keys(map).sort();
  return JSON.stringify(keys.map((k) => [k, map[k]]));
}

/**
 * Ready-made predicates and combinators for {@link onlyChanged}, after kube-rs's `predicates`.
 *
 * - `generation`: `metadata.generation` — changes on spec changes, not status (for resources
 *   with a status subresource).
 * - `resourceVersion`: `metadata.resourceVersion` — any change at all.
 * - `labels`, `annotations`: a canonical (key-sorted) string of the map.
 * - `finalizers`: the finalizer list, in order.
 * - `uid`: `metadata.uid` — a recreation under the same name.
 * - `field(f)`: any derived value, compared by canonical JSON (objects are key-sorted).
 * - `combine(...ps)`: changes when any of `ps` changes.
 * - `fallback(p, q)`: `p`, or `q` where `p` is `undefined` (for example generation, falling back
 *   to resourceVersion for kinds without one).
 *
 * @example
 * ```ts
 * import { onlyChanged, predicates } from 'rxkube';
 * const specOrLabels = onlyChanged(predicates.combine(predicates.fallback(predicates.generation, predicates.resourceVersion), predicates.labels));
 * ```
 */
export const predicates = Object.freeze({
  /** `metadata.generation`. */
  generation: (object: KubeObject): PredicateValue => object.metadata?.generation,
  /** `metadata.resourceVersion`. */
  resourceVersion: (object: KubeObject): PredicateValue => object.metadata?.resourceVersion,
  /** `metadata.uid`. */
  uid: (object: KubeObject): PredicateValue => object.metadata?.uid,
  /** `metadata.labels`, canonicalised. */
  labels: (object: KubeObject): PredicateValue => canonicalMap(object.metadata?.labels),
  /** `metadata.annotations`, canonicalised. */
  annotations: (object: KubeObject): PredicateValue => canonicalMap(object.metadata?.annotations),
  /** `metadata.finalizers`, in order. */
  finalizers: (object: KubeObject): PredicateValue => {
    const finalizers = (object.metadata as { finalizers?: readonly string[] } | undefined)?.finalizers;
    return finalizers === undefined ? undefined : JSON.stringify(finalizers);
  },
  /** Any derived value, compared by canonical JSON. */
  field:
    <T>(select: (object: T) => unknown): Predicate<T> =>
    (object) => {
      const value = select(object);
      return value === undefined ? undefined : JSON.stringify(value, (_k, v: unknown) => (isPlainObject(v) ? sortKeys(v) : v));
    },
  /** Changes when any of `ps` changes. */
  combine:
    <T>(...ps: readonly Predicate<T>[]): Predicate<T> =>
    (object) =>
      JSON.stringify(ps.map((p) => encode(p(object)))),
  /** `primary`, or `secondary` where `primary` gives `undefined`. */
  fallback:
    <T>(primary: Predicate<T>, secondary: Predicate<T>): Predicate<T> =>
    (object) => {
      const value = primary(object);
      return value === undefined ? secondary(object) : value;
    },
});

function encode(value: PredicateValue): string {
  // A type tag keeps 1, '1', 1n and true apart inside the combined string.
  if (value === undefined) return 'u';
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'bigint') return `n${value}`;
  return String(value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortKeys(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // defineProperty: a "__proto__" key must stay a key, not replace the copy's prototype.
  for (const k of Object.keys(v).sort()) Object.defineProperty(out, k, { value: v[k], enumerable: true, writable: true, configurable: true });
  return out;
}
