/**
 * The frame budget, measured in the page:
 *
 * - frame work: from the coalesced Reflection of a frame to React's commit of it (applying the
 *   deltas to the cells, drawing the changed cells, render, DOM mutations), in the same
 *   animation-frame task;
 * - apply + draw (`derive`): the part before React: the board and the canvases;
 * - render: React's own `actualDuration` for the commit (`<Profiler onRender>`);
 * - frame interval: time between `requestAnimationFrame` callbacks (16.7 ms at 60 Hz; longer when
 *   the main thread was busy, including with JSON parsing of the watch stream);
 * - long tasks: main-thread tasks over 50 ms (`PerformanceObserver`, `longtask`).
 *
 * Samples live in fixed ring buffers (module state, not React state), read twice a second.
 */
import type { ProfilerOnRenderCallback } from 'react';

class Ring {
  readonly #values: Float64Array;
  #next = 0;
  #size = 0;
  constructor(capacity: number) {
    this.#values = new Float64Array(capacity);
  }
  push(value: number): void {
    this.#values[this.#next] = value;
    this.#next = (this.#next + 1) % this.#values.length;
    this.#size = Math.min(this.#size + 1, this.#values.length);
  }
  sorted(): Float64Array {
    return this.#values.slice(0, this.#size).sort();
  }
}

/** Percentiles of one measure, in milliseconds. */
export interface Distribution {
  readonly samples: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** What the frame-budget panel shows. */
export interface FrameMetrics {
  readonly frameWork: Distribution;
  readonly derive: Distribution;
  readonly render: Distribution;
  readonly frameInterval: Distribution;
  /** Share of frames (last 600) that took longer than 1.5 × 16.7 ms. */
  readonly jankRatio: number;
  readonly longTasks: { readonly count: number; readonly totalMs: number; readonly maxMs: number };
  readonly heapMb: number | undefined;
  /** Since load: coalesced Reflections, board updates, React commits of them. */
  readonly counters: { readonly coalesced: number; readonly derived: number; readonly committed: number };
}

const WINDOW = 600; // ~10 s of frames at 60 Hz
const frameWork = new Ring(WINDOW);
const derive = new Ring(WINDOW);
const render = new Ring(WINDOW);
const frameInterval = new Ring(WINDOW);
const longTasks: { at: number; duration: number }[] = [];
let frameStart: number | undefined;
let started = false;
const counters = { coalesced: 0, derived: 0, committed: 0 };

/** A coalesced Reflection arrived: the frame's work starts. */
export function markFrameStart(): void {
  counters.coalesced++;
  frameStart = performance.now();
}

/** The frame's deltas are applied and the changed cells drawn (view.ts). */
export function markDerived(): void {
  counters.derived++;
  if (frameStart !== undefined) derive.push(performance.now() - frameStart);
}

/** React committed the frame's view (call from a layout effect). */
export function markCommitted(): void {
  if (frameStart === undefined) return;
  counters.committed++;
  frameWork.push(performance.now() - frameStart);
  frameStart = undefined;
}

/** `<Profiler onRender>`: render time of each commit. */
export const onRender: ProfilerOnRenderCallback = (_id, _phase, actualDuration) => {
  render.push(actualDuration);
};

/** Starts the frame clock and the long-task observer (idempotent). */
export function startFrameClock(): void {
  if (started) return;
  started = true;
  let last: number | undefined;
  const tick = (now: number): void => {
    if (last !== undefined) frameInterval.push(now - last);
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  // A hidden tab stops animation frames: don't count the gap as a frame.
  document.addEventListener('visibilitychange', () => {
    last = undefined;
  });
  if (PerformanceObserver.supportedEntryTypes.includes('longtask')) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push({ at: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  }
}

function distribution(ring: Ring): Distribution {
  const s = ring.sorted();
  const at = (q: number): number => (s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor(q * s.length))]!);
  return { samples: s.length, p50: at(0.5), p95: at(0.95), max: s.length === 0 ? 0 : s[s.length - 1]! };
}

/** A reading of every measure (long tasks: the last 10 s). */
export function readMetrics(): FrameMetrics {
  const now = performance.now();
  while (longTasks.length > 0 && longTasks[0]!.at < now - 10_000) longTasks.shift();
  const intervals = frameInterval.sorted();
  let janky = 0;
  for (const v of intervals) if (v > 25) janky++;
  const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  return {
    frameWork: distribution(frameWork),
    derive: distribution(derive),
    render: distribution(render),
    frameInterval: distribution(frameInterval),
    jankRatio: intervals.length === 0 ? 0 : janky / intervals.length,
    longTasks: {
      count: longTasks.length,
      totalMs: longTasks.reduce((a, t) => a + t.duration, 0),
      maxMs: longTasks.reduce((a, t) => Math.max(a, t.duration), 0),
    },
    heapMb: memory === undefined ? undefined : memory.usedJSHeapSize / 1_048_576,
    counters: { ...counters },
  };
}
