import type { Draft, Patch } from 'immer';
import { loadPeer } from '../internal/index.ts';

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
  /** The edited copy of the object: exactly what applying `operations` to the object gives. */
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

/** Whether `value` holds `undefined` anywhere (JSON.stringify would drop it, or write `null`). */
function holdsUndefined(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsUndefined);
  for (const key in value) if (Object.hasOwn(value, key) && holdsUndefined((value as Record<string, unknown>)[key])) return true;
  return false;
}

/** `value` as JSON sees it: properties holding `undefined` dropped, array elements made `null`. */
function asJson(value: unknown): unknown {
  if (!holdsUndefined(value)) return value;
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : asJson(item)));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    // Defined, not assigned: a `__proto__` key is data and must not change the prototype.
    if (item !== undefined) Object.defineProperty(out, key, { value: asJson(item), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function containerAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const segment of path) node = (node as Record<string | number, unknown>)[segment];
  return node;
}

/**
 * immer's patches with every `undefined` given its JSON meaning, or `undefined` when none holds
 * one. An object property set to `undefined` is removed (`replace` becomes `remove`) or was never
 * there (`add` is dropped); an array element set to `undefined` is `null`, as `JSON.stringify`
 * writes it; `undefined` nested in a value is dropped or `null` the same way.
 */
function jsonPatches(patches: readonly Patch[], result: unknown): Patch[] | undefined {
  if (!patches.some((p) => p.op !== 'remove' && holdsUndefined(p.value))) return undefined;
  const out: Patch[] = [];
  for (const patch of patches) {
    if (patch.op === 'remove' || !holdsUndefined(patch.value)) {
      out.push(patch);
    } else if (patch.value !== undefined) {
      out.push({ ...patch, value: asJson(patch.value) });
    } else if (Array.isArray(containerAt(result, patch.path.slice(0, -1)))) {
      out.push({ ...patch, value: null });
    } else if (patch.op === 'replace') {
      out.push({ op: 'remove', path: patch.path });
    }
  }
  return out;
}

/**
 * Turns an edit of a cached (frozen) object into a JSON Patch: write the change as an immer
 * recipe on a draft, get the RFC 6902 operations to send, and the edited copy. The cached object
 * is never mutated.
 *
 * Needs the `immer` package (an optional peer dependency of rxkube): importing
 * `rxkube/json-patch` without it throws a `MissingPeerDependencyError` (exported by `rxkube`) naming it.
 *
 * JSON has no `undefined`, so the recipe's `undefined`s get the meaning `JSON.stringify` gives
 * them: assigning `undefined` to a property removes it (a `remove` operation if it was there,
 * nothing if it was not), an array element set to `undefined` is `null`, and `undefined` inside an
 * assigned value is dropped (or `null` in an array). The edited copy follows the same rules, so it
 * always equals the object with the operations applied.
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
  const [edited, immerPatches] = immer.produceWithPatches(object, (draft) => {
    recipe(draft);
  });
  const patches = jsonPatches(immerPatches, edited) ?? immerPatches;
  const result = patches === immerPatches ? edited : immer.applyPatches(object, patches);
  const operations = patches.map(toOperation);
  const rv = (object as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
  if (options.testResourceVersion && typeof rv === 'string' && operations.length > 0) {
    operations.unshift({ op: 'test', path: '/metadata/resourceVersion', value: rv });
  }
  return { operations, result: result as T };
}
