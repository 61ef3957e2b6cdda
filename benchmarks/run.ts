/**
 * The benchmark suite, in one invocation:
 *
 *   node --expose-gc benchmarks/run.ts [--quick] [--json FILE] [--svg FILE] [--reps 3] [--warmup 1]
 *     [--big-reps 1] [--only watch,relist,inproc,bigsync,sharding] [--plan]
 *
 * Starts the replayer (benchmarks/replayer.ts) as its own process, then runs every contender in
 * its own child process per repetition (same Node flags for all), alternating contenders so that
 * a busy machine hurts them alike. Prints the tables and the ratios against the issue's targets;
 * `--json` writes every figure; the chart goes to docs/benchmarks.svg (full runs) or
 * .cache/bench/benchmarks-quick.svg (`--quick`), or to `--svg FILE`.
 *
 * Full: N = 1k, 10k, 100k, M = 100k, three repetitions after a warm-up round; `bigsync` (one
 * unpaginated list of 300,000 full pods, and of 1,000,000 in metadata form) once. Quick: N = 1k,
 * 10k, M = 20k, `bigsync` at 30,000 / 100,000, one repetition, no warm-up (a few minutes).
 * `sharding`: one replica of 1, 2 and 4 uid shards over N = 100k pods and the M events (quick:
 * N = 10k), with the replayer's `ShardedListAndWatch` gate on and off.
 * The plan and an estimate of the duration are printed first (`--plan`: only that).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { aggregate, markdown, type Row, type RunFile } from './report.ts';
import { chart } from './svg.ts';
import type { Contender, Measurement, Task } from './protocol.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
/** The same flags for every contender. */
const CHILD_FLAGS = ['--expose-gc', '--max-old-space-size=4096'];
/** Scenario `bigsync`: room for 300,000 full pods or a million metadata objects. */
const BIG_CHILD_FLAGS = ['--expose-gc', '--max-old-space-size=8192'];

interface Args {
  quick: boolean;
  json: string | undefined;
  svg: string | undefined;
  reps: number;
  warmup: number;
  /** Repetitions of the `bigsync` scenario (each child runs for up to a minute and GBs of memory). */
  bigReps: number;
  only: string | undefined;
  /** Print the plan and the estimate, run nothing. */
  plan: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const quick = argv.includes('--quick');
  // --quick is a two-minute check: one repetition, no warm-up round, unless asked otherwise.
  const args: Args = { quick, json: undefined, svg: undefined, reps: quick ? 1 : 3, warmup: quick ? 0 : 1, bigReps: 1, only: undefined, plan: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--json') args.json = value();
    else if (a === '--svg') args.svg = value();
    else if (a === '--reps') args.reps = Number(value());
    else if (a === '--warmup') args.warmup = Number(value());
    else if (a === '--big-reps') args.bigReps = Number(value());
    else if (a === '--only') args.only = value();
    else if (a === '--plan') args.plan = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const NS = args.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const M = args.quick ? 20_000 : 100_000;
const INPROC_EVENTS = args.quick ? 10_000 : 50_000;
const CHILD_TIMEOUT_MS = args.quick ? 60_000 : 900_000;
const WATCH_CONTENDERS: readonly Contender[] = ['rxkube', 'rxkube-unfrozen', 'rxkube-lean', 'rxkube-meta', 'rxkube-stream', 'rxkube-fetch', 'client-node', 'floor', 'parse-only'];
const RELIST_CONTENDERS: readonly Contender[] = ['rxkube', 'rxkube-unfrozen', 'client-node'];
const INPROC_CONTENDERS: readonly Contender[] = ['reflect', 'reflect-unfrozen', 'join', 'join-recompute', 'map-floor'];
/**
 * Scenario `bigsync`: one unpaginated list, sync only. Full: 300,000 full pods (≈ 1.5 GB) and
 * 1,000,000 metadata objects (≈ 1.7 GB); `--quick`: 30,000 and 100,000.
 */
const BIG_SETS: readonly { n: number; form: 'full' | 'metadata'; contenders: readonly Contender[] }[] = [
  { n: args.quick ? 30_000 : 300_000, form: 'full', contenders: ['rxkube-unfrozen', 'client-node'] },
  { n: args.quick ? 100_000 : 1_000_000, form: 'metadata', contenders: ['rxkube-meta-lean'] },
];
const BIG_TIMEOUT_MS = 900_000;
/**
 * Scenario `sharding`: one replica of `equalShards(K)` (over uid), the gate on (the replayer
 * filters) and off (rxkube filters); repetition r measures shard r mod K.
 */
const SHARD_N = args.quick ? 10_000 : 100_000;
const SHARD_COUNTS: readonly number[] = [1, 2, 4];
const SHARD_CONTENDERS: readonly Contender[] = ['rxkube-shard-server', 'rxkube-shard-client'];
const SCENARIOS = ['watch', 'relist', 'inproc', 'bigsync', 'sharding'];
const wanted = (scenario: string): boolean => args.only === undefined || args.only.split(',').includes(scenario);
if (args.only !== undefined) {
  for (const s of args.only.split(',')) if (!SCENARIOS.includes(s)) throw new Error(`--only: unknown scenario ${s} (${SCENARIOS.join(', ')})`);
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function startReplayer(): Promise<{ port: number; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--max-old-space-size=16384', join(here, 'replayer.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface(proc.stdout!);
    lines.once('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match) resolve({ port: Number(match[1]), proc });
      else reject(new Error(`replayer said ${line}`));
    });
    proc.once('exit', (code) => reject(new Error(`replayer exited with ${code}`)));
  });
}

