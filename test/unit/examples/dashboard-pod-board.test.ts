/**
 * The dashboard example's cell model (examples/dashboard/src/pod-board.ts): a canvas kept up to
 * date by drawing only the cells the board reports as changed must always equal a canvas drawn from
 * scratch from the snapshot, and one pod's change must touch one cell (two for a delete).
 */
import { from, toArray, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { reflect, withIndex } from '../../../src/index.ts';
import type { ListWatchEvent, Reflection } from '../../../src/index.ts';
import { mulberry32 } from '../../../src/testing/index.ts';
import { NAMESPACE_INDEX, PodBoard } from '../../../examples/dashboard/src/pod-board.ts';
import { namespaceOf, nodeOf, PHASES, phaseIndexOf, type Pod } from '../../../examples/dashboard/src/pod.ts';

const NAMESPACES = ['a', 'b', 'c'];
const NODES = ['node-0', 'node-1', 'node-2', 'node-3'];

const pod = (name: string, namespace: string, node: string, phase: string, rv: number): Pod => ({
  metadata: { name, namespace, resourceVersion: String(rv) },
  spec: { nodeName: node },
  status: { phase },
});

/** The reflections of `events`, through the same stages as the example's informer. */
async function reflections(events: readonly ListWatchEvent<Pod>[]): Promise<Reflection<Pod>[]> {
  return lastValueFrom(from(events).pipe(reflect<Pod>(), withIndex(NAMESPACE_INDEX, namespaceOf), toArray()));
}

/** A list of `n` pods, then `changes` random adds, phase changes, node moves and deletes. */
function script(seed: number, n: number, changes: number): ListWatchEvent<Pod>[] {
  const rng = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const live = new Map<string, Pod>();
  let rv = 1;
  let next = 0;
  const fresh = (): Pod => {
    const p = pod(`p${next++}`, pick(NAMESPACES), pick(NODES), pick(PHASES), ++rv);
    live.set(`${p.metadata!.namespace}/${p.metadata!.name}`, p);
    return p;
  };
  const items = Array.from({ length: n }, fresh);
  const events: ListWatchEvent<Pod>[] = [
    { type: 'LIST_START', reason: 'initial', mode: 'list' },
    { type: 'LIST_PAGE', items },
    { type: 'LIST_DONE', resourceVersion: String(rv) },
    { type: 'WATCH_START', resourceVersion: String(rv) },
  ];
  for (let i = 0; i < changes; i++) {
    const r = rng();
    if (r < 0.25 || live.size === 0) {
      events.push({ type: 'ADDED', object: fresh() });
      continue;
    }
    const [key, old] = pick([...live.entries()]);
    if (r < 0.45) {
      live.delete(key);
      events.push({ type: 'DELETED', object: { ...old, metadata: { ...old.metadata, resourceVersion: String(++rv) } } });
    } else {
      const moved = r < 0.55;
      const updated = pod(old.metadata!.name!, old.metadata!.namespace!, moved ? pick(NODES) : nodeOf(old), moved ? old.status!.phase! : pick(PHASES), ++rv);
      live.set(key, updated);
      events.push({ type: 'MODIFIED', object: updated });
    }
  }
  return events;
}

/** A canvas per node: the phase index drawn in each cell, -1 for an empty one. */
type Canvases = Map<string, number[]>;

/** Draws what the board reports as changed since the last draw, as view.ts does. */
function drawChanged(board: PodBoard, canvases: Canvases): number {
  let drawn = 0;
  for (const cells of board.takeChanged()) {
    let canvas = canvases.get(cells.name);
    if (canvas === undefined) canvases.set(cells.name, (canvas = []));
    const dirty = cells.takeDirty();
    const slots = dirty === 'all' ? [...canvas.keys(), ...Array.from({ length: cells.size }, (_, i) => i)] : dirty;
    for (const slot of slots) {
      canvas[slot] = slot < cells.size ? cells.phaseAt(slot) : -1;
      drawn++;
    }
  }
  return drawn;
}

/** What the canvases must show for `namespace`: per node, the sorted phases of its pods. */
function expected(reflection: Reflection<Pod>, namespace: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const p of reflection.snapshot.values()) {
    if (namespace !== '' && namespaceOf(p) !== namespace) continue;
    (out[nodeOf(p)] ??= []).push(phaseIndexOf(p));
  }
  for (const phases of Object.values(out)) phases.sort();
  return out;
}

function shown(canvases: Canvases): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [node, canvas] of canvases) {
    const phases = canvas.filter((p) => p >= 0).sort();
    if (phases.length > 0) out[node] = phases;
    // Every drawn cell comes before every empty one: cells stay dense.
    const firstEmpty = canvas.indexOf(-1);
    if (firstEmpty >= 0) expect(canvas.slice(firstEmpty).every((p) => p === -1)).toBe(true);
  }
  return out;
}

