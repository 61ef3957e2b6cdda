/** What run.ts asks a child process to measure, and what it answers. */

/** The consumers compared. */
export type Contender =
  | 'rxkube'
  | 'rxkube-unfrozen'
  /** Production defaults (`freeze: false`) + the transport's `omitManagedFields: true`. */
  | 'rxkube-lean'
  | 'rxkube-meta'
  /** `metadataOnly` + `omitManagedFields` + `freeze: false`: the leanest store (scenario `bigsync`). */
  | 'rxkube-meta-lean'
  | 'rxkube-stream'
  /** rxkube over WHATWG fetch (the browser transport) instead of rxkube/kube's node:http. */
  | 'rxkube-fetch'
  | 'client-node'
  | 'floor'
  | 'parse-only'
  | 'reflect'
  | 'reflect-unfrozen'
  | 'join'
  /** In-process control: the same events into a plain mutable Map. */
  | 'map-floor'
  /** In-process control: the pods ⋈ nodes view rebuilt from scratch on every pod event. */
  | 'join-recompute'
  /**
   * Scenario `sharding`: one replica's sharded informer (`kubeListWatch` with `shard`, production
   * defaults) against a replayer with the `ShardedListAndWatch` gate on: the server filters.
   */
  | 'rxkube-shard-server'
  /** The same replica against a replayer with the gate off: rxkube filters what it receives. */
  | 'rxkube-shard-client';

/** One child process's job. */
export interface Task {
  readonly contender: Contender;
  /**
   * `watch`: list then M events; `relist`: list, 410, relist; `inproc`: no I/O (join, reflect);
   * `bigsync`: one unpaginated list of N objects, sync only (M = 0); `sharding`: `watch` for
   * one replica of `shard.count`, its shard only.
   */
  readonly scenario: 'watch' | 'relist' | 'inproc' | 'bigsync' | 'sharding';
  readonly n: number;
  /** Changes the child waits for; scenario `sharding`: those of its shard only. */
  readonly m: number;
  /** Scenario `sharding`: this replica is shard `index` of `equalShards(count)` (over uid). */
  readonly shard?: { readonly count: number; readonly index: number };
  /** Replayer URL with the data set / mode / session prefix. */
  readonly baseUrl: string;
}

/** One child process's answer; absent fields were not measured. */
export interface Measurement {
  n: number;
  events: number;
  size?: number;
  syncMs?: number;
  watchMs?: number;
  eventsPerSec?: number;
  /** CPU time (user + system, all threads) of the sync phase. */
  syncCpuMs?: number;
  /** CPU time of the watch phase. */
  watchCpuMs?: number;
  /** M ÷ watchCpuMs: throughput per CPU-second. */
  eventsPerCpuSec?: number;
  maxRssMB?: number;
  heapMB?: number;
  /** heapMB minus the heap after GC with every module loaded, before the informer started. */
  storeHeapMB?: number;
  relistMs?: number;
  /** In-process scenarios: microseconds per event. */
  perEventUs?: number;
  /** Join scenario: microseconds per right-side (node) event. */
  perRightEventUs?: number;
  /** Scenario `sharding`: who restricted the list to the shard, as the informer's `status$` said. */
  shardFilter?: 'server' | 'client';
}