/** Runs one measurement; a failed child becomes an Error in the results instead of ending the run. */
async function runChildOrError(task: Task): Promise<Measurement | Error> {
  try {
    return await runChild(task);
  } catch (e) {
    return e as Error;
  }
}

function runChild(task: Task): Promise<Measurement> {
  const big = task.scenario === 'bigsync';
  const timeoutMs = big ? BIG_TIMEOUT_MS : CHILD_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(big ? BIG_CHILD_FLAGS : CHILD_FLAGS), join(here, 'child.ts'), JSON.stringify(task)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: '' },
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const result = /^RESULT (.*)$/m.exec(out);
      if (result) {
        resolve(JSON.parse(result[1]!) as Measurement);
        return;
      }
      const error = /^ERROR (.*)$/m.exec(out);
      const why = error ? (JSON.parse(error[1]!) as string) : signal === 'SIGKILL' ? `killed after ${timeoutMs / 1000} s` : `exit ${code ?? signal}: ${err.trim().split('\n').slice(-3).join(' ')}`;
      reject(new Error(why.split('\n')[0]));
    });
  });
}

let sessionCounter = 0;
function baseUrl(port: number, n: number, m: number, mode: 'watch' | 'relist' | 'bigsync' | 'shard-on' | 'shard-off', contender: string): string {
  return `http://127.0.0.1:${port}/s/${n}-${m}/${mode}/${contender}-${process.pid}-${++sessionCounter}`;
}

