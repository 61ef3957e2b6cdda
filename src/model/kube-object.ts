/**
 * A reference from an object to its owner (`metadata.ownerReferences[]`): a Pod to its
 * ReplicaSet, a ReplicaSet to its Deployment. `uid` identifies the owner's incarnation.
 *
 * @example
 * ```ts
 * import type { OwnerReference } from 'rxkube';
 * const owner: OwnerReference = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9', uid: 'd1e8…', controller: true };
 * ```
 */
export interface OwnerReference {
  /** The owner's API version, e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** The owner's kind, e.g. `ReplicaSet`. */
  readonly kind: string;
  /** The owner's name, in the same namespace as the object. */
  readonly name: string;
  /** The owner's uid. */
  readonly uid: string;
  /** Whether this owner is the managing controller (at most one reference has it). */
  readonly controller?: boolean;
  /** Whether deleting the owner in foreground waits for this object. */
  readonly blockOwnerDeletion?: boolean;
}

/**
 * The `metadata` fields of a Kubernetes object, in their wire (JSON) shape. Every Kubernetes
 * object carries it; any richer object type (for example `V1Pod` from `@kubernetes/client-node`)
 * is assignable.
 *
 * Timestamps are RFC 3339 strings on the wire, and rxkube hands objects on as they were
 * received: they are strings at run time. They are typed `string | Date` only so that
 * client-node's models, which declare `Date`, stay assignable; parse with `new Date(value)`.
 *
 * @example
 * ```ts
 * import type { ObjectMeta } from 'rxkube';
 * const meta: ObjectMeta = { name: 'web-0', namespace: 'default', resourceVersion: '42' };
 * ```
 */
export interface ObjectMeta {
  /** Unique within a namespace. Absent only on bookmarks and list metadata. */
  readonly name?: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
  /** Changes when an object is deleted and recreated under the same name. */
  readonly uid?: string;
  /** Opaque: compare only for equality, never numerically. */
  readonly resourceVersion?: string;
  /** Incremented by the server when the spec changes. */
  readonly generation?: number;
  /** Label map used by label selectors. */
  readonly labels?: { readonly [key: string]: string };
  /** Free-form annotations. */
  readonly annotations?: { readonly [key: string]: string };
  /** The objects this one depends on; the garbage collector deletes it when they are gone. */
  readonly ownerReferences?: readonly OwnerReference[];
  /** Finalizers that must be removed before a deleted object goes away. */
  readonly finalizers?: readonly string[];
  /** When the server created the object (RFC 3339; a string at run time, see above). */
  readonly creationTimestamp?: string | Date;
  /**
   * When a graceful deletion was requested: the object is terminating, and goes away once its
   * finalizers are removed (RFC 3339; a string at run time, see above).
   */
  readonly deletionTimestamp?: string | Date;
  /** Seconds allowed for graceful termination, set with `deletionTimestamp`. */
  readonly deletionGracePeriodSeconds?: number;
  /** The prefix the server used to generate `name`, when it did. */
  readonly generateName?: string;
}

/**
 * Any Kubernetes object, in its wire (JSON) shape.
 *
 * @example
 * ```ts
 * import type { KubeObject } from 'rxkube';
 * interface ConfigMap extends KubeObject { data?: Record<string, string> }
 * ```
 */
export interface KubeObject {
  /** `v1`, `apps/v1`, … Often absent on items of a typed list. */
  readonly apiVersion?: string;
  /** `Pod`, `Deployment`, … Often absent on items of a typed list. */
  readonly kind?: string;
  /** Object metadata; required on every object the store keeps. */
  readonly metadata?: ObjectMeta;
}

/**
 * One cause inside a {@link Status}'s details.
 *
 * @example
 * ```ts
 * import type { StatusCause } from 'rxkube';
 * const cause: StatusCause = { reason: 'ResourceVersionTooLarge', message: 'Too large resource version' };
 * ```
 */
export interface StatusCause {
  /** Machine-readable cause type, e.g. `ResourceVersionTooLarge`. */
  readonly reason?: string;
  /** Human-readable description. */
  readonly message?: string;
  /** The field the cause refers to, if any. */
  readonly field?: string;
}

/**
 * The API server's error document (`kind: Status`), as found in error response bodies and in
 * `ERROR` watch events.
 *
 * @example
 * ```ts
 * import type { Status } from 'rxkube';
 * const gone: Status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410,
 *   message: 'too old resource version: 1 (5)' };
 * ```
 */
export interface Status {
  /** Always `Status`. */
  readonly kind?: 'Status';
  /** Always `v1`. */
  readonly apiVersion?: string;
  /** List metadata; may carry a fresh `continue` token on 410. */
  readonly metadata?: {
    /** Rarely set on a Status. */
    readonly resourceVersion?: string;
    /** On 410 for an expired continue token: a fresh, inconsistent token. */
    readonly continue?: string;
  };
  /** `Success` or `Failure`. */
  readonly status?: string;
  /** Human-readable message. */
  readonly message?: string;
  /** Machine-readable reason: `Expired`, `Gone`, `TooManyRequests`, `Timeout`, … */
  readonly reason?: string;
  /** Extra detail: the object concerned, causes and a retry hint. */
  readonly details?: {
    /** Name of the object concerned. */
    readonly name?: string;
    /** API group of the object concerned. */
    readonly group?: string;
    /** Kind (or resource) of the object concerned. */
    readonly kind?: string;
    /** UID of the object concerned. */
    readonly uid?: string;
    /** Machine-readable causes, e.g. `ResourceVersionTooLarge`. */
    readonly causes?: readonly StatusCause[];
    /** Seconds to wait before retrying. */
    readonly retryAfterSeconds?: number;
  };
  /** The HTTP status code. */
  readonly code?: number;
}
