/**
 * The page's view of the cluster, updated once per animation frame:
 *
 * 1. `coalesce('animationFrame')` folds the frame's watch events into one Reflection of net deltas;
 * 2. the {@link PodBoard} applies them, one cell per delta;
 * 3. each changed node's canvas draws only its changed cells (all of them after a namespace switch
 *    or a resize);
 * 4. the small stores React reads (node list, node summaries, totals, namespaces) change identity
 *    only when their value changed, so React re-renders only the cards whose counts changed.
 *
 * Nothing here rebuilds a node's list of pods or looks a pod's phase up again to draw it.
 */
import { tap, type Observable } from 'rxjs';
import { coalesce, type Reflection } from 'rxkube';
import { pods } from './cluster.ts';
import { markDerived, markFrameStart } from './metrics.ts';
import { PodBoard, NAMESPACE_INDEX, type BoardTotals, type NodeCells, type NodeSummary } from './pod-board.ts';
import { PHASES, type Pod } from './pod.ts';

/** A value React reads with `useSyncExternalStore(store.subscribe, store.get)`. */
export class Store<T> {
  #value: T;
  readonly #listeners = new Set<() => void>();
  constructor(value: T) {
    this.#value = value;
  }
  readonly get = (): T => this.#value;
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };
  set(value: T): void {
    if (Object.is(value, this.#value)) return;
    this.#value = value;
    for (const listener of [...this.#listeners]) listener();
  }
}

export const CELL = 7; // px per pod, gap included
const COLOURS: readonly string[] = PHASES.map(
  (phase) => ({ Running: '#2ea043', Pending: '#d29922', Succeeded: '#388bfd', Failed: '#f85149', Unknown: '#a371f7' })[phase],
);

/** A node's canvas and its layout. */
interface Canvas {
  readonly el: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
  columns: number;
  rows: number;
}

const board = new PodBoard();
let selected: string | undefined;
const canvases = new Map<string, Canvas>();
const summaries = new Map<string, Store<NodeSummary>>();
const EMPTY_SUMMARY: NodeSummary = Object.freeze({ size: 0, counts: Object.freeze(PHASES.map(() => 0)) });

/** The nodes with pods in view, sorted. */
export const nodeNames = new Store<readonly string[]>([]);
/** Totals in view; `undefined` before the first sync. */
export const totals = new Store<BoardTotals | undefined>(undefined);
/** The namespaces present in the store, sorted. */
export const namespaces = new Store<readonly string[]>([]);
/** The namespace in view (`''`: all). */
export const namespace = new Store<string>('');
/** Bumped once per frame that changed the view; its commit ends the frame's work (metrics). */
export const frame = new Store<number>(0);

/** One node's summary store (created on first use). */
export function summaryOf(node: string): Store<NodeSummary> {
  let store = summaries.get(node);
  if (store === undefined) summaries.set(node, (store = new Store(board.node(node)?.summary() ?? EMPTY_SUMMARY)));
  return store;
}

/** The pod in cell `slot` of `node`, and its phase, as drawn. */
export function cellAt(node: string, slot: number): { readonly key: string; readonly phase: string } | undefined {
  const cells = board.node(node);
  const key = cells?.keys[slot];
  return key === undefined ? undefined : { key, phase: PHASES[cells!.phaseAt(slot)]! };
}

/**
 * Starts the view: subscribes to the informer's coalesced Reflections and keeps the board, the
 * canvases and the stores in step. Returns the teardown (for a `useEffect`).
 */
export function connect(source: Observable<Reflection<Pod>> = pods.reflections$): () => void {
  board.reset();
  const subscription = source.pipe(coalesce<Pod>('animationFrame'), tap(markFrameStart)).subscribe((reflection) => {
    board.apply(reflection);
    publish();
    markDerived();
  });
  return () => subscription.unsubscribe();
}

/** Shows only `ns` (`''`: every namespace), at once, from the namespace index. */
export function setNamespace(ns: string): void {
  board.setNamespace(ns);
  namespace.set(board.namespace);
  publish();
}

/** Outlines the cell of `key` (the pod in the detail pane); `undefined` for none. */
export function select(key: string | undefined): void {
  if (key === selected) return;
  if (selected !== undefined) board.touch(selected);
  selected = key;
  if (key !== undefined) board.touch(key);
  publish();
}

/** Registers (or, with `undefined`, forgets) the canvas of `node`, `columns` cells wide. */
export function attachCanvas(node: string, el: HTMLCanvasElement | undefined, columns: number): void {
  if (el === undefined) {
    canvases.delete(node);
    return;
  }
  const ctx = el.getContext('2d');
  if (ctx === null) return;
  const current = canvases.get(node);
  if (current !== undefined && current.el === el && current.columns === columns) return;
  canvases.set(node, { el, ctx, columns, rows: 0 });
  const cells = board.node(node);
  if (cells !== undefined) {
    cells.invalidate();
    paint(cells);
  }
}

/** Draws the changed nodes and updates the stores. */
function publish(): void {
  if (board.snapshot === undefined) return; // before the first sync: nothing to show yet
  for (const cells of board.takeChanged()) {
    paint(cells);
    summaries.get(cells.name)?.set(cells.summary());
  }
  nodeNames.set(board.nodeNames());
  const t = board.totals();
  const previous = totals.get();
  if (previous === undefined || !sameTotals(previous, t)) totals.set(t);
  const snapshot = board.snapshot;
  if (snapshot !== undefined) {
    const present = snapshot.indexValues(NAMESPACE_INDEX);
    const known = namespaces.get();
    if (present.length !== known.length || present.some((n) => !known.includes(n))) namespaces.set([...present].sort());
  }
  frame.set(frame.get() + 1);
}

function sameTotals(a: BoardTotals, b: BoardTotals): boolean {
  return a.pods === b.pods && a.all === b.all && a.resourceVersion === b.resourceVersion && a.phases.every((n, i) => n === b.phases[i]);
}

/**
 * Draws a node's changed cells on its canvas. The canvas keeps a spare row, so that pods arriving
 * and leaving do not resize it (a resize clears it, and every cell is drawn again).
 */
function paint(cells: NodeCells): void {
  const canvas = canvases.get(cells.name);
  if (canvas === undefined) return; // not mounted yet: drawn whole when it attaches
  const { el, ctx, columns } = canvas;
  const needed = Math.max(1, Math.ceil(cells.size / columns));
  let dirty = cells.takeDirty();
  if (needed > canvas.rows || needed < canvas.rows - 2) {
    canvas.rows = needed + 1;
    const ratio = window.devicePixelRatio || 1;
    el.width = columns * CELL * ratio;
    el.height = canvas.rows * CELL * ratio;
    el.style.width = `${columns * CELL}px`;
    el.style.height = `${canvas.rows * CELL}px`;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    dirty = 'all';
  }
  if (dirty === 'all') {
    ctx.clearRect(0, 0, columns * CELL, canvas.rows * CELL);
    for (let slot = 0; slot < cells.size; slot++) cell(ctx, columns, slot, COLOURS[cells.phaseAt(slot)], cells.keys[slot] === selected);
  } else {
    for (const slot of dirty) cell(ctx, columns, slot, slot < cells.size ? COLOURS[cells.phaseAt(slot)] : undefined, cells.keys[slot] === selected);
  }
  el.dataset['drawn'] = String(cells.size);
}

function cell(ctx: CanvasRenderingContext2D, columns: number, slot: number, colour: string | undefined, outlined: boolean): void {
  const x = (slot % columns) * CELL;
  const y = Math.floor(slot / columns) * CELL;
  if (colour === undefined) {
    ctx.clearRect(x, y, CELL - 1, CELL - 1);
    return;
  }
  if (ctx.fillStyle !== colour) ctx.fillStyle = colour;
  ctx.fillRect(x, y, CELL - 1, CELL - 1);
  if (outlined) {
    // A ring inside the cell; its centre keeps the phase colour.
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, CELL - 2, CELL - 2);
  }
}
