/**
 * The benchmark's data: N pods as they would be listed, then M watch events, from one seeded
 * generator, so the replayer and the in-process scenarios see the same objects.
 *
 * Pods come from `generatePod` (rxkube/testing) with the fields a server sets (uid,
 * resourceVersion, creationTimestamp) and are trimmed to a mean of ≈5.1 KB of JSON (at most two
 * containers, no imageID, one annotation fewer): generatePod's mean is 5.7 KB, at which an
 * unpaginated list of 100,000 pods (what @kubernetes/client-node's informer requests) would be
 * longer than V8's largest string (2^29 − 24 characters) and the peer could not be measured at all.
 */
import { generatePod, mulberry32 } from '../src/testing/index.ts';
import type { KubeObject } from '../src/model/kube-object.ts';
import type { Rng } from '../src/testing/prng.ts';

/** Seed of every data set. */
export const SEED = 20_260_101;
/** Namespaces the pods are spread over. */
export const NAMESPACES = 50;
/** Nodes the pods are spread over (also the right side of the join scenario). */
export const NODES = 1000;

/** How objects are represented on the wire. */
export type Form = 'full' | 'metadata';

/** The pre-serialised bytes of one (N, M, form). */
export interface Dataset {
  readonly n: number;
  readonly m: number;
  readonly form: Form;
  /** resourceVersion of the initial list. */
  readonly listRv: string;
  /** The N listed objects, one JSON document each. */
  readonly items: readonly Buffer[];
  /** The M watch events, NDJSON, one line each (ends with a newline). */
  readonly events: readonly Buffer[];
  /** The state after the M events (what a relist after 410 returns). */
  readonly finalItems: readonly Buffer[];
  /** resourceVersion of `finalItems`. */
  readonly finalRv: string;
  /** Event counts by type. */
  readonly mix: Readonly<Record<string, number>>;
}

/** A generated pod, mutable (the generator edits it between serialisations). */
export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
}

function uid(rng: Rng): string {
  const h = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(rng() * 16).toString(16);
    return s;
  };
  return `${h(8)}-${h(4)}-4${h(3)}-a${h(3)}-${h(12)}`;
}

/** The i-th pod of a data set, with server-set fields, trimmed to ≈5 KB (see the module comment). */
export function benchPod(rng: Rng, i: number, resourceVersion: number): Pod {
  const pod = generatePod(rng, i, { namespace: `ns-${i % NAMESPACES}`, nodeCount: NODES }) as unknown as Pod;
  const containers = pod.spec['containers'] as unknown[];
  const statuses = pod.status['containerStatuses'] as Record<string, unknown>[];
  if (containers.length > 2) containers.length = 2;
  if (statuses.length > 2) statuses.length = 2;
  for (const cs of statuses) delete cs['imageID'];
  delete (pod.metadata['annotations'] as Record<string, string>)['sidecar.example.com/config-hash'];
  pod.metadata['uid'] = uid(rng);
  pod.metadata['resourceVersion'] = String(resourceVersion);
  pod.metadata['creationTimestamp'] = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return pod;
}

/** The wire form of an object. */
export function serialise(obj: KubeObject | Pod, form: Form): string {
  if (form === 'full') return JSON.stringify(obj);
  return JSON.stringify({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata });
}

/** Changes what a kubelet status update changes, and the resourceVersion. */
export function modifyPod(pod: Pod, rng: Rng, resourceVersion: number): void {
  pod.metadata['resourceVersion'] = String(resourceVersion);
  const statuses = pod.status['containerStatuses'] as Record<string, unknown>[];
  const cs = statuses[Math.floor(rng() * statuses.length)];
  if (cs !== undefined) cs['restartCount'] = (cs['restartCount'] as number) + 1;
  const conditions = pod.status['conditions'] as Record<string, unknown>[];
  const when = new Date(Date.UTC(2026, 0, 2) + resourceVersion * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const c of conditions) if (c['type'] === 'Ready' || c['type'] === 'ContainersReady') c['lastTransitionTime'] = when;
}

/**
 * Generates a data set: N pods (resourceVersions 1…N, the list at N), then M events with
 * resourceVersions N+1…N+M: 90 % MODIFIED (a status change of a random live pod), 5 % ADDED (a
 * new pod), 5 % DELETED (a random live pod, final state with a new resourceVersion). Every event
 * changes the store, so every consumer sees exactly M changes.
 */
export function generateDataset(n: number, m: number, form: Form): Dataset {
  const rng = mulberry32(SEED);
  const live: Pod[] = [];
  const position = new Map<Pod, number>();
  const items: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const pod = benchPod(rng, i, i + 1);
    position.set(pod, live.length);
    live.push(pod);
    items.push(Buffer.from(serialise(pod, form)));
  }
  const events: Buffer[] = [];
  const mix: Record<string, number> = { ADDED: 0, MODIFIED: 0, DELETED: 0 };
  let next = n;
  let rv = n;
  for (let e = 0; e < m; e++) {
    rv++;
    const r = rng();
    let type: 'ADDED' | 'MODIFIED' | 'DELETED';
    let pod: Pod;
    if (r < 0.05 && live.length > 1) {
      type = 'DELETED';
      const at = Math.floor(rng() * live.length);
      pod = live[at]!;
      const last = live.pop()!;
      if (last !== pod) {
        live[at] = last;
        position.set(last, at);
      }
      position.delete(pod);
      pod.metadata['resourceVersion'] = String(rv);
    } else if (r < 0.1 || live.length === 0) {
      type = 'ADDED';
      pod = benchPod(rng, next++, rv);
      position.set(pod, live.length);
      live.push(pod);
    } else {
      type = 'MODIFIED';
      pod = live[Math.floor(rng() * live.length)]!;
      modifyPod(pod, rng, rv);
    }
    mix[type] = (mix[type] ?? 0) + 1;
    events.push(Buffer.from(`{"type":"${type}","object":${serialise(pod, form)}}\n`));
  }
  const finalItems = live.map((p) => Buffer.from(serialise(p, form)));
  return { n, m, form, listRv: String(n), items, events, finalItems, finalRv: String(rv), mix };
}

