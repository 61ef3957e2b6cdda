import { combineLatest, map, startWith, type Observable, type Subscription } from 'rxjs';
import { groupCount, type GroupCounts, type Informer, type InformerStatus, type KubeObject } from '../index.ts';

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

/** Cuts `line` to `width` characters, marking the cut. */
function fit(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}

/** Splits `text` into lines of at most `width` characters, at spaces where it can. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text.replace(/\s*\n\s*/g, ' ').trim();
  while (rest.length > width) {
    const space = rest.lastIndexOf(' ', width);
    const cut = space > width / 2 ? space : width;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== '') lines.push(rest);
  return lines;
}

/** The error of a backing-off status, in full. */
function errorText(status: InformerStatus): string | undefined {
  if (status.phase !== 'backingOff') return undefined;
  return status.error instanceof Error ? status.error.message : String(status.error);
}

/** A status without its error (the live view shows errors on lines of their own). */
function shortStatus(status: InformerStatus): string {
  return status.phase === 'backingOff' ? `backing off ${status.delayMs} ms` : describe(status);
}

const enterAlternateScreen = '\x1b[?1049h\x1b[?25l';
const leaveAlternateScreen = '\x1b[?25h\x1b[?1049l';

/**
 * Renders a status line per informer, pods per phase and per node, refreshed every `intervalMs`.
 * On a terminal: a full-screen view on the alternate screen (so frames do not pile up in the
 * scrollback), at most the terminal's width (80 columns when unknown); on leaving it, one
 * summary line stays. Otherwise: one line per refresh.
 *
 * Changes per second count the deltas after an informer's first sync: the initial list is
 * loading, not change. Errors are shown in full, wrapped.
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
    // The status turns synced just before the reflection of the complete initial list: that one
    // reflection, and anything before it, is loading, not change.
    let phase: 'loading' | 'initialList' | 'live' = 'loading';
    subscriptions.push(informer.status$.subscribe((s) => {
      if (s.hasSynced && phase === 'loading') phase = 'initialList';
      if (s.phase === 'relisting') counter.relists += 1;
    }));
    subscriptions.push(informer.reflections$.subscribe((r) => {
      if (phase === 'live') counter.deltas += r.deltas.length;
      else if (phase === 'initialList') phase = 'live';
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

  const line = (s: ViewState): string => {
    const parts = s.rows.map((row) => `${row.name}: ${describe(row.status)}, ${row.size} objects, rv ${row.resourceVersion}, ${row.deltasPerSecond.toFixed(0)} deltas/s`);
    if (pods !== undefined && s.phases.length > 0) parts.push(`phases: ${s.phases.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    return parts.join(' | ');
  };

  const screen = (s: ViewState, width: number): string[] => {
    const lines = [`\x1b[1m${fit(title, width)}\x1b[0m`, ''];
    const errors: string[] = [];
    for (const row of s.rows) {
      lines.push(fit(`${row.name.padEnd(6)} ${shortStatus(row.status).padEnd(24)} ${String(row.size).padStart(7)} objects ${row.deltasPerSecond.toFixed(0).padStart(5)}/s  rv ${row.resourceVersion}  ${row.relists} relists`, width));
      const error = errorText(row.status);
      if (error !== undefined) errors.push(...wrap(`${row.name}: ${error}`, width));
    }
    if (errors.length > 0) lines.push('', ...errors);
    if (pods !== undefined) {
      lines.push('', ...wrap(`pods per phase: ${s.phases.map(([k, v]) => `${k} ${v}`).join('  ')}`, width));
      lines.push(...wrap(`pods per node (top 10 of ${s.nodes.length}): ${s.nodes.slice(0, 10).map(([k, v]) => `${k} ${v}`).join('  ')}`, width));
    }
    lines.push('', 'Ctrl-C to quit');
    return lines;
  };

  const render = (): void => {
    for (const counter of counters) {
      counter.rate = ((counter.deltas - counter.lastDeltas) * 1000) / intervalMs;
      counter.lastDeltas = counter.deltas;
    }
    const s = state();
    if (out.isTTY) {
      const width = Math.max(40, out.columns || 80);
      // Home, each line over the previous frame's (clearing its rest), then clear below.
      out.write(`\x1b[H${screen(s, width).map((l) => `${l}\x1b[K`).join('\n')}\n\x1b[J`);
    } else {
      out.write(`${line(s)}\n`);
    }
  };
  if (out.isTTY) out.write(enterAlternateScreen);
  const timer = setInterval(render, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      if (out.isTTY) out.write(`${leaveAlternateScreen}${line(state())}\n`);
      else render();
      for (const s of subscriptions) s.unsubscribe();
    },
    state,
  };
}

/** A short human description of a status, with the full error when backing off. @internal */
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
    case 'backingOff':
      return `backing off ${status.delayMs} ms (${errorText(status) ?? ''})`;
  }
}
