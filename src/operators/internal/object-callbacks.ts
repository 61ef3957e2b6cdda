/**
 * Internal, not API: the policy for a user callback (`keyOf`, `transform`, an index function)
 * that throws on one object. Without an `onObjectError` hook nothing here is used and the stream
 * errors with what the callback threw. With one, the callbacks are wrapped so that a throw becomes
 * an {@link ObjectCallbackError} naming the callback and the key; the operator then skips the
 * object and the hook receives the error, once. If the hook throws, the stream errors with that.
 *
 * @internal
 * @packageDocumentation
 */
import { ObjectCallbackError } from '../../model/errors.ts';
import type { IndexFunction } from '../../store/index-table.ts';

/** Receives the error of each object a callback threw on. @internal */
export type ObjectErrorHook = (error: ObjectCallbackError) => void;

// Errors already given to a hook: one the hook rethrows fails the stream instead of being
// reported again.
const reported = new WeakSet<ObjectCallbackError>();

/** `namespace/name` of anything that has a name, without throwing. */
function nameOf(obj: unknown): string | undefined {
  const meta = typeof obj === 'object' && obj !== null ? (obj as { metadata?: unknown }).metadata : undefined;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const { name, namespace } = meta as { name?: unknown; namespace?: unknown };
  if (typeof name !== 'string' || name === '') return undefined;
  return typeof namespace === 'string' && namespace !== '' ? `${namespace}/${name}` : name;
}

/** `keyOf`, throwing {@link ObjectCallbackError} instead of what it throws. @internal */
export function guardKeyOf<T>(keyOf: (obj: T) => string): (obj: T) => string {
  return (obj) => {
    try {
      return keyOf(obj);
    } catch (cause) {
      throw new ObjectCallbackError({ callback: 'keyOf', key: nameOf(obj), object: obj, cause });
    }
  };
}

/** `transform`, throwing {@link ObjectCallbackError} (with the key `keyOf` gives) instead of what it throws. @internal */
export function guardTransform<T>(transform: ((obj: T) => T) | undefined, keyOf: (obj: T) => string): ((obj: T) => T) | undefined {
  if (transform === undefined) return undefined;
  return (obj) => {
    try {
      return transform(obj);
    } catch (cause) {
      let key: string | undefined;
      try {
        key = keyOf(obj);
      } catch {
        key = nameOf(obj);
      }
      throw new ObjectCallbackError({ callback: 'transform', key, object: obj, cause });
    }
  };
}

/**
 * `indexFn` giving no index value (the object is left out of the index) for an object it throws
 * on, after passing an {@link ObjectCallbackError} to `hook`. @internal
 */
export function guardIndexFunction<T>(index: string, indexFn: IndexFunction<T>, hook: ObjectErrorHook): IndexFunction<T> {
  return (obj) => {
    try {
      return indexFn(obj);
    } catch (cause) {
      const error = new ObjectCallbackError({ callback: 'index', index, key: nameOf(obj), object: obj, cause });
      reported.add(error);
      hook(error);
      return undefined;
    }
  };
}

/**
 * What `err` means for the object being applied: an {@link ObjectCallbackError} is passed to the
 * hook and returned (the caller skips the object); anything else — and an error the hook already
 * received and rethrew — is thrown. @internal
 */
export function skipObject(err: unknown, hook: ObjectErrorHook | undefined): ObjectCallbackError {
  if (hook === undefined || !(err instanceof ObjectCallbackError) || reported.has(err)) throw err;
  reported.add(err);
  hook(err);
  return err;
}

/** Like {@link skipObject}, for a catch that ends an event: calls `fail` instead of throwing. @internal */
export function skipOrFail(err: unknown, hook: ObjectErrorHook | undefined, fail: (err: unknown) => void): void {
  try {
    skipObject(err, hook);
  } catch (thrown) {
    fail(thrown);
  }
}
