/**
 * The page's main-thread tasks from a Chromium trace, with the CPU time each used.
 *
 * The Long Tasks API measures wall time: on a loaded machine a task that used 0.2 ms of CPU can
 * last 40 ms because the thread was not scheduled. A trace of the `toplevel` category records, per
 * task, both the wall time (`dur`) and the thread's CPU time (`tdur`), so a report can tell the
 * page's own work from the machine's load. Phases are marked with `performance.mark` (the
 * `blink.user_timing` category), which also identifies the page's main thread.
 */
import type { CDPSession, Page } from 'playwright-core';

interface TraceEvent {
  readonly name: string;
  readonly cat?: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly src_file?: string; readonly src_func?: string };
}

/** Main-thread tasks over 50 ms of one phase. */
export interface PhaseTasks {
  /** Tasks over 50 ms of wall time (what the Long Tasks API counts). */
  readonly over50msWall: number;
  /** Of those, the ones that used over 50 ms of main-thread CPU: the page's own long work. */
  readonly over50msCpu: number;
  /** The most CPU one of the long tasks used, in ms (0 when there was none). */
  readonly maxCpuMs: number;
  /** The long ones (wall > 50 ms), as [wall ms, cpu ms, where Chromium posted the task]. */
  readonly tasks: readonly (readonly [number, number, string])[];
}

/** A running trace of one page. */
export interface MainThreadTrace {
  /** Marks a phase boundary on the page (`performance.mark(name)`). */
  mark(name: string): Promise<void>;
  /** Stops the trace; the tasks between consecutive marks, by the name of the mark that ends each phase (the first phase starts with the trace). */
  stop(): Promise<Record<string, PhaseTasks>>;
}

const TASKS = new Set(['ThreadControllerImpl::RunTask', 'RunTask']);
const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Where the task was posted (`file:function` of Chromium's source), from the task event itself or the one nested in it. */
function postedFrom(task: TraceEvent, candidates: readonly TraceEvent[]): string {
  const end = task.ts + (task.dur ?? 0);
  const source = [task, ...candidates.filter((e) => e.ts >= task.ts && e.ts <= end)].find((e) => e.args?.src_func !== undefined)?.args;
  return source === undefined ? '' : `${source.src_file ?? ''}:${source.src_func ?? ''}`;
}

/**
 * Starts tracing the page's tasks.
 *
 * @param page - the page (its CDP session is opened here and closed by `stop`).
 * @returns the trace.
 */
export async function traceMainThread(page: Page): Promise<MainThreadTrace> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (batch) => {
    for (const event of batch.value) events.push(event as unknown as TraceEvent);
  });
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: ['toplevel', 'blink.user_timing'] } });
  const marks: string[] = [];
  return {
    async mark(name) {
      marks.push(name);
      await page.evaluate((n) => void performance.mark(n), name);
    },
    async stop() {
      await cdp.send('Tracing.end');
      await complete;
      await cdp.detach();
      const markEvents = marks.map((name) => events.find((e) => e.name === name && (e.cat ?? '').includes('blink.user_timing')));
      const main = markEvents.find((e) => e !== undefined);
      if (main === undefined) throw new Error(`no phase mark in the trace (${events.length} events)`);
      // The outermost task events of the page's main thread, over 50 ms of wall time.
      const long = events
        .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && TASKS.has(e.name) && (e.dur ?? 0) > 50_000)
        .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
      const outer: TraceEvent[] = [];
      for (const e of long) {
        const last = outer.at(-1);
        if (last === undefined || e.ts >= last.ts + (last.dur ?? 0)) outer.push(e);
      }
      const phases: Record<string, PhaseTasks> = {};
      let from = -Infinity;
      marks.forEach((name, i) => {
        const to = markEvents[i]?.ts ?? Infinity;
        const inPhase = outer.filter((e) => e.ts >= from && e.ts < to);
        phases[name] = {
          over50msWall: inPhase.length,
          over50msCpu: inPhase.filter((e) => (e.tdur ?? 0) > 50_000).length,
          maxCpuMs: round1(Math.max(0, ...inPhase.map((e) => (e.tdur ?? 0) / 1000))),
          tasks: inPhase.slice(0, 20).map((e) => [round1((e.dur ?? 0) / 1000), round1((e.tdur ?? 0) / 1000), postedFrom(e, long)] as const),
        };
        from = to;
      });
      return phases;
    },
  };
}
