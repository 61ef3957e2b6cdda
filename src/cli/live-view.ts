import { combineLatest, map, startWith, type Observable, type Subscription } from 'rxjs';
import type { Informer } from '../model/informer.ts';
import type { InformerStatus } from '../model/informer-status.ts';
import type { KubeObject } from '../model/kube-object.ts';
import { groupCount, type GroupCounts } from '../operators/group-count.ts';

/** One informer shown by the live view. @internal */
export interface ViewedInformer {
  readonly name: string;
  readonly informer: Informer<KubeObject>;
}

interface Pod extends KubeObject {
  readonly spec?: { readonly nodeName?: string };
  readonly status?: { readonly phase?: string };
}

/** What one refresh of the view shows. @internal */
export interface ViewState {
  readonly rows: readonly { name: string; status: InformerStatus; size: number; resourceVersion: string; deltasPerSecond: number; relists: number }[];
  readonly phases: readonly [string, number][];
  readonly nodes: readonly [string, number][];
}

/**
 * Renders a status line per informer, pods per phase and per node, refreshed every `intervalMs`:
 * a full-screen view on a terminal, one line per refresh otherwise.
 * @internal
 */
export function startLiveView(
  title: string,
  informers: readonly ViewedInformer[],
  pods: Informer<KubeObject> | undefined,
  out: NodeJS.WriteStream,
  intervalMs = 500,
): { stop(): void; state(): ViewState } {
  const subscriptions: Subscription[] = [];
  const counters = informers.map(() => ({ deltas: 0, relists: 0, lastDeltas: 0, rate: 0 }));
  informers.forEach(({ informer }, i) => {
    const counter = counters[i];
    if (counter === undefined) return;
    subscriptions.push(informer.reflections$.subscribe((r) => {
      counter.deltas += r.deltas.length;
    }));
    subscriptions.push(informer.status$.subscribe((s) => {
      if (s.phase === 'relisting') counter.relists += 1;
    }));
  });

  let phases: readonly [string, number][] = [];
  let nodes: readonly [string, number][] = [];
  if (pods !== undefined) {
    const sorted = (counts$: Observable<GroupCounts>): Observable<[string, number][]> =>
      counts$.pipe(map((c) => [...c.counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))));
    subscriptions.push(combineLatest([
      sorted(pods.reflections$.pipe(groupCount<KubeObject>((p) => (p as Pod).status?.phase ?? 'Unknown'))).pipe(startWith([] as [string, number][])),
      sorted(pods.reflections$.pipe(groupCount<KubeObject>((p) => (p as Pod).spec?.nodeName ?? '(unscheduled)'))).pipe(startWith([] as [string, number][])),
    ]).subscribe(([p, n]) => {
      phases = p;
      nodes = n;
    }));
  }

  const state = (): ViewState => ({
    rows: informers.map(({ name, informer }, i) => {
      const snapshot = informer.getSnapshot();
      const counter = counters[i] ?? { rate: 0, relists: 0 };
      return { name, status: informer.getStatus(), size: snapshot?.size ?? 0, resourceVersion: snapshot?.resourceVersion ?? '', deltasPerSecond: counter.rate, relists: counter.relists };
    }),
    phases,
    nodes,
  });

  const render = (): void => {
    for (const counter of counters) {
      counter.rate = ((counter.deltas - counter.lastDeltas) * 1000) / intervalMs;
      counter.lastDeltas = counter.deltas;
    }
    const s = state();
    if (out.isTTY) {
      const lines = [`\x1b[1m${title}\x1b[0m`, ''];
      for (const row of s.rows) lines.push(`${row.name.padEnd(8)} ${describe(row.status).padEnd(34)} ${String(row.size).padStart(7)} objects  rv ${row.resourceVersion.padEnd(10)} ${row.deltasPerSecond.toFixed(0).padStart(6)} deltas/s  ${row.relists} relists`);
      if (pods !== undefined) {
        lines.push('', `pods per phase: ${s.phases.map(([k, v]) => `${k} ${v}`).join('  ')}`);
        lines.push(`pods per node (top 10 of ${s.nodes.length}): ${s.nodes.slice(0, 10).map(([k, v]) => `${k} ${v}`).join('  ')}`);
      }
      lines.push('', 'Ctrl-C to quit');
      out.write(`\x1b[H\x1b[2J${lines.join('\n')}\n`);
    } else {
      const parts = s.rows.map((row) => `${row.name}: ${describe(row.status)}, ${row.size} objects, rv ${row.resourceVersion}, ${row.deltasPerSecond.toFixed(0)} deltas/s`);
      if (pods !== undefined && s.phases.length > 0) parts.push(`phases: ${s.phases.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      out.write(`${parts.join(' | ')}\n`);
    }
  };
  const timer = setInterval(render, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      render();
      for (const s of subscriptions) s.unsubscribe();
    },
    state,
  };
}

/** A short human description of a status. @internal */
export function describe(status: InformerStatus): string {
  switch (status.phase) {
    case 'idle':
      return 'idle';
    case 'listing':
    case 'relisting':
      return `${status.phase} (${status.reason}) ${status.loaded}${status.remaining === undefined ? '' : `/${status.loaded + status.remaining}`}`;
    case 'synced':
      return `synced at ${status.resourceVersion}`;
    case 'watching':
      return 'watching';
    case 'backingOff': {
      const error = status.error instanceof Error ? status.error.message : String(status.error);
      return `backing off ${status.delayMs} ms (${error.slice(0, 60)})`;
    }
  }
}