describe('dashboard PodBoard', () => {
  it('keeps incrementally drawn canvases equal to the snapshot through random changes, batched per frame, and namespace switches', async () => {
    for (const seed of [1, 2, 3]) {
      const all = await reflections(script(seed, 200, 1_500));
      const board = new PodBoard();
      const canvases: Canvases = new Map();
      const rng = mulberry32(seed + 100);
      let i = 0;
      while (i < all.length) {
        // One "frame": several reflections folded into one (their deltas in order, the last snapshot).
        const batch = all.slice(i, i + 1 + Math.floor(rng() * 8));
        i += batch.length;
        board.apply({ snapshot: batch.at(-1)!.snapshot, deltas: batch.flatMap((r) => r.deltas) });
        if (rng() < 0.05) board.setNamespace(rng() < 0.25 ? '' : NAMESPACES[Math.floor(rng() * NAMESPACES.length)]!);
        drawChanged(board, canvases);
        expect(shown(canvases)).toEqual(expected(batch.at(-1)!, board.namespace));
        const totals = board.totals();
        const want = expected(batch.at(-1)!, board.namespace);
        expect(totals.pods).toBe(Object.values(want).reduce((a, p) => a + p.length, 0));
        for (const name of board.nodeNames()) {
          const counts = board.node(name)!.summary().counts;
          expect(counts.map((c, phase) => want[name]!.filter((p) => p === phase).length)).toEqual([...counts]);
        }
        expect(board.nodeNames()).toEqual(Object.keys(want).sort());
      }
    }
  });

  it('draws one cell for a phase change, two for a delete, one for an add, and nothing for an unchanged phase', async () => {
    const items = [pod('x', 'a', 'node-0', 'Running', 2), pod('y', 'a', 'node-0', 'Pending', 3), pod('z', 'a', 'node-0', 'Running', 4)];
    const list: ListWatchEvent<Pod>[] = [
      { type: 'LIST_START', reason: 'initial', mode: 'list' },
      { type: 'LIST_PAGE', items },
      { type: 'LIST_DONE', resourceVersion: '4' },
    ];
    // The pod in the first cell (cells follow the snapshot's order): deleting it moves the last one.
    const probe = new PodBoard();
    probe.apply((await reflections(list))[0]!);
    const victim = probe.node('node-0')!.keys[0]!.split('/')[1]!;
    const other = ['x', 'y', 'z'].find((n) => n !== victim)!;
    const [first, phase, same, deleted, added] = await reflections([
      ...list,
      { type: 'MODIFIED', object: pod(other, 'a', 'node-0', 'Failed', 5) },
      { type: 'MODIFIED', object: { ...pod(other, 'a', 'node-0', 'Failed', 6), metadata: { name: other, namespace: 'a', resourceVersion: '6', labels: { l: '1' } } } },
      { type: 'DELETED', object: pod(victim, 'a', 'node-0', 'Running', 7) },
      { type: 'ADDED', object: pod('w', 'a', 'node-0', 'Succeeded', 8) },
    ]);
    const board = new PodBoard();
    const canvases: Canvases = new Map();
    board.apply(first!);
    expect(drawChanged(board, canvases)).toBe(3);
    board.apply(phase!);
    expect(drawChanged(board, canvases)).toBe(1);
    const summary = board.node('node-0')!.summary();
    board.apply(same!);
    expect(drawChanged(board, canvases)).toBe(0);
    expect(board.node('node-0')!.summary()).toBe(summary); // unchanged counts keep their identity: no re-render
    board.apply(deleted!);
    expect(drawChanged(board, canvases)).toBe(2); // the last pod moves into the deleted one's cell, its old cell is cleared
    board.apply(added!);
    expect(drawChanged(board, canvases)).toBe(1);
    expect(shown(canvases)).toEqual(expected(added!, ''));
    board.touch('a/w'); // selected in the detail pane: its cell is drawn again, outlined
    expect(board.takeChanged().map((n) => n.name)).toEqual(['node-0']);
    expect(board.node('node-0')!.takeDirty()).toEqual([board.node('node-0')!.slotOf('a/w')]);
    board.touch('a/nope');
    expect(board.takeChanged()).toEqual([]);
  });

  it('switches namespace from the index, without a new list: only that namespace is shown, and back', async () => {
    const [first] = await reflections([
      { type: 'LIST_START', reason: 'initial', mode: 'list' },
      { type: 'LIST_PAGE', items: [pod('x', 'a', 'node-0', 'Running', 2), pod('y', 'b', 'node-1', 'Pending', 3), pod('z', 'b', 'node-0', 'Failed', 4)] },
      { type: 'LIST_DONE', resourceVersion: '4' },
    ]);
    const board = new PodBoard();
    board.apply(first!);
    board.setNamespace('b');
    expect(board.totals()).toMatchObject({ pods: 2, all: 3 });
    expect(board.nodeNames()).toEqual(['node-0', 'node-1']);
    expect(board.node('node-0')!.keys).toEqual(['b/z']);
    board.setNamespace('a');
    expect(board.nodeNames()).toEqual(['node-0']);
    board.setNamespace('nope');
    expect(board.totals().pods).toBe(0);
    expect(board.nodeNames()).toEqual([]);
    board.setNamespace('');
    expect(board.totals().pods).toBe(3);
  });
});
