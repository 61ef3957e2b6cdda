import { memo, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore, type MouseEvent, type RefObject } from 'react';
import type { InformerStatus } from 'rxkube';
import { useInformerStatus, useObject } from 'rxkube/react';
import { deltaRate, describeError, pods, statusLog, type StatusEntry } from './cluster.ts';
import { markCommitted, readMetrics, type Distribution, type FrameMetrics } from './metrics.ts';
import type { BoardTotals } from './pod-board.ts';
import { nodeOf, PHASES, phaseOf } from './pod.ts';
import { attachCanvas, CELL, cellAt, connect, frame, namespace, namespaces, nodeNames, select, setNamespace, summaryOf, totals as totalsStore, type Store } from './view.ts';

const number = new Intl.NumberFormat('en-US');
const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));

const useStore = <T,>(store: Store<T>): T => useSyncExternalStore(store.subscribe, store.get);
const isSynced = (): boolean => totalsStore.get() !== undefined;

export function App() {
  useEffect(connect, []);
  // A boolean: the page re-renders once, at the first sync, not with every frame's totals.
  const synced = useSyncExternalStore(totalsStore.subscribe, isSynced);
  const [selected, setSelected] = useState<string | undefined>();
  useEffect(() => select(selected), [selected]);
  return (
    <div className="page">
      <Header />
      {!synced ? (
        <BeforeFirstSync />
      ) : (
        <>
          <Summary />
          <section className="toolbar">
            <NamespaceFilter />
            <PodDetail podKey={selected} onClose={() => setSelected(undefined)} />
          </section>
          <NodeGrid onSelect={setSelected} />
        </>
      )}
      <FrameEnd />
    </div>
  );
}

/** Commits with every frame that changed the view: the end of the frame's work (see metrics.ts). */
function FrameEnd() {
  const n = useStore(frame);
  useLayoutEffect(markCommitted, [n]);
  return null;
}

function Header() {
  return (
    <header className="header">
      <div className="brand">
        <span className="logo">rx</span>
        <div>
          <h1>Live cluster</h1>
          <p className="sub">
            an rxkube informer in the browser · <code>fetchListWatch</code> → <code>coalesce('animationFrame')</code> → deltas
            → changed cells
          </p>
        </div>
      </div>
      <Controls />
    </header>
  );
}

// ── Before the first sync: list progress and the status panel ─────────────────

/**
 * What the page shows until the first list is in: the informer's progress (`loaded` objects so
 * far, and the server's `remaining` estimate when it paginates) and the status panel, so a list
 * that fails or backs off is visible rather than an endless "Listing pods…".
 */
function BeforeFirstSync() {
  const status = useInformerStatus(pods);
  return (
    <section className="summary">
      <div className="card listing" data-testid="list-progress" data-phase={status.phase}>
        <h2>Listing pods…</h2>
        <ListProgress status={status} />
      </div>
      <StatusPanel />
    </section>
  );
}

function ListProgress({ status }: { status: InformerStatus }) {
  if (status.phase !== 'listing' && status.phase !== 'relisting') {
    return <p className="muted">{status.phase === 'backingOff' ? 'waiting to retry (see the status)' : 'waiting for the server'}</p>;
  }
  const total = status.remaining === undefined ? undefined : status.loaded + status.remaining;
  return (
    <>
      <output className="big" data-testid="list-loaded">
        {number.format(status.loaded)}
        {total === undefined ? '' : ` / ~${number.format(total)}`}
      </output>
      <span className="unit">pods received</span>
      <progress max={total ?? 1} value={total === undefined ? undefined : status.loaded} />
    </>
  );
}

// ── Informer status ───────────────────────────────────────────────────────────

function StatusPanel() {
  const status = useInformerStatus(pods);
  const log = useSyncExternalStore(statusLog.subscribe, statusLog.getSnapshot) ?? [];
  return (
    <section className="card status" data-testid="status" data-phase={status.phase} data-synced={String(status.hasSynced)}>
      <h2>Informer</h2>
      <div className="status-now">
        <span className={`pill phase-${status.phase}`}>{status.phase}</span>
        <span className={`pill ${status.hasSynced ? 'ok' : 'muted'}`}>{status.hasSynced ? 'hasSynced' : 'not synced'}</span>
      </div>
      <p className="status-detail" data-testid="status-detail">{statusDetail(status)}</p>
      <ol className="status-log" data-testid="status-log">
        {log.slice(-7).map((entry) => (
          <StatusLine key={entry.seq} entry={entry} />
        ))}
      </ol>
    </section>
  );
}

