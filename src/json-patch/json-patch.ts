import type { Draft, Patch } from 'immer';
import { loadPeer } from '../sources/load-peer.ts';

// Loaded here rather than imported statically so that a missing immer fails with one message
// saying what to install, instead of a resolver error deep in the module graph.
const immer = await loadPeer(() => import('immer'), 'immer', 'rxkube/json-patch');
let patchesEnabled = false;

/** One RFC 6902 JSON Patch operation, as the API server accepts with `application/json-patch+json`. */
export type JsonPatchOperation =
  | {
      /** Add, replace, or test the value at `path`. */
      readonly op: 'add' | 'replace' | 'test';
      /** A JSON Pointer (`/metadata/labels/app`). */
      readonly path: string;
      /** The value. */
      readonly value: unknown;
    }
  | {
      /** Remove the value at `path`. */
      readonly op: 'remove';
      /** A JSON Pointer. */
      readonly path: string;
    };

/** What {@link jsonPatch} returns. */
export interface JsonPatchResult<T> {
  /** The operations to send (`Content-Type: application/json-patch+json`); empty for a no-op. */
  readonly operations: readonly JsonPatchOperation[];
  /** The edited copy of the object. */
  readonly result: T;
}

/** Options of {@link jsonPatch}. */
export interface JsonPatchOptions {
  /**
   * Start the patch with a `test` of `metadata.resourceVersion`, so the server rejects it (422)
   * if the object changed since it was cached: optimistic concurrency without a full update.
   * @defaultValue false
   */
  testResourceVersion?: boolean;
}

function pointer(path: readonly (string | number)[]): string {
  return path.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

function toOperation(patch: Patch): JsonPatchOperation {
  const path = pointer(patch.path);
  if (patch.op === 'remove') return { op: 'remove', path };
  return { op: patch.op, path, value: patch.value };
}

/**
 * Turns an edit of a cached (frozen) object into a JSON Patch: write the change as an immer
 * recipe on a draft, get the RFC 6902 operations to send, and the edited copy. The cached object
 * is never mutated.
 *
 * Needs the `immer` package (an optional peer dependency of rxkube): importing
 * `rxkube/json-patch` without it throws a {@link MissingPeerDependencyError} naming it.
 *
 * @example
 * ```ts
 * import type { KubeObject } from 'rxkube';
 * import { jsonPatch } from 'rxkube/json-patch';
 * declare const cached: KubeObject & { metadata: { labels?: Record<string, string> } };
 * const { operations } = jsonPatch(cached, (draft) => {
 *   draft.metadata.labels = { ...draft.metadata.labels, tier: 'gold' };
 * }, { testResourceVersion: true });
 * // PATCH …/pods/web-0  Content-Type: application/json-patch+json  body: JSON.stringify(operations)
 * ```
 * @param object - the cached object (frozen or not).
 * @param recipe - mutates the draft as if it were the object.
 * @param options - whether to guard the patch with the object's resourceVersion.
 * @returns the operations and the edited object.
 */
export function jsonPatch<T extends object>(
  object: T,
  recipe: (draft: Draft<T>) => void,
  options: JsonPatchOptions = {},
): JsonPatchResult<T> {
  if (!patchesEnabled) {
    immer.enablePatches();
    patchesEnabled = true;
  }
  const [result, patches] = immer.produceWithPatches(object, (draft) => {
    recipe(draft);
  });
  const operations = patches.map(toOperation);
  const rv = (object as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
  if (options.testResourceVersion && typeof rv === 'string' && operations.length > 0) {
    operations.unshift({ op: 'test', path: '/metadata/resourceVersion', value: rv });
  }
  return { operations, result: result as T };
}
