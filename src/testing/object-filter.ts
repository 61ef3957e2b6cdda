import type { KubeObject } from '../index.ts';
import { matchesFields } from './field-selector.ts';
import { matchesLabels } from './label-selector.ts';
import type { ListWatchQuery } from './request-options.ts';
import type { ResourceDef } from './resource-def.ts';

/** Whether an object is in the namespace (if any) and satisfies the query's selectors and shard. */
export function objectFilter(def: ResourceDef, namespace: string | undefined, query: Pick<ListWatchQuery, 'labels' | 'fields'> & Partial<Pick<ListWatchQuery, 'shard'>>): (obj: KubeObject) => boolean {
  const member = query.shard?.member;
  return (obj) =>
    (namespace === undefined || obj.metadata?.namespace === namespace) &&
    matchesLabels(query.labels, obj.metadata?.labels) &&
    matchesFields(def, query.fields, obj) &&
    (member === undefined || member(obj));
}