const StatusLine = memo(function StatusLine({ entry }: { entry: StatusEntry }) {
  const time = new Date(entry.at).toLocaleTimeString('en-GB', { hour12: false });
  return (
    <li data-seq={entry.seq} data-phase={entry.status.phase}>
      <time>{time}</time>
      <span className={`dotp phase-${entry.status.phase}`} />
      <span>{entry.status.phase}</span>
      <span className="muted">{statusDetail(entry.status)}</span>
    </li>
  );
});

function statusDetail(s: InformerStatus): string {
  switch (s.phase) {
    case 'idle':
      return 'not started';
    case 'listing':
    case 'relisting':
      return `${s.reason}: ${number.format(s.loaded)} loaded${s.remaining === undefined ? '' : `, ${number.format(s.remaining)} to go`}`;
    case 'synced':
      return `${number.format(s.size)} objects at rv ${s.resourceVersion}`;
    case 'watching':
      return `from rv ${s.resourceVersion}`;
    case 'backingOff':
      return `${describeError(s.error)} · attempt ${s.attempt} · ${s.next} in ${number.format(Math.round(s.delayMs))} ms`;
  }
}

// ── Controls (served by serve.ts) ─────────────────────────────────────────────

const RATES = [0, 100, 300, 1000];

function Controls() {
  const [rate, setRate] = useState<number | undefined>();
  useEffect(() => {
    const poll = (): void => {
      fetch('/_sim/state')
        .then((r) => (r.ok ? r.json() : undefined))
        .then((s: { churnPerSecond?: number } | undefined) => setRate(s?.churnPerSecond))
        .catch(() => undefined);
    };
    poll();
    const id = setInterval(poll, 2_000); // someone else (a test, another tab) may change it
    return () => clearInterval(id);
  }, []);
  if (rate === undefined) return null; // not served by serve.ts: no simulator to control
  const post = (path: string) => fetch(path, { method: 'POST' }).catch(() => undefined);
  return (
    <div className="controls">
      <label>
        churn
        <select
          value={rate}
          onChange={(e) => {
            const next = Number(e.target.value);
            setRate(next);
            void post(`/_sim/churn?rate=${next}`);
          }}
        >
          {RATES.map((r) => (
            <option key={r} value={r}>{r === 0 ? 'paused' : `${r}/s`}</option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => void post('/_sim/faults/drop-watches')}>Drop watches</button>
      <button type="button" onClick={() => void post('/_sim/faults/unavailable')}>503 burst</button>
      <button type="button" onClick={() => void post('/_sim/faults/compact')}>Compact (410)</button>
    </div>
  );
}

// ── Summary: counts, rate, frame budget ───────────────────────────────────────

function Summary() {
  return (
    <section className="summary">
      <Counts />
      <Rate />
      <FrameBudget />
      <StatusPanel />
    </section>
  );
}

/** The totals in view: the one card that changes with every frame. */
function Counts() {
  const totals = useStore(totalsStore) as BoardTotals; // rendered after the first sync only
  const ns = useStore(namespace);
  const nodes = useStore(nodeNames);
  return (
    <div className="card counts" data-testid="counts" data-resource-version={totals.resourceVersion}>
      <h2>Pods {ns === '' ? '' : <span className="muted">in {ns}</span>}</h2>
      <output className="big" data-testid="total">{number.format(totals.pods)}</output>
      <p className="muted">
        on {number.format(nodes.length)} nodes{ns === '' ? '' : ` · ${number.format(totals.all)} in all namespaces`} · rv {totals.resourceVersion}
      </p>
      <ul className="phases">
        {PHASES.map((phase, i) => (
          <li key={phase} className={`phase-${phase}`}>
            <span className="swatch" />
            {phase}
            <b data-total-phase={phase}>{number.format(totals.phases[i]!)}</b>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Rate() {
  const rate = useSyncExternalStore(deltaRate.subscribe, deltaRate.getSnapshot);
  const series = rate?.perSecond ?? [];
  const current = series.at(-1) ?? 0;
  const max = Math.max(1, ...series);
  // Newest second on the right; the line grows leftwards over the first minute.
  const points = series.map((v, i) => `${100 - ((series.length - 1 - i) / 59) * 100},${30 - (v / max) * 28}`).join(' ');
  return (
    <div className="card rate">
      <h2>Changes</h2>
      <output className="big" data-testid="delta-rate">{number.format(current)}</output>
      <span className="unit">deltas/s</span>
      <svg className="spark" viewBox="0 0 100 30" preserveAspectRatio="none" aria-hidden="true">
        <polyline points={points} />
      </svg>
      <p className="muted">
        {number.format(rate?.total ?? 0)} since load · peak {number.format(series.length === 0 ? 0 : max)}/s
      </p>
    </div>
  );
}

function FrameBudget() {
  const podCount = totalsStore.get()?.all ?? 0; // read with each reading of the metrics
  const [m, setM] = useState<FrameMetrics>(readMetrics);
  useEffect(() => {
    const id = setInterval(() => setM(readMetrics()), 500);
    return () => clearInterval(id);
  }, []);
  const fps = m.frameInterval.p50 > 0 ? 1000 / m.frameInterval.p50 : 0;
  return (
    <div
      className="card budget"
      data-testid="frame-budget"
      data-metrics={JSON.stringify({ ...m, pods: podCount })}
    >
      <h2>Frame budget <span className="muted">last ~10 s</span></h2>
      <table>
        <thead>
          <tr><th /><th>p50</th><th>p95</th><th>max</th></tr>
        </thead>
        <tbody>
          <Row label="work / frame" title="coalesced Reflection → changed cells drawn → React commit" d={m.frameWork} budget />
          <Row label="  apply + draw" title="applying the frame's deltas to the cells and drawing the changed ones" d={m.derive} />
          <Row label="  render" title="React Profiler actualDuration" d={m.render} />
          <Row label="frame interval" title="requestAnimationFrame to requestAnimationFrame" d={m.frameInterval} />
        </tbody>
      </table>
      <p className="muted">
        {fps.toFixed(0)} fps · {(m.jankRatio * 100).toFixed(1)}% frames &gt; 25 ms · {m.longTasks.count} long tasks
        {m.longTasks.count > 0 ? ` (max ${m.longTasks.maxMs.toFixed(0)} ms)` : ''}
        {m.heapMb === undefined ? '' : ` · heap ${m.heapMb.toFixed(0)} MB`}
      </p>
    </div>
  );
}

function Row({ label, title, d, budget = false }: { label: string; title: string; d: Distribution; budget?: boolean }) {
  const cls = (v: number) => (budget ? (v <= 8 ? 'good' : v <= 16.7 ? 'warn' : 'bad') : '');
  return (
    <tr title={title}>
      <th>{label}</th>
      <td className={cls(d.p50)}>{d.samples === 0 ? '–' : ms(d.p50)}</td>
      <td className={cls(d.p95)}>{d.samples === 0 ? '–' : ms(d.p95)}</td>
      <td>{d.samples === 0 ? '–' : ms(d.max)}</td>
    </tr>
  );
}

// ── Namespace filter and pod detail ───────────────────────────────────────────

/** Every namespace in the store, from its namespace index; switching redraws from the index at once. */
function NamespaceFilter() {
  const all = useStore(namespaces);
  const ns = useStore(namespace);
  return (
    <label className="card filter">
      <h2>Namespace</h2>
      <select data-testid="namespace" value={ns} onChange={(e) => setNamespace(e.target.value)}>
        <option value="">all namespaces</option>
        {all.map((n) => (
          <option key={n} value={n}>{n}</option>
        ))}
      </select>
    </label>
  );
}

/** The clicked pod, live: `useObject` re-renders this pane only when that pod changes. */
function PodDetail({ podKey, onClose }: { podKey: string | undefined; onClose: () => void }) {
  if (podKey === undefined) {
    return (
      <div className="card detail" data-testid="detail">
        <h2>Pod</h2>
        <p className="muted">Click a cell to see its pod.</p>
      </div>
    );
  }
  return <LivePod podKey={podKey} onClose={onClose} />;
}

function LivePod({ podKey, onClose }: { podKey: string; onClose: () => void }) {
  const pod = useObject(pods, podKey);
  const labels = Object.entries(pod?.metadata?.labels ?? {});
  return (
    <div className="card detail" data-testid="detail" data-key={podKey} data-resource-version={pod?.metadata?.resourceVersion ?? ''}>
      <h2>
        Pod <button type="button" className="close" onClick={onClose} aria-label="close">×</button>
      </h2>
      <p className="detail-key" data-testid="detail-key">{podKey}</p>
      {pod === undefined ? (
        <p className="muted" data-testid="detail-gone">deleted</p>
      ) : (
        <dl>
          <dt>phase</dt>
          <dd data-testid="detail-phase"><span className={`dotp phase-${phaseOf(pod)}`} /> {phaseOf(pod)}</dd>
          <dt>node</dt>
          <dd data-testid="detail-node">{nodeOf(pod)}</dd>
          <dt>resourceVersion</dt>
          <dd data-testid="detail-rv">{pod.metadata?.resourceVersion}</dd>
          <dt>labels</dt>
          <dd>
            <ul className="labels" data-testid="detail-labels">
              {labels.map(([k, v]) => (
                <li key={k} data-label={k}><code>{k}={v}</code></li>
              ))}
            </ul>
          </dd>
        </dl>
      )}
    </div>
  );
}

// ── Nodes ─────────────────────────────────────────────────────────────────────

function NodeGrid({ onSelect }: { onSelect: (key: string) => void }) {
  const names = useStore(nodeNames);
  return (
    <section className="nodes" data-testid="nodes">
      {names.map((name) => (
        <NodeCard key={name} node={name} onSelect={onSelect} />
      ))}
    </section>
  );
}

/** Re-renders only when this node's counts changed; its canvas is drawn by view.ts, cell by cell. */
const NodeCard = memo(function NodeCard({ node, onSelect }: { node: string; onSelect: (key: string) => void }) {
  const { size, counts } = useStore(summaryOf(node));
  return (
    <article className="node" data-node={node}>
      <header>
        <h3>{node}</h3>
        <span className="count" data-node-total>{number.format(size)}</span>
      </header>
      <div className="bar">
        {PHASES.map((phase, i) =>
          counts[i] === 0 ? null : <span key={phase} className={`phase-${phase}`} style={{ flexGrow: counts[i] }} />,
        )}
      </div>
      <p className="node-phases">
        {PHASES.map((phase, i) =>
          counts[i] === 0 ? null : (
            <span key={phase} className={`phase-${phase}`} title={phase}>
              {phase[0]} <b data-phase={phase}>{counts[i]}</b>
            </span>
          ),
        )}
      </p>
      <PodCanvas node={node} onSelect={onSelect} />
    </article>
  );
});

/**
 * One square per pod, drawn on a canvas: 10,000 DOM elements cost the browser more in style,
 * layout, paint and layerization than the whole informer pipeline. React renders the element once;
 * view.ts sizes it and draws the cells that change.
 */
function PodCanvas({ node, onSelect }: { node: string; onSelect: (key: string) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const columns = useColumns(box);
  useLayoutEffect(() => {
    attachCanvas(node, canvas.current ?? undefined, columns);
  }, [node, columns]);
  useLayoutEffect(() => () => attachCanvas(node, undefined, 0), [node]);
  const slotAt = (e: MouseEvent<HTMLCanvasElement>): number => {
    const rect = e.currentTarget.getBoundingClientRect();
    return Math.floor((e.clientY - rect.top) / CELL) * columns + Math.floor((e.clientX - rect.left) / CELL);
  };
  const hover = (e: MouseEvent<HTMLCanvasElement>): void => {
    const cell = cellAt(node, slotAt(e));
    e.currentTarget.title = cell === undefined ? '' : `${cell.key} · ${cell.phase}`;
  };
  const click = (e: MouseEvent<HTMLCanvasElement>): void => {
    const cell = cellAt(node, slotAt(e));
    if (cell !== undefined) onSelect(cell.key);
  };
  return (
    <div ref={box} className="pods">
      <canvas ref={canvas} data-columns={columns} onMouseMove={hover} onClick={click} />
    </div>
  );
}

/** How many cells fit across `box`, following resizes. */
function useColumns(box: RefObject<HTMLDivElement | null>): number {
  const [columns, setColumns] = useState(30);
  useLayoutEffect(() => {
    const el = box.current;
    if (el === null) return;
    const measure = (): void => setColumns(Math.max(10, Math.floor(el.clientWidth / CELL)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [box]);
  return columns;
}
