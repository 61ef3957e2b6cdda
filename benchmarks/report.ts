/**
 * Figures → tables: aggregation (median, min, max), the comparison table, the ratios against the
 * issue's targets. `node benchmarks/report.ts FILE.json` prints the Markdown of a saved run.
 */
import { readFileSync } from 'node:fs';
import type { Contender } from './protocol.ts';

/** One figure of a run, as written by `--json`. */
export interface Row {
  scenario: string;
  n: number;
  m: number;
  contender: Contender;
  metric: string;
  unit: string;
  median: number | null;
  min: number | null;
  max: number | null;
  /** Successful repetitions. */
  reps: number;
  /** Why repetitions failed, if any did. */
  errors?: string[];
}

/** A saved run. */
export interface RunFile {
  node: string;
  date: string;
  quick: boolean;
  machine: { cpus: number; model: string; totalMemGB: number; loadBefore: number[]; loadAfter: number[] };
  durationS: number;
  rows: Row[];
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function aggregate(base: Omit<Row, 'median' | 'min' | 'max' | 'reps'>, values: readonly number[], errors: readonly string[]): Row {
  const row: Row = values.length === 0
    ? { ...base, median: null, min: null, max: null, reps: 0 }
    : { ...base, median: median(values), min: Math.min(...values), max: Math.max(...values), reps: values.length };
  if (errors.length > 0) row.errors = [...errors];
  return row;
}

/** Order and labels of the contenders in tables and charts. */
export const CONTENDERS: readonly { id: Contender; label: string }[] = [
  { id: 'rxkube', label: 'rxkube (frozen, default)' },
  { id: 'rxkube-unfrozen', label: 'rxkube unfrozen (NODE_ENV=production)' },
  { id: 'rxkube-strip', label: 'rxkube, managedFields stripped' },
  { id: 'rxkube-meta', label: 'rxkube, metadata only' },
  { id: 'rxkube-stream', label: 'rxkube, streaming list' },
  { id: 'rxkube-fetch', label: 'rxkube over WHATWG fetch (browser transport)' },
  { id: 'client-node', label: '@kubernetes/client-node 2.0.1 informer' },
  { id: 'floor', label: 'fetch + split + JSON.parse + Map' },
  { id: 'parse-only', label: 'JSON.parse, no I/O' },
];

function find(rows: readonly Row[], scenario: string, n: number, contender: Contender, metric: string): Row | undefined {
  return rows.find((r) => r.scenario === scenario && r.n === n && r.contender === contender && r.metric === metric);
}

function fmt(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined) return '—';
  if (unit === 'events/s') return value >= 1000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0);
  if (unit === 'ms') return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
  if (unit === 'MB') return `${value.toFixed(0)} MB`;
  if (unit === 'µs') return `${value.toFixed(1)} µs`;
  return value.toFixed(2);
}

function cell(row: Row | undefined): string {
  if (row === undefined) return '';
  if (row.median === null) return `failed${row.errors?.[0] ? ` (${row.errors[0].slice(0, 60)})` : ''}`;
  return `${fmt(row.median, row.unit)} (${fmt(row.min, row.unit)}–${fmt(row.max, row.unit)})`;
}

/** The main table: one line per contender and N. */
export function watchTable(rows: readonly Row[]): string {
  const ns = [...new Set(rows.filter((r) => r.scenario === 'watch').map((r) => r.n))].sort((a, b) => a - b);
  const lines = ['| consumer | N | list → synced | watch events/s | heap after GC | of which store | peak RSS (sync) |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const n of ns) {
    for (const { id, label } of CONTENDERS) {
      const sync = find(rows, 'watch', n, id, 'sync');
      if (sync === undefined) continue;
      lines.push(`| ${label} | ${n.toLocaleString('en')} | ${cell(sync)} | ${cell(find(rows, 'watch', n, id, 'events/s'))} | ${cell(find(rows, 'watch', n, id, 'heap'))} | ${cell(find(rows, 'watch', n, id, 'store heap'))} | ${cell(find(rows, 'watch', n, id, 'peak RSS'))} |`);
    }
  }
  return lines.join('\n');
}

/** The same runs in CPU time (user + system, all threads of the child). */
export function cpuTable(rows: readonly Row[]): string {
  const ns = [...new Set(rows.filter((r) => r.scenario === 'watch').map((r) => r.n))].sort((a, b) => a - b);
  const lines = ['| consumer | N | sync, CPU time | watch events per CPU-second |', '| --- | ---: | ---: | ---: |'];
  for (const n of ns) {
    for (const { id, label } of CONTENDERS) {
      const sync = find(rows, 'watch', n, id, 'sync CPU');
      if (sync === undefined) continue;
      lines.push(`| ${label} | ${n.toLocaleString('en')} | ${cell(sync)} | ${cell(find(rows, 'watch', n, id, 'events/CPU-s'))} |`);
    }
  }
  return lines.join('\n');
}

/** The other scenarios: relist, reflect per event, join per event. */
export function otherTable(rows: readonly Row[]): string {
  const lines = ['| scenario | consumer | N | metric | median (min–max) |', '| --- | --- | ---: | --- | ---: |'];
  for (const r of rows.filter((x) => x.scenario !== 'watch')) {
    lines.push(`| ${r.scenario} | ${r.contender} | ${r.n.toLocaleString('en')} | ${r.metric} | ${cell(r)} |`);
  }
  return lines.join('\n');
}

/** One target of the issue, checked. */
export interface TargetCheck {
  target: string;
  ratio: number | null;
  /** The same ratio in CPU time, where the metric has a CPU-time twin. */
  cpuRatio: number | null;
  goal: string;
  pass: boolean | null;
}

