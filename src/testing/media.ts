import type { KubeObject } from '../index.ts';

/** How a response body is represented. */
export type Representation = { readonly kind: 'full' } | { readonly kind: 'metadata'; readonly version: 'v1' | 'v1beta1' };

/**
 * Negotiates the representation from an `Accept` header, like the apiserver: the first media type
 * it can serve wins. `forList` selects `PartialObjectMetadataList` (list) versus
 * `PartialObjectMetadata` (get/watch). Tables and protobuf are skipped. Returns `undefined` when
 * nothing acceptable is offered (→ 406).
 */
export function negotiate(accept: string | undefined, forList: boolean): Representation | undefined {
  if (accept === undefined || accept.trim() === '') return { kind: 'full' };
  for (const raw of accept.split(',')) {
    const [typePart, ...paramParts] = raw.split(';').map((s) => s.trim());
    const type = (typePart ?? '').toLowerCase();
    const params = new Map(paramParts.map((p) => {
      const eq = p.indexOf('=');
      return [p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"|"$/g, '')] as const;
    }));
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const as = params.get('as');
    if (as === undefined) return { kind: 'full' };
    if (params.get('g') !== 'meta.k8s.io') continue;
    const v = params.get('v');
    if (v !== 'v1' && v !== 'v1beta1') continue;
    if (as === (forList ? 'PartialObjectMetadataList' : 'PartialObjectMetadata')) return { kind: 'metadata', version: v };
  }
  return undefined;
}

/** The Content-Type of a response in `rep`. */
export function contentType(rep: Representation, forList: boolean): string {
  if (rep.kind === 'full') return 'application/json';
  return `application/json;as=${forList ? 'PartialObjectMetadataList' : 'PartialObjectMetadata'};g=meta.k8s.io;v=${rep.version}`;
}

/** An object as `PartialObjectMetadata`. */
export function toPartial(obj: KubeObject, version: 'v1' | 'v1beta1'): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata ?? {} };
}

/** Copies an object with another resourceVersion (for DELETED events built from the previous state). */
export function withResourceVersion(obj: KubeObject, rv: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
}

/** Removes `kind`/`apiVersion` (items of typed lists). */
export function withoutTypeMeta(obj: KubeObject): KubeObject {
  const { kind: _k, apiVersion: _a, ...rest } = obj;
  return rest;
}
