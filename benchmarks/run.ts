/**
 * The benchmark suite, in one invocation:
 *
 *   node --expose-gc benchmarks/run.ts [--quick] [--json FILE] [--svg FILE] [--reps 3] [--warmup 1]
 *
 * Starts the replayer (benchmarks/replayer.ts) as its own process, then runs every contender in
 * its own child process per repetition (same Node flags for all), alternating contenders so that
 * a busy machine hurts them alike. Prints the tables and the ratios against the issue's targets;
 * `--json` writes every figure; the chart goes to docs/benchmarks.svg (full runs) or
 * .cache/bench/benchmarks-quick.svg (`--quick`), or to `--svg FILE`.
 *
 * Full: N = 1k, 10k, 100k, M = 100k, three repetitions after a warm-up round. Quick: N = 1k, 10k,
 * M = 20k, one repetition, no warm-up (under two minutes).
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

interface Args {
  quick: boolean;
  json: string | undefined;
  svg: string | undefined;
  reps: number;
  warmup: number;
  only: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const quick = argv.includes('--quick');
  // --quick is a two-minute check: one repetition, no warm-up round, unless asked otherwise.
  const args: Args = { quick, json: undefined, svg: undefined, reps: quick ? 1 : 3, warmup: quick ? 0 : 1, only: undefined };
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
    else if (a === '--only') args.only = value();
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const NS = args.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const M = args.quick ? 20_000 : 100_000;
const INPROC_EVENTS = args.quick ? 10_000 : 50_000;
const CHILD_TIMEOUT_MS = args.quick ? 60_000 : 900_000;
const WATCH_CONTENDERS: readonly Contender[] = ['rxkube', 'rxkube-unfrozen', 'rxkube-strip', 'rxkube-meta', 'rxkube-stream', 'rxkube-fetch', 'client-node', 'floor', 'parse-only'];
const RELIST_CONTENDERS: readonly Contender[] = ['rxkube', 'rxkube-unfrozen', 'client-node'];
const INPROC_CONTENDERS: readonly Contender[] = ['reflect', 'reflect-unfrozen', 'join', 'join-recompute', 'map-floor'];
const wanted = (scenario: string): boolean => args.only === undefined || args.only.split(',').includes(scenario);

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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CHILD_FLAGS, join(here, 'child.ts'), JSON.stringify(task)], {
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
    }, CHILD_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const result = /^RESULT (.*)$/m.exec(out);
      if (result) {
        resolve(JSON.parse(result[1]!) as Measurement);
        return;
      }
      const error = /^ERROR (.*)$/m.exec(out);
      const why = error ? (JSON.parse(error[1]!) as string) : signal === 'SIGKILL' ? `killed after ${CHILD_TIMEOUT_MS / 1000} s` : `exit ${code ?? signal}: ${err.trim().split('\n').slice(-3).join(' ')}`;
      reject(new Error(why.split('\n')[0]));
    });
  });
}

let sessionCounter = 0;
function baseUrl(port: number, n: number, m: number, mode: 'watch' | 'relist', contender: string): string {
  return `http://127.0.0.1:${port}/s/${n}-${m}/${mode}/${contender}-${process.pid}-${++sessionCounter}`;
}

async function prepare(port: number, n: number, m: number, form: 'full' | 'metadata'): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/prepare?n=${n}&m=${m}&form=${form}`);
  const info = (await res.json()) as { listBytes: number; eventBytes: number; mix: Record<string, number> };
  log(`  data ${n}/${m}/${form}: list ${(info.listBytes / 1e6).toFixed(1)} MB, events ${(info.eventBytes / 1e6).toFixed(1)} MB ${JSON.stringify(info.mix)}`);
}

type Collected = Map<string, { base: Omit<Row, 'median' | 'min' | 'max' | 'reps'>; values: number[]; errors: string[] }>;

function record(into: Collected, scenario: string, n: number, m: number, contender: Contender, metric: string, unit: string, value: number | undefined | Error): void {
  const id = `${scenario}|${n}|${contender}|${metric}`;
  let entry = into.get(id);
  if (entry === undefined) into.set(id, (entry = { base: { scenario, n, m, contender, metric, unit }, values: [], errors: [] }));
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

async function main(): Promise<void> {
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
