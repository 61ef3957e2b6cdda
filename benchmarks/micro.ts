/**
 * Micro-benchmarks of the hot pieces, with mitata:
 *
 *   node --expose-gc benchmarks/micro.ts [--filter REGEX]
 *
 * - line splitting and parsing (src/sources/ndjson.ts) against bare JSON.parse of the same lines;
 * - decodeWatchEvent;
 * - reflect per event at 1k and 100k objects, frozen and not (the cost of one snapshot);
 * - withIndex maintenance per event;
 * - deepFreeze against the JSON.parse that produced the object;
 * - shareStructure (structural sharing) of an update against its previous version.
 *
 * Fixed seed; the data comes from benchmarks/data.ts, like the end-to-end suite.
 */
import { bench, do_not_optimize, group, run, summary } from 'mitata';
import { Subject } from 'rxjs';
import type { KubeObject } from '../src/model/kube-object.ts';
import type { ListWatchEvent } from '../src/model/list-watch-event.ts';
import { reflect } from '../src/operators/reflect.ts';
import { withIndex } from '../src/operators/with-index.ts';
import { NdjsonDecoder } from '../src/sources/ndjson.ts';
import { decodeWatchEvent } from '../src/sources/decode-watch-event.ts';
import { deepFreeze, shareStructure } from '../src/store/freeze.ts';
import { generateDataset, generatePods, modifyPod } from './data.ts';
import { mulberry32 } from '../src/testing/prng.ts';

type Obj = KubeObject & { metadata: Record<string, unknown>; spec?: { nodeName?: string }; status?: unknown };

const filterArg = process.argv.indexOf('--filter');
const filter = filterArg > 0 ? new RegExp(process.argv[filterArg + 1] ?? '') : undefined;

// --- wire bytes: 200 watch events (≈1 MB), as one chunk --------------------------------------
const data = generateDataset(1000, 200, 'full');
const chunk = new Uint8Array(Buffer.concat(data.events as Buffer[]));
const lines = data.events.map((b) => b.toString('utf8', 0, b.length - 1));
const podText = data.items[0]!.toString();
const eventValue = JSON.parse(lines[0]!) as unknown;
const mb = (chunk.length / 1048576).toFixed(2);

group(`NDJSON, ${lines.length} events, ${mb} MB`, () => {
  summary(() => {
    bench('NdjsonDecoder.write (split + decode + JSON.parse)', () => {
      const decoder = new NdjsonDecoder();
      let count = 0;
      decoder.write(chunk, () => count++);
      decoder.end();
      return count;
    });
    bench('split only (indexOf + TextDecoder.decode)', () => {
      const text = new TextDecoder();
      let start = 0;
      let total = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        total += text.decode(chunk.subarray(start, nl)).length;
        start = nl + 1;
      }
      return total;
    });
    bench('JSON.parse of the same lines (pre-decoded strings)', () => {
      for (let i = 0; i < lines.length; i++) do_not_optimize(JSON.parse(lines[i]!));
    });
  });
});

group('one object', () => {
  summary(() => {
    bench('JSON.parse of a 5 KB pod', () => do_not_optimize(JSON.parse(podText)));
    bench('JSON.parse + deepFreeze', () => do_not_optimize(deepFreeze(JSON.parse(podText))));
    bench('JSON.parse + decodeWatchEvent', () => do_not_optimize(decodeWatchEvent(JSON.parse(lines[0]!))));
  });
  bench('decodeWatchEvent (parsed)', () => do_not_optimize(decodeWatchEvent(eventValue)));
});

// --- structural sharing: an update against its frozen previous version -----------------------
{
  const rng = mulberry32(7);
  const previous = deepFreeze(JSON.parse(podText) as Obj);
  const updated = JSON.parse(podText) as Obj & Parameters<typeof modifyPod>[0];
  modifyPod(updated, rng, 999_999);
  const updatedText = JSON.stringify(updated);
  group('update of one pod', () => {
    summary(() => {
      bench('JSON.parse + deepFreeze', () => do_not_optimize(deepFreeze(JSON.parse(updatedText))));
      bench('JSON.parse + shareStructure (frozen)', () => do_not_optimize(shareStructure(previous, JSON.parse(updatedText) as Obj, true)));
      bench('JSON.parse + shareStructure (unfrozen)', () => do_not_optimize(shareStructure(previous, JSON.parse(updatedText) as Obj, false)));
    });
  });
}

// --- reflect and withIndex per event, at 1k and 100k objects ---------------------------------
const big = generatePods(100_000) as Obj[];
const small = big.slice(0, 1000);

interface Pipeline {
  send(): void;
}

/** A store of `pods`, fed one MODIFIED event (fresh top level, metadata and status) per call. */
function pipeline(pods: readonly Obj[], freeze: boolean, indexed: boolean): Pipeline {
  const events = new Subject<ListWatchEvent<Obj>>();
  let out = reflect<Obj>({ freeze })(events);
  if (indexed) out = out.pipe(withIndex<Obj>('node', (p) => p.spec?.nodeName));
  let last: unknown;
  out.subscribe((r) => (last = r.snapshot));
  const items = pods.map((p) => ({ ...p, metadata: { ...p.metadata } }));
  events.next({ type: 'LIST_START', reason: 'initial', mode: 'list' });
  events.next({ type: 'LIST_PAGE', items });
  events.next({ type: 'LIST_DONE', resourceVersion: '1' });
  let rv = 1_000_000;
  let i = 0;
  return {
    send() {
      const p = items[(i = (i + 7919) % items.length)]!;
      events.next({ type: 'MODIFIED', object: { ...p, metadata: { ...p.metadata, resourceVersion: String(++rv) }, status: { ...(p.status as object) } } });
      do_not_optimize(last);
    },
  };
}

const pipelines: [string, Pipeline][] = [];
for (const [label, pods] of [['1k', small], ['100k', big]] as const) {
  pipelines.push([`reflect, unfrozen, ${label} objects`, pipeline(pods, false, false)]);
  pipelines.push([`reflect, frozen, ${label} objects`, pipeline(pods, true, false)]);
  pipelines.push([`reflect + withIndex(node), unfrozen, ${label} objects`, pipeline(pods, false, true)]);
}
group('one watch event through reflect (a new snapshot)', () => {
  summary(() => {
    for (const [name, p] of pipelines) bench(name, () => p.send());
  });
});

await run(filter === undefined ? {} : { filter });
