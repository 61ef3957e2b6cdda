import type { Observable, OperatorFunction } from 'rxjs';
import type { KubeObject } from '../model/kube-object.ts';
import type { Reflection } from '../model/reflection.ts';
import { joinReflections } from './internal/join-engine.ts';
import { compileMatchLabels, compileSelector, labelKeys, matchesSelector, selectorKeys, type Compiled } from './internal/label-selector.ts';
import type { Joined } from './join-with.ts';

/**
 * One requirement of a {@link LabelSelector}'s `matchExpressions`.
 *
 * @example
 * ```ts
 * import type { LabelSelectorRequirement } from 'rxkube';
 * const notCanary: LabelSelectorRequirement = { key: 'track', operator: 'NotIn', values: ['canary'] };
 * ```
 */
export interface LabelSelectorRequirement {
  /** The label key. */
  readonly key: string;
  /** `In`, `NotIn`, `Exists` or `DoesNotExist`; any other operator matches nothing. */
  readonly operator: string;
  /** The values for `In` and `NotIn`. */
  readonly values?: readonly string[];
}

/**
 * A label selector in the Kubernetes `metav1.LabelSelector` shape (Deployment `spec.selector`,
 * NetworkPolicy `podSelector`, …). Structurally compatible with `V1LabelSelector`.
 *
 * @example
 * ```ts
 * import type { LabelSelector } from 'rxkube';
 * const web: LabelSelector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] };
 * ```
 */
export interface LabelSelector {
  /** Each entry requires the label to have exactly that value. */
  readonly matchLabels?: { readonly [key: string]: string } | null;
  /** Further requirements, all of which must hold. */
  readonly matchExpressions?: readonly LabelSelectorRequirement[] | null;
}

/**
 * Options of {@link selectorJoin}: give exactly one of `selector` (metav1 semantics: absent
 * selects nothing, `{}` selects everything) or `matchLabels` (Service semantics: absent or empty
 * selects nothing).
 */
export interface SelectorJoinOptions<L, R> {
  /** The `metav1.LabelSelector` of a right object. @defaultValue undefined (give `matchLabels`) */
  selector?: (right: R) => LabelSelector | null | undefined;
  /** The equality-only selector map of a right object (a Service's `spec.selector`). @defaultValue undefined (give `selector`) */
  matchLabels?: (right: R) => { readonly [key: string]: string } | null | undefined;
  /** The labels of a left object. @defaultValue `left.metadata?.labels` */
  labels?: (left: L) => { readonly [key: string]: string } | undefined;
  /** `left` keeps unselected objects with `right: []`; `inner` drops them. @defaultValue 'left' */
  mode?: 'left' | 'inner';
}

/**
 * Joins labelled objects (the source, e.g. pods) with the objects whose label selector selects
 * them (`right$`, e.g. Services, Deployments, NetworkPolicies, PodDisruptionBudgets): for each
 * left object, the right objects that select it. A many-to-many join.
 *
 * Each selector is indexed under one anchor (its first `matchLabels` pair or `In` values, else its
 * first `Exists` key, else "any"), each object under each of its labels; candidates sharing an
 * anchor are checked against the full selector. So a pod change costs O(selectors anchored on one
 * of its labels) and a Service change O(pods carrying its anchor label) plus the rows it touches.
 * For the reverse view (per Service, its pods), pipe the result into
 * `groupObjects((row) => row.rightKeys)`.
 *
 * Emission contract: as {@link joinWith}.
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { groupObjects, selectorJoin, type KubeObject, type Reflection } from 'rxkube';
 * interface Service extends KubeObject { spec?: { selector?: Record<string, string> } }
 * declare const pods$: Observable<Reflection<KubeObject>>;
 * declare const services$: Observable<Reflection<Service>>;
 * const podsOfService$ = pods$.pipe(
 *   selectorJoin(services$, { matchLabels: (svc) => svc.spec?.selector }),
 *   groupObjects((row) => row.rightKeys),
 * );
 * ```
 * @param right$ - the selecting objects' reflections.
 * @param options - where each side finds its selector and labels, and the join mode.
 * @returns an operator from labelled objects' reflections to joined rows.
 * @throws TypeError when not exactly one of `selector` and `matchLabels` is given.
 * @see {@link joinWith}
 */
export function selectorJoin<L extends KubeObject, R>(right$: Observable<Reflection<R>>, options: SelectorJoinOptions<L, R>): OperatorFunction<Reflection<L>, Reflection<Joined<L, R>>>;
export function selectorJoin<L, R>(
  right$: Observable<Reflection<R>>,
  options: SelectorJoinOptions<L, R> & { labels: (left: L) => { readonly [key: string]: string } | undefined },
): OperatorFunction<Reflection<L>, Reflection<Joined<L, R>>>;
export function selectorJoin<L, R>(right$: Observable<Reflection<R>>, options: SelectorJoinOptions<L, R>): OperatorFunction<Reflection<L>, Reflection<Joined<L, R>>> {
  if ((options.selector === undefined) === (options.matchLabels === undefined)) {
    throw new TypeError('selectorJoin: give exactly one of `selector` and `matchLabels`');
  }
  const labelsOf = options.labels ?? ((left: L) => (left as KubeObject).metadata?.labels);
  const compile = (right: R): Compiled => (options.selector ? compileSelector(options.selector(right)) : compileMatchLabels(options.matchLabels!(right)));
  // Compiled selectors per right object (objects are immutable), so `where` never recompiles.
  const compiled = new WeakMap<object, Compiled>();
  const compiledOf = (right: R): Compiled => {
    if (typeof right !== 'object' || right === null) return compile(right);
    let c = compiled.get(right);
    if (c === undefined) compiled.set(right, (c = compile(right)));
    return c;
  };
  const spec = {
    leftKey: (left: L) => labelKeys(labelsOf(left)),
    rightKey: (right: R) => selectorKeys(compiledOf(right)),
    where: (left: L, right: R) => matchesSelector(compiledOf(right), labelsOf(left)),
    inner: options.mode === 'inner',
  };
  return (left$) => joinReflections(left$, right$, spec);
}
