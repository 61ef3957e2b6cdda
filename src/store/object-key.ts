import { InvalidObjectError } from '../model/errors.ts';
import type { KubeObject } from '../model/kube-object.ts';

/**
 * The store key of an object: `namespace/name`, or `name` for a cluster-scoped object (client-go's
 * `MetaNamespaceKeyFunc`).
 *
 * The UID is not part of the key: an object deleted and recreated under the same name keeps its
 * key, and a relist that missed the delete reports it as one update. Compare `metadata.uid` where
 * that matters.
 *
 * @example
 * ```ts
 * import { objectKey } from 'rxkube';
 * objectKey({ metadata: { namespace: 'default', name: 'web-0' } }); // 'default/web-0'
 * objectKey({ metadata: { name: 'node-1' } }); // 'node-1'
 * ```
 *
 * @param obj - a Kubernetes object.
 * @returns its key.
 * @throws {@link InvalidObjectError} when `obj` is not an object or has no non-empty `metadata.name`.
 */
export function objectKey(obj: KubeObject): string {
  const meta = typeof obj === 'object' && obj !== null ? obj.metadata : undefined;
  const name = typeof meta === 'object' && meta !== null ? meta.name : undefined;
  if (typeof name !== 'string' || name === '') {
    throw new InvalidObjectError('object has no metadata.name', obj);
  }
  const namespace = meta!.namespace;
  return typeof namespace === 'string' && namespace !== '' ? `${namespace}/${name}` : name;
}