/**
 * The issue's targets, as ratios of medians of the same run. `big` is the largest N of the run
 * (100k in a full run), `small` the smallest.
 */
export function targets(rows: readonly Row[]): TargetCheck[] {
  const ns = [...new Set(rows.filter((r) => r.scenario === 'watch').map((r) => r.n))].sort((a, b) => a - b);
  const small = ns[0] ?? 0;
  const big = ns[ns.length - 1] ?? 0;
  const twin: Record<string, string> = { 'events/s': 'events/CPU-s', sync: 'sync CPU' };
  let useCpu = false;
  const v = (n: number, c: Contender, metric: string): number | null => {
    const m = useCpu ? twin[metric] : metric;
    return m === undefined ? null : find(rows, 'watch', n, c, m)?.median ?? null;
  };
  const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : a / b);
  const check = (target: string, compute: () => number | null, op: '≥' | '≤', limit: number): TargetCheck => {
    useCpu = false;
    const r = compute();
    useCpu = true;
    const cpuRatio = compute();
    useCpu = false;
    return { target, ratio: r, cpuRatio, goal: `${op} ${limit}`, pass: r === null ? null : op === '≥' ? r >= limit : r <= limit };
  };
  const prod: Contender = 'rxkube-unfrozen';
  const k = (n: number): string => (n >= 1000 ? `${n / 1000}k` : String(n));
  return [
    check(`events/s, production defaults (unfrozen) ÷ client-node, N=${k(big)}`, () => ratio(v(big, prod, 'events/s'), v(big, 'client-node', 'events/s')), '≥', 1.3),
    check(`events/s, production defaults ÷ JSON.parse no I/O, N=${k(small)}`, () => ratio(v(small, prod, 'events/s'), v(small, 'parse-only', 'events/s')), '≥', 0.8),
    check(`events/s, frozen ÷ client-node, N=${k(big)}`, () => ratio(v(big, 'rxkube', 'events/s'), v(big, 'client-node', 'events/s')), '≥', 1.0),
    check(`events/s, production defaults, N=${k(big)} ÷ N=${k(small)}`, () => ratio(v(big, prod, 'events/s'), v(small, prod, 'events/s')), '≥', 0.8),
    check(`events/s, frozen, N=${k(big)} ÷ N=${k(small)}`, () => ratio(v(big, 'rxkube', 'events/s'), v(small, 'rxkube', 'events/s')), '≥', 0.8),
    check(`initial sync, production defaults ÷ client-node, N=${k(big)}`, () => ratio(v(big, prod, 'sync'), v(big, 'client-node', 'sync')), '≤', 0.5),
    check(`initial sync, frozen ÷ client-node, N=${k(big)}`, () => ratio(v(big, 'rxkube', 'sync'), v(big, 'client-node', 'sync')), '≤', 0.5),
    check(`initial sync, production defaults ÷ JSON.parse no I/O, N=${k(big)}`, () => ratio(v(big, prod, 'sync'), v(big, 'parse-only', 'sync')), '≤', 1.5),
    check(`initial sync, frozen ÷ JSON.parse no I/O, N=${k(big)}`, () => ratio(v(big, 'rxkube', 'sync'), v(big, 'parse-only', 'sync')), '≤', 1.5),
    check(`retained heap, full objects (frozen) ÷ client-node, N=${k(big)}`, () => ratio(v(big, 'rxkube', 'heap'), v(big, 'client-node', 'heap')), '≤', 0.85),
    check(`retained heap, full objects (unfrozen) ÷ client-node, N=${k(big)}`, () => ratio(v(big, prod, 'heap'), v(big, 'client-node', 'heap')), '≤', 0.85),
    check(`retained heap, managedFields stripped ÷ client-node, N=${k(big)}`, () => ratio(v(big, 'rxkube-strip', 'heap'), v(big, 'client-node', 'heap')), '≤', 0.5),
    check(`peak RSS while syncing, frozen ÷ client-node, N=${k(big)}`, () => ratio(v(big, 'rxkube', 'peak RSS'), v(big, 'client-node', 'peak RSS')), '≤', 0.6),
    check(`peak RSS while syncing, production defaults ÷ client-node, N=${k(big)}`, () => ratio(v(big, prod, 'peak RSS'), v(big, 'client-node', 'peak RSS')), '≤', 0.6),
  ];
}

export function targetTable(rows: readonly Row[]): string {
  const lines = ['| target | ratio (wall clock) | goal | met | ratio in CPU time |', '| --- | ---: | ---: | :---: | ---: |'];
  for (const t of targets(rows)) {
    lines.push(`| ${t.target} | ${t.ratio === null ? '—' : t.ratio.toFixed(2)} | ${t.goal} | ${t.pass === null ? '—' : t.pass ? 'yes' : '**no**'} | ${t.cpuRatio === null ? '—' : t.cpuRatio.toFixed(2)} |`);
  }
  return lines.join('\n');
}

/** The whole Markdown of a run. */
export function markdown(run: RunFile): string {
  return [
    `Node ${run.node}, ${run.machine.cpus} × ${run.machine.model}, ${run.machine.totalMemGB} GB; load average before ${run.machine.loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${run.machine.loadAfter.map((x) => x.toFixed(2)).join(' ')}; ${run.quick ? 'quick' : 'full'} run of ${(run.durationS / 60).toFixed(1)} min on ${run.date}.`,
    '',
    watchTable(run.rows),
    '',
    cpuTable(run.rows),
    '',
    otherTable(run.rows),
    '',
    targetTable(run.rows),
  ].join('\n');
}

if (import.meta.main) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node benchmarks/report.ts RUN.json\n');
    process.exit(1);
  }
  process.stdout.write(`${markdown(JSON.parse(readFileSync(file, 'utf8')) as RunFile)}\n`);
}
