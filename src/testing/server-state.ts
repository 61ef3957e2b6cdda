import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RevisionClock } from './clock.ts';
import type { ResourceStore } from './resource-store.ts';
import type { ResourceDef } from './resource-def.ts';
import type { SchedulerLike } from 'rxjs';
import type { Status } from '../index.ts';

/** The simulated server's tunables, resolved (see `SimulatedApiServerOptions`). */
export interface ResolvedOptions {
  readonly historySize: number;
  readonly bookmarkIntervalMs: number;
  readonly tooLargeResourceVersionWaitMs: number;
  readonly minRequestTimeoutSeconds: number;
  readonly streamingList: boolean;
  readonly shardedListAndWatch: boolean;
  readonly paginateCachedLists: boolean;
  readonly token: string | undefined;
  readonly quietBookmarks: boolean;
  readonly requireNamespaces: boolean;
  readonly uncachedResources: ReadonlySet<string>;
  readonly scheduler: SchedulerLike;
}

/** How a watch connection can be disturbed by a fault. */
export type CutMode = 'midLine' | 'midChar';

/** One open watch response, as the fault injector and `close()` see it. */
export interface WatchConnection {
  /** The resource watched. */
  readonly def: ResourceDef;
  /** The namespace watched, if any. */
  readonly namespace: string | undefined;
  /** Writes one line (the newline is added). */
  writeLine(line: string): void;
  /** Writes raw bytes. */
  writeRaw(bytes: Uint8Array | string): void;
  /** Ends the response normally. */
  end(): void;
  /** Destroys the socket (connection reset). */
  destroy(): void;
  /** Stops writing anything more, keeps the connection open. */
  stall(): void;
  /** Cuts the next event the watch would write. */
  armCut(mode: CutMode): void;
  /** Splits the next event into two chunks inside a multi-byte character, then goes on. */
  armSplit(delayMs: number): void;
}

/** An injected response for upcoming requests. */
export interface PendingFailure {
  remaining: number;
  readonly match: (req: RequestInfo) => boolean;
  readonly status: Status;
  readonly headers: Record<string, string>;
}

/**
 * What a request is about, for fault predicates and the request log.
 *
 * @example
 * ```ts
 * import type { RequestInfo } from 'rxkube/testing';
 * const isPodWatch = (r: RequestInfo) => r.verb === 'watch' && r.resource === 'pods';
 * ```
 */
export interface RequestInfo {
  /** HTTP method. */
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  /** The query parameters. */
  readonly query: URLSearchParams;
  /** `list`, `watch`, `get`, `create`, `update`, `patch`, `delete`, or `other` (discovery, health). */
  readonly verb: 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete' | 'other';
  /** The qualified resource (`pods`, `deployments.apps`), when the path names one. */
  readonly resource: string | undefined;
  /** The namespace in the path, if any. */
  readonly namespace: string | undefined;
}

/** Everything the handlers share. */
export interface ServerState {
  readonly clock: RevisionClock;
  /** Stores by qualified resource (`pods`, `deployments.apps`). */
  readonly stores: Map<string, ResourceStore>;
  readonly options: ResolvedOptions;
  readonly watches: Set<WatchConnection>;
  readonly failures: PendingFailure[];
  /** The address the server answers on (`host:port`), for discovery. */
  address: string;
}

/** A routed request. */
export interface RoutedRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly info: RequestInfo;
  readonly store: ResourceStore;
  readonly name: string | undefined;
}