/** The i-th pod, parsed (for in-process scenarios: no wire, no replayer). */
export function generatePods(n: number): Pod[] {
  const rng = mulberry32(SEED);
  const pods: Pod[] = [];
  for (let i = 0; i < n; i++) pods.push(benchPod(rng, i, i + 1));
  return pods;
}

/** How many generated pods the big data sets (scenario `bigsync`) clone. */
export const BIG_TEMPLATES = 2000;

/** A slot of an {@link ItemTemplate}: what differs between clones. */
type Slot = 'name' | 'uid' | 'rv';

/** A serialised object cut at its name, uid and resourceVersion, to be cloned by filling them in. */
export interface ItemTemplate {
  /** The JSON around the slots: one more piece than there are slots. */
  readonly pieces: readonly Buffer[];
  /** What goes between `pieces[k]` and `pieces[k + 1]`. */
  readonly slots: readonly Slot[];
  /** metadata.name of the generated pod; clone i is named `${name}-${i}`. */
  readonly name: string;
}

const SENTINEL: Readonly<Record<Slot, string>> = { name: '@@NAME@@', uid: '@@UID@@', rv: '@@RV@@' };

/**
 * The big data sets do not call `generatePod` N times (a million pods would take minutes and
 * gigabytes to keep): they serialise {@link BIG_TEMPLATES} generated pods once, with sentinels in
 * place of metadata.name, uid and resourceVersion, and clone item i from template `i mod count`
 * by string templating: name `<template name>-<i>` (so every namespace/name is distinct), uid
 * from i, resourceVersion i + 1. Every other byte is the template's.
 */
export function itemTemplates(form: Form, count = BIG_TEMPLATES): ItemTemplate[] {
  return generatePods(count).map((pod) => {
    const name = pod.metadata['name'] as string;
    pod.metadata['name'] = SENTINEL.name;
    pod.metadata['uid'] = SENTINEL.uid;
    pod.metadata['resourceVersion'] = SENTINEL.rv;
    const text = serialise(pod, form);
    const cut = /@@(NAME|UID|RV)@@/g;
    const pieces: Buffer[] = [];
    const slots: Slot[] = [];
    let from = 0;
    for (let m = cut.exec(text); m !== null; m = cut.exec(text)) {
      pieces.push(Buffer.from(text.slice(from, m.index)));
      slots.push(m[1] === 'NAME' ? 'name' : m[1] === 'UID' ? 'uid' : 'rv');
      from = m.index + m[0].length;
    }
    pieces.push(Buffer.from(text.slice(from)));
    return { pieces, slots, name };
  });
}

function slotValue(t: ItemTemplate, slot: Slot, i: number): string {
  if (slot === 'name') return `${t.name}-${i}`;
  if (slot === 'uid') return `b16b0000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  return String(i + 1);
}

/** Bytes of the comma-separated items `[0, n)` of {@link clonedItems}, without building them. */
export function clonedItemsBytes(templates: readonly ItemTemplate[], n: number): number {
  const fixed = templates.map((t) => t.pieces.reduce((sum, p) => sum + p.length, 0));
  let bytes = Math.max(0, n - 1);
  for (let i = 0; i < n; i++) {
    const k = i % templates.length;
    const t = templates[k]!;
    bytes += fixed[k]!;
    for (const slot of t.slots) bytes += Buffer.byteLength(slotValue(t, slot, i));
  }
  return bytes;
}

/**
 * Items `[0, n)` cloned from `templates`, comma-separated (the inside of a list's `items` array),
 * in Buffers of about `chunkBytes`: memory stays at one chunk however large n is.
 */
export function* clonedItems(templates: readonly ItemTemplate[], n: number, chunkBytes = 1 << 20): Generator<Buffer> {
  const comma = Buffer.from(',');
  let parts: Buffer[] = [];
  let bytes = 0;
  const push = (b: Buffer): void => {
    parts.push(b);
    bytes += b.length;
  };
  for (let i = 0; i < n; i++) {
    const t = templates[i % templates.length]!;
    if (i > 0) push(comma);
    for (let k = 0; k < t.slots.length; k++) {
      push(t.pieces[k]!);
      push(Buffer.from(slotValue(t, t.slots[k]!, i)));
    }
    push(t.pieces[t.slots.length]!);
    if (bytes >= chunkBytes) {
      yield Buffer.concat(parts, bytes);
      parts = [];
      bytes = 0;
    }
  }
  if (bytes > 0) yield Buffer.concat(parts, bytes);
}
