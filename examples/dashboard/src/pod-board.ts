/**
 * The dashboard's model of what it draws, kept up to date from deltas: one cell per pod, grouped by
 * node, with each cell's phase stored when its delta arrives (never looked up again while
 * drawing), per-node and total phase counts, and the cells each frame changed.
 *
 * No DOM and no rxjs here: `view.ts` feeds it coalesced Reflections and paints what it reports as
 * changed. A pod keeps its cell while it lives; a deleted pod's cell is taken by the node's last
 * pod (two cells change), so a node's cells stay dense without shifting the others.
 */
import type { Reflection, Snapshot } from 'rxkube';
import { namespaceOf, nodeOf, PHASES, phaseIndexOf, type Pod } from './pod.ts';

/** Phase counts, indexed like {@link PHASES}. */
export type PhaseCounts = readonly number[];

/** What a node card shows besides its cells. Identity changes only when a count changed. */
export interface NodeSummary {
  readonly size: number;
  readonly counts: PhaseCounts;
}

/** One node's cells: slot `i` holds `keys[i]`, drawn in phase `phases[i]`. */
export class NodeCells {
  readonly name: string;
  readonly keys: string[] = [];
  #phases = new Uint8Array(64);
  readonly #slotOf = new Map<string, number>();
  readonly #counts = PHASES.map(() => 0);
  #summary: NodeSummary | undefined;
  /** Slots whose cell changed since {@link NodeCells.takeDirty}. */
  readonly #dirty = new Set<number>();
  /** Every cell must be drawn again (a reset). */
  #all = true;

  constructor(name: string) {
    this.name = name;
  }

  get size(): number {
    return this.keys.length;
  }

  /** The phase index of slot `slot`. */
  phaseAt(slot: number): number {
    return this.#phases[slot]!;
  }

  slotOf(key: string): number | undefined {
    return this.#slotOf.get(key);
  }

