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
  /** Scenario `sharding` only: the number of shards K; the row is one replica of K. */
  shards?: number;
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
  { id: 'rxkube-lean', label: 'rxkube lean (unfrozen, omitManagedFields)' },
  { id: 'rxkube-meta', label: 'rxkube, metadata only' },
  { id: 'rxkube-meta-lean', label: 'rxkube, metadata only, lean (unfrozen, omitManagedFields)' },
  { id: 'rxkube-stream', label: 'rxkube, streaming list' },
  { id: 'rxkube-fetch', label: 'rxkube over WHATWG fetch (browser transport)' },
  { id: 'client-node', label: '@kubernetes/client-node 2.0.1 informer' },
  { id: 'floor', label: 'fetch + split + JSON.parse + Map' },
  { id: 'parse-only', label: 'JSON.parse, no I/O' },
  { id: 'rxkube-shard-server', label: 'rxkube sharded, gate on (server filters)' },
  { id: 'rxkube-shard-client', label: 'rxkube sharded, gate off (rxkube filters)' },
];

function find(rows: readonly Row[], scenario: string, n: number, contender: Contender, metric: string): Row | undefined {
  return rows.find((r) => r.scenario === scenario && r.n === n && r.contender === contender && r.metric === metric);
}

function fmt(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined) return '—';
  if (unit === 'events/s') return value >= 1000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0);
  if (unit === 'ms') return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
  if (unit === 'MB') return value < 10 ? `${value.toFixed(1)} MB` : `${value.toFixed(0)} MB`;
  if (unit === 'µs') return `${value.toFixed(1)} µs`;
  if (unit === '×') return `${value.toFixed(2)}×`;
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
  for (const r of rows.filter((x) => x.scenario !== 'watch' && x.scenario !== 'bigsync' && x.scenario !== 'sharding')) {
    lines.push(`| ${r.scenario} | ${r.contender} | ${r.n.toLocaleString('en')} | ${r.metric} | ${cell(r)} |`);
  }
  return lines.join('\n');
}

