import type { KubeObject } from '../index.ts';
import type { ResourceDef } from './resource-def.ts';
import { SelectorParseError } from './label-selector.ts';

/** One `field=value` or `field!=value` term. */
export interface FieldRequirement {
  /** The field label, e.g. `spec.nodeName`. */
  readonly field: string;
  /** Whether the value must equal (`=`, `==`) or differ (`!=`). */
  readonly equal: boolean;
  /** The value. */
  readonly value: string;
}

/** A parsed field selector; all terms must hold. */
export type FieldSelector = readonly FieldRequirement[];

function splitTerms(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) { cur += c + s[i + 1]!; i++; continue; }
    if (c === ',') { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}

function unescape(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

/**
 * Parses a field selector (`a=b,c!=d`) and checks every label against what `def` supports.
 *
 * @throws SelectorParseError on a syntax error or an unsupported field label (the real server's
 *   `field label not supported: …`).
 */
export function parseFieldSelector(input: string, def: ResourceDef): FieldSelector {
  if (input.trim() === '') return [];
  return splitTerms(input).map((term) => {
    const m = /^([^=!]*?)(==|!=|=)(.*)$/s.exec(term);
    if (m === null) throw new SelectorParseError(`invalid selector: '${input}'; can't understand '${term}'`);
    const field = m[1]!.trim();
    if (!supportsField(def, field)) throw new SelectorParseError(unsupportedFieldMessage(def, field));
    return { field, equal: m[2] !== '!=', value: unescape(m[3]!) };
  });
}

/**
 * kube-apiserver 1.36's wording: built-in resources with only the generic field labels
 * (configmaps, deployments, …) list them; those with their own (pods, nodes, events) and custom
 * resources say `field label not supported`.
 */
function unsupportedFieldMessage(def: ResourceDef, field: string): string {
  const generic = def.listItemsIncludeTypeMeta === false && Object.keys(def.fieldSelectors ?? {}).length === 0;
  if (!generic) return `field label not supported: ${field}`;
  const known = def.namespaced ? ['metadata.name', 'metadata.namespace'] : ['metadata.name'];
  return `${JSON.stringify(field)} is not a known field selector: only ${known.map((k) => JSON.stringify(k)).join(', ')}`;
}

function supportsField(def: ResourceDef, field: string): boolean {
  if (field === 'metadata.name') return true;
  if (field === 'metadata.namespace') return def.namespaced;
  return def.fieldSelectors !== undefined && Object.prototype.hasOwnProperty.call(def.fieldSelectors, field);
}

/** Reads a field label's value from an object. */
export function fieldValue(def: ResourceDef, obj: KubeObject, field: string): string {
  if (field === 'metadata.name') return obj.metadata?.name ?? '';
  if (field === 'metadata.namespace') return obj.metadata?.namespace ?? '';
  return def.fieldSelectors?.[field]?.(obj) ?? '';
}

/** Whether `obj` satisfies every term. */
export function matchesFields(def: ResourceDef, selector: FieldSelector, obj: KubeObject): boolean {
  for (const r of selector) {
    if ((fieldValue(def, obj, r.field) === r.value) !== r.equal) return false;
  }
  return true;
}
