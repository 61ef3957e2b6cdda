/**
 * Internal, not API: compiled label selectors and the join keys that let a join find candidate
 * pairs without scanning.
 *
 * A selector is anchored on one requirement: `k=v` for each value of its first `In` (matchLabels
 * entries are `In` with one value), else `k` for its first `Exists`, else `*` (it may match
 * objects with any labels). A labelled object's keys are `k=v` and `k` for each label, plus `*`.
 * A selector and an object sharing a key are candidates; {@link matchesSelector} decides.
 *
 * @internal
 * @packageDocumentation
 */

/** Label maps as found in `metadata.labels`. @internal */
export type Labels = { readonly [key: string]: string };

/** One `matchExpressions` entry. @internal */
export interface Requirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

/** A compiled selector: requirements ANDed, or `null` for "selects nothing". @internal */
export type Compiled = readonly Requirement[] | null;

/** From metav1 LabelSelector semantics: absent selects nothing, `{}` selects everything. @internal */
export function compileSelector(selector: { matchLabels?: Labels | null; matchExpressions?: readonly Requirement[] | null } | null | undefined): Compiled {
  if (selector === null || selector === undefined) return null;
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) requirements.push({ key, operator: 'In', values: [value] });
  for (const r of selector.matchExpressions ?? []) requirements.push(r);
  return requirements;
}

/** From Service `spec.selector` semantics: absent or empty selects nothing. @internal */
export function compileMatchLabels(labels: Labels | null | undefined): Compiled {
  if (labels === null || labels === undefined) return null;
  const requirements = Object.entries(labels).map(([key, value]): Requirement => ({ key, operator: 'In', values: [value] }));
  return requirements.length === 0 ? null : requirements;
}

/** Whether `labels` satisfy every requirement. Unknown operators match nothing. @internal */
export function matchesSelector(compiled: Compiled, labels: Labels | undefined): boolean {
  if (compiled === null) return false;
  for (const r of compiled) {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    const value = has ? labels[r.key] : undefined;
    switch (r.operator) {
      case 'In':
        if (!has || !(r.values ?? []).includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && (r.values ?? []).includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The join keys of a selector. @internal */
export function selectorKeys(compiled: Compiled): readonly string[] {
  if (compiled === null) return [];
  const inReq = compiled.find((r) => r.operator === 'In');
  if (inReq) return (inReq.values ?? []).map((v) => `${inReq.key}=${v}`);
  const exists = compiled.find((r) => r.operator === 'Exists');
  if (exists) return [exists.key];
  return compiled.some((r) => r.operator !== 'NotIn' && r.operator !== 'DoesNotExist') ? [] : ['*'];
}

/** The join keys of a labelled object. @internal */
export function labelKeys(labels: Labels | undefined): readonly string[] {
  const keys = ['*'];
  if (labels) for (const [k, v] of Object.entries(labels)) keys.push(`${k}=${v}`, k);
  return keys;
}