/** Scenario `bigsync`: one unpaginated list, sync only; a failure shows its reason. */
export function bigsyncTable(rows: readonly Row[]): string {
  const big = rows.filter((r) => r.scenario === 'bigsync');
  const lines = ['| consumer | N (one list) | list → synced | heap after GC | peak RSS | peak RSS ÷ heap |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
  const seen = new Set<string>();
  for (const r of big) {
    const id = `${r.n}|${r.contender}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const label = CONTENDERS.find((c) => c.id === r.contender)?.label ?? r.contender;
    const get = (metric: string): Row | undefined => find(rows, 'bigsync', r.n, r.contender, metric);
    const sync = get('sync');
    const rest = (metric: string): string => (sync?.median === null ? '—' : cell(get(metric)));
    lines.push(`| ${label} | ${r.n.toLocaleString('en')} | ${failedCell(sync)} | ${rest('heap')} | ${rest('peak RSS')} | ${rest('peak RSS ÷ heap')} |`);
  }
  return lines.length === 2 ? '' : lines.join('\n');
}

function shardRow(rows: readonly Row[], contender: Contender, shards: number, metric: string): Row | undefined {
  return rows.find((r) => r.scenario === 'sharding' && r.contender === contender && r.shards === shards && r.metric === metric);
}

/** Scenario `sharding`: one replica of K shards, the gate on and off. */
export function shardingTable(rows: readonly Row[]): string {
  const sharding = rows.filter((r) => r.scenario === 'sharding');
  if (sharding.length === 0) return '';
  const counts = [...new Set(sharding.map((r) => r.shards ?? 0))].sort((a, b) => a - b);
  const lines = [
    '| replica of | N | list → synced | its changes/s | its changes per CPU-second | bytes received | heap after GC | of which store |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { id, label } of CONTENDERS) {
    for (const k of counts) {
      const sync = shardRow(rows, id, k, 'sync');
      if (sync === undefined) continue;
      const c = (metric: string): string => cell(shardRow(rows, id, k, metric));
      lines.push(`| ${k} shard${k === 1 ? '' : 's'}, ${label} | ${sync.n.toLocaleString('en')} | ${failedCell(sync)} | ${c('events/s')} | ${c('events/CPU-s')} | ${c('bytes received')} | ${c('heap')} | ${c('store heap')} |`);
    }
  }
  return lines.join('\n');
}

/** Like `cell`, but a failure shows its whole (one-line) reason. */
function failedCell(row: Row | undefined): string {
  if (row?.median === null && row.errors?.[0] !== undefined) return `failed: ${row.errors[0].replace(/\|/g, '\\|')}`;
  return cell(row);
}

/** One target of the issue, checked. */
export interface TargetCheck {
  target: string;
  /**
   * The figure compared with the goal, in `unit`: a ratio of medians (`×`), a difference of
   * medians (`µs`), or null when it could not be measured (see `note`).
   */
  measured: number | null;
  /** The same figure in CPU time, where the metric has a CPU-time twin. */
  cpuMeasured: number | null;
  unit: '×' | 'µs';
  /** E.g. `≥ 1.1×`, `≤ 0.5 µs`, or `—` for a row that only reports. */
  goal: string;
  pass: boolean | null;
  /** What else the row must say: the figures behind it, a failure's reason, a reduced size. */
  note: string;
}

const k = (n: number): string => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));

/**
 * Issue 12's targets, one row each, from the medians of one run. `big` is the largest N of the
 * watch scenario (100k in a full run); `bigsync` rows name their own N (300k and 1M in a full
 * run, reduced in `--quick`, which the note says).
 */
export function targets(rows: readonly Row[], quick = false): TargetCheck[] {
  const measuredNs = [...new Set(rows.filter((r) => r.scenario === 'watch').map((r) => r.n))].sort((a, b) => a - b);
  // Without a watch scenario (`--only bigsync`) the rows still appear, as not run.
  const ns = measuredNs.length > 0 ? measuredNs : quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const big = ns[ns.length - 1]!;
  const twin: Record<string, string> = { 'events/s': 'events/CPU-s', sync: 'sync CPU' };
  const v = (n: number, c: Contender, metric: string, cpu: boolean): number | null => {
    const m = cpu ? twin[metric] : metric;
    return m === undefined ? null : find(rows, 'watch', n, c, m)?.median ?? null;
  };
  const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : a / b);
  const pass = (x: number | null, op: '≥' | '≤', limit: number): boolean | null => (x === null ? null : op === '≥' ? x >= limit : x <= limit);
  /** `a ÷ b` of one metric at one N, wall clock and CPU time. */
  const vs = (target: string, n: number, a: Contender, b: Contender, metric: string, op: '≥' | '≤', limit: number, note = ''): TargetCheck => {
    const measured = ratio(v(n, a, metric, false), v(n, b, metric, false));
    const why = measured === null ? missing('watch', n, [a, b], metric) : '';
    return { target, measured, cpuMeasured: ratio(v(n, a, metric, true), v(n, b, metric, true)), unit: '×', goal: `${op} ${limit}×`, pass: pass(measured, op, limit), note: [note, why].filter(Boolean).join('; ') };
  };
  const missing = (scenario: string, n: number, cs: readonly Contender[], metric: string): string => {
    const out: string[] = [];
    for (const c of cs) {
      const r = rows.find((x) => x.scenario === scenario && x.n === n && x.contender === c && x.metric === metric);
      if (r === undefined) out.push(`${c}: not run`);
      else if (r.median === null) out.push(`${c} failed: ${r.errors?.[0] ?? 'no result'}`);
    }
    return out.join('; ');
  };
  const checks: TargetCheck[] = [];
  // 1. Production defaults ≥ 1.1× client-node at every N of the run.
  for (const n of ns) checks.push(vs(`events/s, production defaults (unfrozen) ÷ client-node, N=${k(n)}`, n, 'rxkube-unfrozen', 'client-node', 'events/s', '≥', 1.1));
  // 2. Frozen default ≥ 0.95× at every N: the worst N.
  {
    const at = ns.map((n) => ({ n, wall: ratio(v(n, 'rxkube', 'events/s', false), v(n, 'client-node', 'events/s', false)), cpu: ratio(v(n, 'rxkube', 'events/s', true), v(n, 'client-node', 'events/s', true)) }));
    const measuredAll = at.every((x) => x.wall !== null) && at.length > 0;
    const worst = measuredAll ? at.reduce((a, b) => (b.wall! < a.wall! ? b : a)) : undefined;
    const cpus = at.map((x) => x.cpu).filter((x): x is number => x !== null);
    checks.push({
      target: `events/s, frozen default ÷ client-node, every N (the worst)`,
      measured: worst?.wall ?? null,
      cpuMeasured: cpus.length === at.length && cpus.length > 0 ? Math.min(...cpus) : null,
      unit: '×',
      goal: '≥ 0.95×',
      pass: pass(worst?.wall ?? null, '≥', 0.95),
      note: measuredAll ? `worst at N=${k(worst!.n)}; ${at.map((x) => `${k(x.n)}: ${x.wall!.toFixed(2)}×`).join(', ')}` : ns.map((n) => `N=${k(n)}: ${missing('watch', n, ['rxkube', 'client-node'], 'events/s')}`).filter((x) => !x.endsWith(': ')).join('; '),
    });
  }
  // 3. Lean: ≥ 1.3× events/s and ≤ 0.55× heap at the largest N.
  checks.push(vs(`events/s, lean (unfrozen, omitManagedFields) ÷ client-node, N=${k(big)}`, big, 'rxkube-lean', 'client-node', 'events/s', '≥', 1.3));
  checks.push(vs(`retained heap, lean ÷ client-node, N=${k(big)}`, big, 'rxkube-lean', 'client-node', 'heap', '≤', 0.55));
  // 4. Full objects: retained heap ≤ 0.85×.
  checks.push(vs(`retained heap, full objects, production defaults ÷ client-node, N=${k(big)}`, big, 'rxkube-unfrozen', 'client-node', 'heap', '≤', 0.85));
  checks.push(vs(`retained heap, full objects, frozen default ÷ client-node, N=${k(big)}`, big, 'rxkube', 'client-node', 'heap', '≤', 0.85));
  // 5. Per-event cost over the floor at 1k: a difference of the in-process medians.
  {
    const reflectUs = find(rows, 'reflect', 1000, 'reflect-unfrozen', 'per event (unfrozen)');
    const floorUs = find(rows, 'map', 1000, 'map-floor', 'per event (Map.set)');
    const measured = reflectUs?.median != null && floorUs?.median != null ? reflectUs.median - floorUs.median : null;
    checks.push({
      target: 'per-event cost over the floor, in-process reflect (unfrozen) − Map.set, N=1k',
      measured,
      cpuMeasured: null,
      unit: 'µs',
      goal: '≤ 0.5 µs',
      pass: pass(measured, '≤', 0.5),
      note: measured === null
        ? [missing('reflect', 1000, ['reflect-unfrozen'], 'per event (unfrozen)'), missing('map', 1000, ['map-floor'], 'per event (Map.set)')].filter(Boolean).join('; ')
        : `a difference, not a ratio: ${reflectUs!.median!.toFixed(2)} µs − ${floorUs!.median!.toFixed(2)} µs`,
    });
  }
  // 6. Any size: one unpaginated list.
  checks.push(...bigsyncTargets(rows, quick));
  // 7. Initial sync.
  checks.push(vs(`initial sync, production defaults ÷ client-node, N=${k(big)}`, big, 'rxkube-unfrozen', 'client-node', 'sync', '≤', 0.45));
  checks.push(vs(`initial sync, streaming list ÷ list+watch (both frozen default), N=${k(big)}`, big, 'rxkube-stream', 'rxkube', 'sync', '≤', 1.0));
  // 8. Issue 14: sharded list and watch.
  checks.push(...shardingTargets(rows, quick));
  return checks;
}

/**
 * Issue 14's sharding target: with the gate on, the bytes one replica of K receives ÷ those of a
 * single replica (K = 1) ≈ 1/K, within ±15 % of 1/K (shards of random uids are not exactly equal;
 * the note gives the replica's share of the objects). One row per K > 1; the gate-off ratio, which
 * stays ≈ 1, is in the note.
 */
function shardingTargets(rows: readonly Row[], quick: boolean): TargetCheck[] {
  const present = [...new Set(rows.filter((r) => r.scenario === 'sharding').map((r) => r.shards ?? 0))].filter((x) => x > 1).sort((a, b) => a - b);
  const counts = present.length > 0 ? present : [2, 4];
  const n = rows.find((r) => r.scenario === 'sharding')?.n ?? (quick ? 10_000 : 100_000);
  const bytes = (c: Contender, shards: number): Row | undefined => shardRow(rows, c, shards, 'bytes received');
  const ratio = (c: Contender, shards: number): number | null => {
    const a = bytes(c, shards)?.median;
    const b = bytes(c, 1)?.median;
    return a == null || b == null || b === 0 ? null : a / b;
  };
  const why = (c: Contender, shards: number): string => {
    const out: string[] = [];
    for (const x of [shards, 1]) {
      const r = bytes(c, x);
      if (r === undefined) out.push(`${c} at ${x} shard(s): not run`);
      else if (r.median === null) out.push(`${c} at ${x} shard(s) failed: ${r.errors?.[0] ?? 'no result'}`);
    }
    return out.join('; ');
  };
  return counts.map((shards): TargetCheck => {
    const measured = ratio('rxkube-shard-server', shards);
    const off = ratio('rxkube-shard-client', shards);
    const goal = 1 / shards;
    const note = measured === null
      ? why('rxkube-shard-server', shards)
      : `${fmt(bytes('rxkube-shard-server', shards)?.median, 'MB')} vs ${fmt(bytes('rxkube-shard-server', 1)?.median, 'MB')}; gate off: ${off === null ? '—' : `${off.toFixed(2)}×`}`;
    return {
      target: `sharding: bytes received per replica, gate on, ${shards} shards ÷ 1 shard, N=${k(n)}${quick ? ' (quick run: reduced size)' : ''}`,
      measured,
      cpuMeasured: null,
      unit: '×',
      goal: `≈ ${goal.toFixed(2)}× (±15 %)`,
      pass: measured === null ? null : Math.abs(measured - goal) <= 0.15 * goal,
      note,
    };
  });
}

/** The `bigsync` rows: rxkube syncs with peak RSS ≤ 1.5× heap; what client-node did; a million metadata objects. */
function bigsyncTargets(rows: readonly Row[], quick: boolean): TargetCheck[] {
  const sets = (contender: Contender): number[] => [...new Set(rows.filter((r) => r.scenario === 'bigsync' && r.contender === contender).map((r) => r.n))].sort((a, b) => a - b);
  const get = (n: number, c: Contender, metric: string): Row | undefined => find(rows, 'bigsync', n, c, metric);
  const reduced = quick ? ' (quick run: reduced size)' : '';
  const outcome = (n: number, c: Contender): { synced: boolean; text: string } => {
    const sync = get(n, c, 'sync');
    if (sync === undefined) return { synced: false, text: 'not run' };
    if (sync.median === null) return { synced: false, text: `failed: ${sync.errors?.[0] ?? 'no result'}` };
    const heap = get(n, c, 'heap')?.median;
    const rss = get(n, c, 'peak RSS')?.median;
    return { synced: true, text: `synced in ${fmt(sync.median, 'ms')}; heap ${fmt(heap, 'MB')}, peak RSS ${fmt(rss, 'MB')}` };
  };
  const out: TargetCheck[] = [];
  const rssTarget = (c: Contender, fallbackN: number, what: string): TargetCheck => {
    const n = sets(c).at(-1) ?? fallbackN;
    const o = outcome(n, c);
    const ratioRow = get(n, c, 'peak RSS ÷ heap');
    const measured = o.synced ? ratioRow?.median ?? null : null;
    return {
      target: `any size: ${what}, one unpaginated list of N=${k(n)}${reduced}: syncs, peak RSS ÷ its retained heap`,
      measured,
      cpuMeasured: null,
      unit: '×',
      goal: 'syncs, ≤ 1.5×',
      pass: o.text === 'not run' ? null : o.synced && measured !== null && measured <= 1.5,
      note: o.text,
    };
  };
  out.push(rssTarget('rxkube-unfrozen', quick ? 30_000 : 300_000, 'production defaults, full pods'));
  {
    const n = sets('client-node').at(-1) ?? (quick ? 30_000 : 300_000);
    const o = outcome(n, 'client-node');
    out.push({ target: `any size: client-node, the same list of N=${k(n)}${reduced}: what it did`, measured: o.synced ? get(n, 'client-node', 'peak RSS ÷ heap')?.median ?? null : null, cpuMeasured: null, unit: '×', goal: '— (reported)', pass: null, note: o.text });
  }
  {
    const n = sets('rxkube-meta-lean').at(-1) ?? (quick ? 100_000 : 1_000_000);
    const o = outcome(n, 'rxkube-meta-lean');
    out.push({
      target: `any size: N=${k(n)}${reduced} objects, metadata only + lean, one unpaginated list: syncs`,
      measured: o.synced ? get(n, 'rxkube-meta-lean', 'peak RSS ÷ heap')?.median ?? null : null,
      cpuMeasured: null,
      unit: '×',
      goal: 'syncs',
      pass: o.text === 'not run' ? null : o.synced,
      note: o.text + (o.synced ? ' (measured: peak RSS ÷ heap)' : ''),
    });
  }
  return out;
}

function fmtTarget(x: number | null, unit: '×' | 'µs'): string {
  if (x === null) return '—';
  return unit === 'µs' ? `${x.toFixed(2)} µs` : `${x.toFixed(2)}×`;
}

export function targetTable(rows: readonly Row[], quick = false): string {
  const lines = ['| target | measured (wall clock) | goal | met | in CPU time | notes |', '| --- | ---: | ---: | :---: | ---: | --- |'];
  for (const t of targets(rows, quick)) {
    lines.push(`| ${t.target} | ${fmtTarget(t.measured, t.unit)} | ${t.goal} | ${t.pass === null ? '—' : t.pass ? 'yes' : '**no**'} | ${fmtTarget(t.cpuMeasured, t.unit)} | ${t.note.replace(/\|/g, '\\|')} |`);
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
    bigsyncTable(run.rows),
    '',
    shardingTable(run.rows),
    '',
    targetTable(run.rows, run.quick),
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