async function prepare(port: number, n: number, m: number, form: 'full' | 'metadata', big = false): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/prepare?n=${n}&m=${m}&form=${form}${big ? '&big=1' : ''}`);
  const info = (await res.json()) as { listBytes: number; eventBytes: number; mix: Record<string, number> };
  log(`  data ${n}/${m}/${form}: list ${(info.listBytes / 1e6).toFixed(1)} MB, events ${(info.eventBytes / 1e6).toFixed(1)} MB ${JSON.stringify(info.mix)}`);
}

/**
 * Rough seconds per child, from the 2026-11-26 runs on a 2-core machine: process start and GC
 * ≈ 1.5 s, a full pod listed ≈ 70 µs (client-node ≈ 125 µs), a watch event ≈ 55 µs; data.ts
 * generates a pod in ≈ 60 µs and serialises an event in ≈ 65 µs. (It gives 21 min for the
 * watch, relist and inproc scenarios of a full run, as the 2026-11-26 full run took.)
 */
function estimateS(scenario: string, contender: Contender, n: number, m: number, form: 'full' | 'metadata' = 'full'): number {
  const perPod = (contender === 'client-node' ? 125e-6 : 70e-6) * (form === 'metadata' ? 0.35 : 1);
  if (scenario === 'watch') return 1.5 + n * perPod + m * 55e-6 + n * 10e-6;
  if (scenario === 'relist') return 1.5 + 2 * n * perPod + m * 10e-6;
  if (scenario === 'inproc') return 1.5 + n * 60e-6 + m * 5e-6;
  if (scenario === 'sharding') return 1.5 + n * perPod + m * 55e-6 + n * 10e-6;
  return 3 + n * perPod * 1.3 + n * 15e-6;
}

/** Prints what will run and how long it should take. */
function printPlan(): void {
  const lines: string[] = [];
  let total = 0;
  const add = (what: string, children: number, seconds: number): void => {
    lines.push(`  ${what}: ${children} children, ≈ ${(seconds / 60).toFixed(1)} min`);
    total += seconds;
  };
  if (wanted('watch')) {
    let sec = 0;
    let children = 0;
    for (const n of NS) {
      const rounds = args.reps + (n === NS[0] ? args.warmup : 0);
      sec += 2 * (n * 60e-6 + M * 65e-6); // the replayer generates the data (two forms)
      for (const c of WATCH_CONTENDERS) sec += rounds * estimateS('watch', c, n, M);
      children += rounds * WATCH_CONTENDERS.length;
    }
    add(`watch: N = ${NS.join(', ')}, M = ${M} × ${WATCH_CONTENDERS.length} contenders × ${args.reps} reps${args.warmup > 0 ? ` (+ ${args.warmup} warm-up at N = ${NS[0]})` : ''}`, children, sec);
  }
  if (wanted('relist')) {
    const n = NS[NS.length - 1]!;
    add(`relist: N = ${n} × ${RELIST_CONTENDERS.length} contenders × ${args.reps} reps`, RELIST_CONTENDERS.length * args.reps, args.reps * RELIST_CONTENDERS.reduce((sum, c) => sum + estimateS('relist', c, n, M), 0));
  }
  if (wanted('inproc')) {
    let sec = 0;
    for (const n of NS) for (const c of INPROC_CONTENDERS) sec += args.reps * estimateS('inproc', c, n, INPROC_EVENTS);
    add(`inproc: N = ${NS.join(', ')}, ${INPROC_EVENTS} events × ${INPROC_CONTENDERS.length} contenders × ${args.reps} reps`, NS.length * INPROC_CONTENDERS.length * args.reps, sec);
  }
  if (wanted('sharding')) {
    let sec = wanted('watch') && NS.includes(SHARD_N) ? 0 : SHARD_N * 60e-6 + M * 65e-6; // the data, unless watch made it
    sec += SHARD_N * 40e-6 + M * 40e-6; // the replayer reads every uid once
    for (const count of SHARD_COUNTS) {
      for (const c of SHARD_CONTENDERS) {
        // Gate on: the replica reads 1/K of everything; gate off: it reads everything, keeps 1/K.
        sec += args.reps * (c === 'rxkube-shard-server' ? estimateS('sharding', c, SHARD_N / count, M / count) : estimateS('sharding', c, SHARD_N, M) * (0.5 + 0.5 / count));
      }
    }
    add(`sharding: N = ${SHARD_N}, M = ${M}, ${SHARD_COUNTS.join(', ')} shards × gate on/off × ${args.reps} reps`, SHARD_COUNTS.length * SHARD_CONTENDERS.length * args.reps, sec);
  }
  if (wanted('bigsync')) {
    for (const set of BIG_SETS) {
      add(`bigsync: N = ${set.n} ${set.form}, one list × ${set.contenders.join(', ')} × ${args.bigReps} reps`, set.contenders.length * args.bigReps, args.bigReps * set.contenders.reduce((sum, c) => sum + estimateS('bigsync', c, set.n, 0, set.form), 0));
    }
  }
  log(`plan (${args.quick ? 'quick' : 'full'} run):\n${lines.join('\n')}\n  estimate ≈ ${(total / 60).toFixed(0)} min on an idle 2-core machine; a loaded one takes longer`);
}

type Collected = Map<string, { base: Omit<Row, 'median' | 'min' | 'max' | 'reps'>; values: number[]; errors: string[] }>;

function record(into: Collected, scenario: string, n: number, m: number, contender: Contender, metric: string, unit: string, value: number | undefined | Error, shards?: number): void {
  const id = `${scenario}|${n}|${contender}|${metric}${shards === undefined ? '' : `|${shards}`}`;
  let entry = into.get(id);
  if (entry === undefined) into.set(id, (entry = { base: shards === undefined ? { scenario, n, m, contender, metric, unit } : { scenario, n, m, contender, metric, unit, shards }, values: [], errors: [] }));
  if (value instanceof Error) entry.errors.push(value.message);
  else if (value !== undefined && Number.isFinite(value)) entry.values.push(value);
}

/** Runs `contenders` `reps` times each, rotating the order every repetition. */
async function rounds(contenders: readonly Contender[], reps: number, warmup: number, each: (c: Contender, measured: boolean) => Promise<void>): Promise<void> {
  for (let r = -warmup; r < reps; r++) {
    const offset = ((r % contenders.length) + contenders.length) % contenders.length;
    for (let i = 0; i < contenders.length; i++) await each(contenders[(i + offset) % contenders.length]!, r >= 0);
  }
}

/**
 * Scenario `sharding`: per shard count K, one replica of K at a time, the gate on and off; the
 * bytes are what the replayer wrote for the replica's session (response bodies of its lists and
 * watches). A replica whose `status$` did not report the expected filter is a failed measurement.
 */
async function runSharding(port: number, collected: Collected): Promise<void> {
  const n = SHARD_N;
  log(`sharding: N = ${n}, M = ${M}, ${SHARD_COUNTS.join(', ')} shards over uid, gate on and off`);
  await prepare(port, n, M, 'full');
  for (const count of SHARD_COUNTS) {
    const counts = (await (await fetch(`http://127.0.0.1:${port}/shard-counts?n=${n}&m=${M}&count=${count}`)).json()) as { items: number[]; events: number[]; final: number[] };
    log(`  ${count} shard(s): objects ${counts.items.join(' / ')}, events ${counts.events.join(' / ')}`);
    const measuredReps = new Map<Contender, number>();
    await rounds(SHARD_CONTENDERS, args.reps, 0, async (contender) => {
      const rep = measuredReps.get(contender) ?? 0;
      measuredReps.set(contender, rep + 1);
      const index = rep % count;
      const gate = contender === 'rxkube-shard-server';
      const url = baseUrl(port, n, M, gate ? 'shard-on' : 'shard-off', `${contender}-${count}`);
      const task: Task = { contender, scenario: 'sharding', n, m: counts.events[index]!, baseUrl: url, shard: { count, index } };
      let result: Measurement | Error = await runChildOrError(task);
      let bytes: number | Error = 0;
      if (!(result instanceof Error)) {
        const expected = gate ? 'server' : 'client';
        if (result.shardFilter !== expected) result = new Error(`status$ said shardFilter ${String(result.shardFilter)}, expected ${expected}`);
        else if (result.size !== counts.final[index]) result = new Error(`the replica ended with ${String(result.size)} objects, its shard has ${counts.final[index]}`);
        const session = url.slice(url.lastIndexOf('/') + 1);
        const answer = (await (await fetch(`http://127.0.0.1:${port}/bytes?session=${session}`)).json()) as { bytes: number };
        bytes = answer.bytes;
      }
      log(`  ${contender}, shard ${index} of ${count}: ${result instanceof Error ? `FAILED ${result.message}` : `sync ${result.syncMs?.toFixed(0)} ms, ${result.eventsPerSec?.toFixed(0)} events/s, ${(Number(bytes) / 1e6).toFixed(1)} MB received, heap ${result.heapMB?.toFixed(1)} MB`}`);
      const get = (f: (x: Measurement) => number | undefined): number | undefined | Error => (result instanceof Error ? result : f(result));
      record(collected, 'sharding', n, M, contender, 'sync', 'ms', get((x) => x.syncMs), count);
      record(collected, 'sharding', n, M, contender, 'events/s', 'events/s', get((x) => x.eventsPerSec), count);
      record(collected, 'sharding', n, M, contender, 'events/CPU-s', 'events/s', get((x) => x.eventsPerCpuSec), count);
      record(collected, 'sharding', n, M, contender, 'bytes received', 'MB', result instanceof Error ? result : Number(bytes) / 1e6, count);
      record(collected, 'sharding', n, M, contender, 'heap', 'MB', get((x) => x.heapMB), count);
      record(collected, 'sharding', n, M, contender, 'store heap', 'MB', get((x) => x.storeHeapMB), count);
    });
  }
}

