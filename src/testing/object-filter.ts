import type { KubeObject } from '../model/kube-object.ts';
import { matchesFields } from './field-selector.ts';
import { matchesLabels } from './label-selector.ts';
import type { ListWatchQuery } from './request-options.ts';
import type { ResourceDef } from './resource-def.ts';

/** Whether an object is in the namespace (if any) and satisfies the query's selectors. */
export function objectFilter(def: ResourceDef, namespace: string | undefined, query: Pick<ListWatchQuery, 'labels' | 'fields'>): (obj: KubeObject) => boolean {
  return (obj) =>
    (namespace === undefined || obj.metadata?.namespace === namespace) &&
    matchesLabels(query.labels, obj.metadata?.labels) &&
    matchesFields(def, query.fields, obj);
}
