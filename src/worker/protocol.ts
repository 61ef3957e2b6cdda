/**
 * The messages between the page and a worker running an informer: every type that crosses
 * `postMessage`, in one place. Every message is plain data (structured-clone safe): strings,
 * numbers, arrays and the view rows and objects the user's code produces.
 *
 * Page → worker: {@link PageMessage}. Worker → page: {@link WorkerMessage}.
 *
 * @packageDocumentation
 */
import type { InformerStatus } from '../index.ts';

/**
 * An error as it crosses the boundary: its name, message and the fields UIs show. Error objects
 * lose their class (and most of their fields) in a structured clone, so they cross as this.
 *
 * @example
 * ```ts
 * import type { WireError } from 'rxkube/worker';
 * const e: WireError = { name: 'ApiError', message: 'forbidden', code: 403, reason: 'Forbidden' };
 * ```
 */
export interface WireError {
  /** The original error's `name` (`ApiError`, `TypeError`, …), or `'Error'` for a non-Error. */
  readonly name: string;
  /** The original error's message, or its string form. */
  readonly message: string;
  /** `code` of the original error, when it had a number or string one (an HTTP status for `ApiError`). */
  readonly code?: number | string;
  /** `reason` of the original error, when it had a string one. */
  readonly reason?: string;
}

/**
 * Page → worker. `subscribe`/`unsubscribe` start and stop one view; `get` asks for one object of
 * the informer's current snapshot; `close` stops everything before the page terminates the worker.
 *
 * @example
 * ```ts
 * import type { PageMessage } from 'rxkube/worker';
 * const ask: PageMessage = { kind: 'get', id: 1, key: 'default/web-0' };
 * ```
 */
export type PageMessage =
  | {
      /** Start the view. */
      readonly kind: 'subscribe';
      /** The view's name. */
      readonly view: string;
    }
  | {
      /** Stop the view. */
      readonly kind: 'unsubscribe';
      /** The view's name. */
      readonly view: string;
    }
  | {
      /** Ask for one object. */
      readonly kind: 'get';
      /** Chosen by the page; the answer carries it back. */
      readonly id: number;
      /** The object's store key (`namespace/name`). */
      readonly key: string;
    }
  | {
      /** Stop every view and stop listening. */
      readonly kind: 'close';
    };

/**
 * The changes of one view since the previous frame sent for it. `reset` marks the first frame
 * after a `subscribe`: the page drops what it held and `upserts` is the whole view.
 *
 * @typeParam R - the row type of the view.
 *
 * @example
 * ```ts
 * import type { ViewFrame } from 'rxkube/worker';
 * const frame: ViewFrame<number> = { kind: 'view', view: 'byNode', reset: false, upserts: [['node-1', 12]], removals: ['node-9'] };
 * ```
 */
export interface ViewFrame<R = unknown> {
  /** Always `'view'`. */
  readonly kind: 'view';
  /** The view's name. */
  readonly view: string;
  /** Whether this frame replaces the whole view (the first frame after a subscribe). */
  readonly reset: boolean;
  /** Rows added or changed, as `[key, row]`. */
  readonly upserts: readonly (readonly [string, R])[];
  /** Keys of the rows removed. */
  readonly removals: readonly string[];
}

/**
 * Worker → page: a view frame, a status change of the informer, the answer to a `get`, or an error
 * (of one view when `view` is set, of one `get` when `id` is set, of the whole worker otherwise).
 *
 * @example
 * ```ts
 * import type { WorkerMessage } from 'rxkube/worker';
 * const answer: WorkerMessage = { kind: 'object', id: 1, object: undefined };
 * ```
 */
export type WorkerMessage =
  | ViewFrame
  | {
      /** The informer's status changed. */
      readonly kind: 'status';
      /** The new status. */
      readonly status: WireStatus;
    }
  | {
      /** The answer to a `get`. */
      readonly kind: 'object';
      /** The `get`'s id. */
      readonly id: number;
      /** The object, or `undefined` when absent. */
      readonly object: unknown;
    }
  | {
      /** Something failed in the worker. */
      readonly kind: 'error';
      /** What failed. */
      readonly error: WireError;
      /** The view that failed, if a view did. */
      readonly view?: string;
      /** The `get` that failed, if a `get` did. */
      readonly id?: number;
    };

/**
 * An {@link InformerStatus} as it crosses: the same fields, with a {@link WireError} for `error`.
 *
 * @example
 * ```ts
 * import type { WireStatus } from 'rxkube/worker';
 * const s: WireStatus = { phase: 'watching', hasSynced: true, resourceVersion: '12' };
 * ```
 */
export type WireStatus = InformerStatus;

/**
 * Where messages go and come from: a `Worker` on the page, the worker's global scope inside it, or
 * one end of a `MessageChannel` (tests). `start` and `terminate` are called when present.
 *
 * @example
 * ```ts
 * import type { MessageEndpoint } from 'rxkube/worker';
 * const { port1 } = new MessageChannel();
 * const endpoint: MessageEndpoint = port1;
 * ```
 */
export interface MessageEndpoint {
  /** Sends one message. */
  postMessage(message: unknown): void;
  /** Registers a `message` listener. */
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  /** Removes a `message` listener. */
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  /** Starts delivery (a `MessagePort` needs it; a `Worker` does not have it). */
  start?(): void;
}

/** Not API: the wire form of any thrown value. @internal */
export function toWireError(error: unknown): WireError {
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error) };
  const e = error as { name?: unknown; message?: unknown; code?: unknown; reason?: unknown };
  const name = typeof e.name === 'string' && e.name !== '' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(error);
  return {
    name,
    message,
    ...(typeof e.code === 'number' || typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.reason === 'string' ? { reason: e.reason } : {}),
  };
}

/** Not API: a status with its error in wire form. @internal */
export function toWireStatus(status: InformerStatus): WireStatus {
  if (!('error' in status) || status.error === undefined) return status;
  return { ...status, error: toWireError(status.error) } as WireStatus;
}