async function main(): Promise<void> {
  printPlan();
  if (args.plan) return;
  const started = performance.now();
  const loadBefore = loadavg();
  const { port, proc } = await startReplayer();
  const collected: Collected = new Map();
  try {
    if (wanted('watch')) {
      for (const n of NS) {
        log(`watch: N = ${n}, M = ${M}`);
        await prepare(port, n, M, 'full');
        await prepare(port, n, M, 'metadata');
        // The warm-up round (discarded) runs at the first N only: it warms the replayer's code
        // paths; each contender's own process is new every time anyway.
        await rounds(WATCH_CONTENDERS, args.reps, n === NS[0] ? args.warmup : 0, async (contender, measured) => {
          const task: Task = { contender, scenario: 'watch', n, m: M, baseUrl: baseUrl(port, n, M, 'watch', contender) };
          const result = await runChildOrError(task);
          log(`  ${measured ? '' : '(warm-up) '}${contender}: ${result instanceof Error ? `FAILED ${result.message}` : `sync ${result.syncMs?.toFixed(0)} ms, ${result.eventsPerSec?.toFixed(0)} events/s, heap ${result.heapMB?.toFixed(1)} MB, RSS ${result.maxRssMB?.toFixed(0)} MB`}`);
          if (!measured) return;
          const get = (f: (x: Measurement) => number | undefined): number | undefined | Error => (result instanceof Error ? result : f(result));
          record(collected, 'watch', n, M, contender, 'sync', 'ms', get((x) => x.syncMs));
          record(collected, 'watch', n, M, contender, 'events/s', 'events/s', get((x) => x.eventsPerSec));
          record(collected, 'watch', n, M, contender, 'sync CPU', 'ms', get((x) => x.syncCpuMs));
          record(collected, 'watch', n, M, contender, 'events/CPU-s', 'events/s', get((x) => x.eventsPerCpuSec));
          record(collected, 'watch', n, M, contender, 'heap', 'MB', get((x) => x.heapMB));
          record(collected, 'watch', n, M, contender, 'store heap', 'MB', get((x) => x.storeHeapMB));
          if (contender !== 'parse-only') record(collected, 'watch', n, M, contender, 'peak RSS', 'MB', get((x) => x.maxRssMB));
        });
      }
    }
    if (wanted('relist')) {
      const n = NS[NS.length - 1]!;
      log(`relist after 410: N = ${n}`);
      await rounds(RELIST_CONTENDERS, args.reps, 0, async (contender) => {
        const task: Task = { contender, scenario: 'relist', n, m: M, baseUrl: baseUrl(port, n, M, 'relist', contender) };
        const result = await runChildOrError(task);
        log(`  ${contender}: ${result instanceof Error ? `FAILED ${result.message}` : `relist ${result.relistMs?.toFixed(0)} ms (${result.size} objects)`}`);
        record(collected, 'relist', n, M, contender, 'relist', 'ms', result instanceof Error ? result : result.relistMs);
      });
    }
    if (wanted('inproc')) {
      for (const n of NS) {
        log(`in-process: N = ${n}, ${INPROC_EVENTS} events`);
        await rounds(INPROC_CONTENDERS, args.reps, 0, async (contender) => {
          const task: Task = { contender, scenario: 'inproc', n, m: INPROC_EVENTS, baseUrl: '' };
          const result = await runChildOrError(task);
          log(`  ${contender}: ${result instanceof Error ? `FAILED ${result.message}` : `${result.perEventUs?.toFixed(2)} µs/event${result.perRightEventUs === undefined ? '' : `, ${result.perRightEventUs.toFixed(2)} µs/node event`}`}`);
          const name = contender === 'join' || contender === 'join-recompute' ? 'join' : contender === 'map-floor' ? 'map' : 'reflect';
          const metric =
            contender === 'join' ? 'per pod event' : contender === 'join-recompute' ? 'per pod event (recomputed)' : contender === 'reflect' ? 'per event (frozen)' : contender === 'map-floor' ? 'per event (Map.set)' : 'per event (unfrozen)';
          record(collected, name, n, INPROC_EVENTS, contender, metric, 'µs', result instanceof Error ? result : result.perEventUs);
          if (contender === 'join') record(collected, name, n, INPROC_EVENTS, contender, 'per node event', 'µs', result instanceof Error ? result : result.perRightEventUs);
        });
      }
    }
    if (wanted('sharding')) await runSharding(port, collected);
    if (wanted('bigsync')) {
      for (const set of BIG_SETS) {
        log(`bigsync: one unpaginated list of ${set.n} ${set.form} objects${args.quick ? ' (quick: reduced size)' : ''}`);
        await prepare(port, set.n, 0, set.form, true);
        await rounds(set.contenders, args.bigReps, 0, async (contender) => {
          const task: Task = { contender, scenario: 'bigsync', n: set.n, m: 0, baseUrl: baseUrl(port, set.n, 0, 'bigsync', contender) };
          const result = await runChildOrError(task);
          log(`  ${contender}: ${result instanceof Error ? `FAILED ${result.message}` : `synced ${result.size} in ${result.syncMs?.toFixed(0)} ms, heap ${result.heapMB?.toFixed(0)} MB, peak RSS ${result.maxRssMB?.toFixed(0)} MB`}`);
          const get = (f: (x: Measurement) => number | undefined): number | undefined | Error => (result instanceof Error ? result : f(result));
          record(collected, 'bigsync', set.n, 0, contender, 'sync', 'ms', get((x) => x.syncMs));
          record(collected, 'bigsync', set.n, 0, contender, 'sync CPU', 'ms', get((x) => x.syncCpuMs));
          record(collected, 'bigsync', set.n, 0, contender, 'heap', 'MB', get((x) => x.heapMB));
          record(collected, 'bigsync', set.n, 0, contender, 'peak RSS', 'MB', get((x) => x.maxRssMB));
          record(collected, 'bigsync', set.n, 0, contender, 'peak RSS ÷ heap', '×', get((x) => (x.maxRssMB !== undefined && x.heapMB ? x.maxRssMB / x.heapMB : undefined)));
        });
      }
    }
  } finally {
    proc.kill('SIGTERM');
  }
  const rows = [...collected.values()].map((e) => aggregate(e.base, e.values, e.errors));
  const run: RunFile = {
    node: process.version,
    date: new Date().toISOString(),
    quick: args.quick,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', totalMemGB: Math.round(totalmem() / 2 ** 30), loadBefore, loadAfter: loadavg() },
    durationS: (performance.now() - started) / 1000,
    rows,
  };
  process.stdout.write(`${markdown(run)}\n`);
  if (args.json !== undefined) {
    mkdirSync(dirname(args.json), { recursive: true });
    writeFileSync(args.json, `${JSON.stringify(run, null, 1)}\n`);
    log(`wrote ${args.json}`);
  }
  if (rows.some((r) => r.scenario === 'watch')) {
    const svgPath = args.svg ?? (args.quick ? join(root, '.cache/bench/benchmarks-quick.svg') : join(root, 'docs/benchmarks.svg'));
    mkdirSync(dirname(svgPath), { recursive: true });
    writeFileSync(svgPath, chart(rows, `rxkube benchmarks, Node ${run.node}, ${run.machine.cpus} cores, ${args.quick ? 'quick' : 'full'} run ${run.date.slice(0, 10)}; medians of ${args.reps}, bars from min to max`));
    log(`wrote ${svgPath}`);
  }
}

main().catch((error: unknown) => {
  log(String((error as Error)?.stack ?? error));
  process.exit(1);
});