  summary(): NodeSummary {
    return (this.#summary ??= Object.freeze({ size: this.keys.length, counts: Object.freeze([...this.#counts]) }));
  }

  add(key: string, phase: number): void {
    const slot = this.keys.length;
    if (slot === this.#phases.length) {
      const grown = new Uint8Array(slot * 2);
      grown.set(this.#phases);
      this.#phases = grown;
    }
    this.keys.push(key);
    this.#phases[slot] = phase;
    this.#slotOf.set(key, slot);
    this.#counts[phase]!++;
    this.#dirty.add(slot);
    this.#summary = undefined;
  }

  /** Removes `key`; the last slot's pod moves into its cell. */
  remove(key: string): void {
    const slot = this.#slotOf.get(key);
    if (slot === undefined) return;
    this.#counts[this.#phases[slot]!]!--;
    this.#slotOf.delete(key);
    const last = this.keys.length - 1;
    if (slot !== last) {
      const moved = this.keys[last]!;
      this.keys[slot] = moved;
      this.#phases[slot] = this.#phases[last]!;
      this.#slotOf.set(moved, slot);
      this.#dirty.add(slot);
    }
    this.keys.pop();
    this.#dirty.add(last);
    this.#summary = undefined;
  }

  setPhase(key: string, phase: number): void {
    const slot = this.#slotOf.get(key);
    if (slot === undefined || this.#phases[slot] === phase) return;
    this.#counts[this.#phases[slot]!]!--;
    this.#counts[phase]!++;
    this.#phases[slot] = phase;
    this.#dirty.add(slot);
    this.#summary = undefined;
  }

  /** Marks `key`'s cell for drawing (its look changed, e.g. it was selected). */
  touch(key: string): void {
    const slot = this.#slotOf.get(key);
    if (slot !== undefined) this.#dirty.add(slot);
  }

  clear(): void {
    this.keys.length = 0;
    this.#slotOf.clear();
    this.#counts.fill(0);
    this.#dirty.clear();
    this.#all = true;
    this.#summary = undefined;
  }

  /** Marks every cell for drawing (a new canvas, a new width). */
  invalidate(): void {
    this.#all = true;
  }

  /**
   * What to draw since the last call: `'all'`, or the changed slots (a slot at or past
   * {@link NodeCells.size} is now empty). Resets the record.
   */
  takeDirty(): 'all' | readonly number[] {
    const all = this.#all;
    const slots = all ? [] : [...this.#dirty];
    this.#all = false;
    this.#dirty.clear();
    return all ? 'all' : slots;
  }
}

/** The totals over the cells in view. */
export interface BoardTotals {
  /** Pods in view (in the selected namespace). */
  readonly pods: number;
  readonly phases: PhaseCounts;
  /** Pods in the store, every namespace. */
  readonly all: number;
  readonly resourceVersion: string;
}

/** The index the board filters by: the informer maintains it (see cluster.ts). */
export const NAMESPACE_INDEX = 'namespace';

/** All the cells, by node, for the pods of one namespace (or all). */
export class PodBoard {
  readonly #nodes = new Map<string, NodeCells>();
  readonly #cellsOfKey = new Map<string, NodeCells>();
  readonly #totals = PHASES.map(() => 0);
  readonly #changed = new Set<NodeCells>();
  #namespace = '';
  #snapshot: Snapshot<Pod> | undefined;
  #names: readonly string[] = [];
  #namesStale = true;

  /** The latest snapshot applied, or `undefined` before the first. */
  get snapshot(): Snapshot<Pod> | undefined {
    return this.#snapshot;
  }

  /** The namespace in view; `''` for all. */
  get namespace(): string {
    return this.#namespace;
  }

  /**
   * Applies one Reflection: its deltas, one cell each, or (the first one) the whole snapshot.
   */
  apply(reflection: Reflection<Pod>): void {
    const first = this.#snapshot === undefined;
    this.#snapshot = reflection.snapshot;
    if (first) return this.#fill();
    for (const d of reflection.deltas) {
      if (d.type === 'deleted' || !this.#inView(d.object)) this.#remove(d.key);
      else this.#put(d.key, d.object);
    }
  }

  /** Shows only `namespace` (`''`: all), from the store's namespace index: no relist. */
  setNamespace(namespace: string): void {
    if (namespace === this.#namespace) return;
    this.#namespace = namespace;
    if (this.#snapshot !== undefined) this.#fill();
  }

  /** Forgets everything (a new subscription starts from its first Reflection). */
  reset(): void {
    this.#snapshot = undefined;
    this.#clear();
  }

  node(name: string): NodeCells | undefined {
    return this.#nodes.get(name);
  }

  /** The nodes with pods in view, in natural order; same identity while that set is unchanged. */
  nodeNames(): readonly string[] {
    if (this.#namesStale) {
      const names = [...this.#nodes.values()].filter((n) => n.size > 0).map((n) => n.name).sort(byNodeName);
      if (names.length !== this.#names.length || names.some((n, i) => n !== this.#names[i])) this.#names = Object.freeze(names);
      this.#namesStale = false;
    }
    return this.#names;
  }

  totals(): BoardTotals {
    return {
      pods: this.#cellsOfKey.size,
      phases: Object.freeze([...this.#totals]),
      all: this.#snapshot?.size ?? 0,
      resourceVersion: this.#snapshot?.resourceVersion ?? '',
    };
  }

  /** Marks `key`'s cell for drawing, if it is in view. */
  touch(key: string): void {
    const cells = this.#cellsOfKey.get(key);
    if (cells === undefined) return;
    cells.touch(key);
    this.#changed.add(cells);
  }

  /** The nodes whose cells changed since the last call. */
  takeChanged(): readonly NodeCells[] {
    const changed = [...this.#changed];
    this.#changed.clear();
    return changed;
  }

  #inView(pod: Pod): boolean {
    return this.#namespace === '' || namespaceOf(pod) === this.#namespace;
  }

  #fill(): void {
    this.#clear();
    const snapshot = this.#snapshot!;
    if (this.#namespace === '') {
      for (const [key, pod] of snapshot.entries()) this.#put(key, pod);
    } else {
      for (const key of snapshot.indexKeys(NAMESPACE_INDEX, this.#namespace)) this.#put(key, snapshot.get(key)!);
    }
  }

  #clear(): void {
    for (const cells of this.#nodes.values()) {
      if (cells.size > 0) this.#changed.add(cells);
      cells.clear();
    }
    this.#cellsOfKey.clear();
    this.#totals.fill(0);
    this.#namesStale = true;
  }

  #put(key: string, pod: Pod): void {
    const phase = phaseIndexOf(pod);
    const name = nodeOf(pod);
    const current = this.#cellsOfKey.get(key);
    if (current !== undefined && current.name === name) {
      const slot = current.slotOf(key)!;
      const was = current.phaseAt(slot);
      if (was === phase) return;
      this.#totals[was]!--;
      this.#totals[phase]!++;
      current.setPhase(key, phase);
      this.#changed.add(current);
      return;
    }
    if (current !== undefined) this.#remove(key);
    let cells = this.#nodes.get(name);
    if (cells === undefined) this.#nodes.set(name, (cells = new NodeCells(name)));
    if (cells.size === 0) this.#namesStale = true;
    cells.add(key, phase);
    this.#cellsOfKey.set(key, cells);
    this.#totals[phase]!++;
    this.#changed.add(cells);
  }

  #remove(key: string): void {
    const cells = this.#cellsOfKey.get(key);
    if (cells === undefined) return;
    this.#totals[cells.phaseAt(cells.slotOf(key)!)]!--;
    cells.remove(key);
    this.#cellsOfKey.delete(key);
    if (cells.size === 0) this.#namesStale = true;
    this.#changed.add(cells);
  }
}

const byNodeName = new Intl.Collator('en', { numeric: true }).compare;
