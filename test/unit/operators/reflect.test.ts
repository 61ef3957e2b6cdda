import { map, mergeAll, Subject, type Observable } from 'rxjs';
import { testScheduler } from '../../support/test-scheduler.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidObjectError, ObjectCallbackError } from '../../../src/model/errors.ts';
import type { ListWatchEvent } from '../../../src/model/list-watch-event.ts';
import type { Reflection } from '../../../src/model/reflection.ts';
import { reflect, type ReflectOptions } from '../../../src/operators/reflect.ts';
import { E, obj, summarize, type Obj } from './reflect-helpers.ts';
import { boom, operatorChecklist } from '../../support/operator-checklist.ts';

/** Feeds events synchronously and collects the Reflections. */
function run(events: ListWatchEvent<Obj>[], options?: ReflectOptions<Obj>): Reflection<Obj>[] {
  const out: Reflection<Obj>[] = [];
  const s = new Subject<ListWatchEvent<Obj>>();
  s.pipe(reflect(options)).subscribe({ next: (r) => out.push(r), error: (e: unknown) => { throw e; } });
  for (const e of events) s.next(e);
  return out;
}

// A function: reflect freezes the objects it stores, so every test needs fresh ones.
const initialList = () => [E.start(), E.page(obj('a', '1'), obj('b', '2')), E.page(obj('c', '3')), E.done('10')];

describe('reflect', () => {
  afterEach(() => vi.unstubAllEnvs());

  describe('marbles', () => {
    // Marble values are arrays of events, so that a whole list bracket fits in one frame.
    const events = (...e: ListWatchEvent<Obj>[]) => e;
    const reflected = (options?: ReflectOptions<Obj>) => (source: Observable<ListWatchEvent<Obj>[]>) => source.pipe(mergeAll(), reflect(options));
    operatorChecklist({
      operator: () => reflected(),
      values: { a: events(E.start(), E.page(obj('a', '1')), E.done('1')), b: events(E.modified(obj('a', '2'))) },
      throwing: () => reflected({ transform: boom }),
    });

    it('emits once at LIST_DONE, then once per watch event, and completes with the source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('sabdwmxk|', {
          s: E.start(),
          a: E.page(obj('a', '1'), obj('b', '2')),
          b: E.page(obj('c', '3')),
          d: E.done('10'),
          w: E.watch('10'),
          m: E.modified(obj('a', '11')),
          x: E.deleted(obj('b', '12')),
          k: E.bookmark('13'),
        });
        expectObservable(source.pipe(reflect(), map(summarize))).toBe('---d-mx-|', {
          d: { rv: '10', objects: { 'ns/a': '1', 'ns/b': '2', 'ns/c': '3' }, deltas: ['added ns/a@1', 'added ns/b@2', 'added ns/c@3'] },
          m: { rv: '11', objects: { 'ns/a': '11', 'ns/b': '2', 'ns/c': '3' }, deltas: ['updated ns/a@11<1'] },
          x: { rv: '12', objects: { 'ns/a': '11', 'ns/c': '3' }, deltas: ['deleted ns/b@12'] },
        });
        expectSubscriptions(source.subscriptions).toBe('^-------!');
      });
    });

    it('keeps a never-ending source subscribed and unsubscribes it on early unsubscribe', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('sd-m-m-m-', { s: E.start(), d: E.done('1'), m: E.added(obj('a', '2')) });
        expectObservable(source.pipe(reflect(), map((r) => r.deltas.length)), '^----!').toBe('-e-m--', { e: 0, m: 1 });
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
    });

    it('errors when keyOf throws, at that event, and unsubscribes from the source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const err = new Error('bad key');
        const source = cold('sd-a-b-', { s: E.start(), d: E.done('1'), a: E.added(obj('a', '2')), b: E.added(obj('boom', '3')) });
        const keyOf = (o: Obj) => {
          if (o.metadata?.name === 'boom') throw err;
          return o.metadata!.name!;
        };
        expectObservable(source.pipe(reflect({ keyOf }), map((r) => r.deltas.length))).toBe('-e-a-#', { e: 0, a: 1 }, err);
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
    });

    it('errors with InvalidObjectError for an object without metadata.name', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('sp-', { s: E.start(), p: E.page({ metadata: { resourceVersion: '1' } }) });
        expectObservable(source.pipe(reflect())).toBe(
          '-#',
          undefined,
          new InvalidObjectError('object has no metadata.name', { metadata: { resourceVersion: '1' } }),
        );
      });
    });
  });

  describe('first sync', () => {
    it('emits nothing before the first LIST_DONE, and drops object events before LIST_START', () => {
      const out = run([E.added(obj('z', '1')), E.bookmark('5'), E.done('6'), E.start(), E.page(obj('a', '1'))]);
      expect(out).toEqual([]);
      const after = run([E.added(obj('z', '1')), E.start(), E.page(obj('a', '1')), E.done('2')]);
      expect(after.map(summarize)).toEqual([{ rv: '2', objects: { 'ns/a': '1' }, deltas: ['added ns/a@1'] }]);
    });

    it('emits an empty Reflection for the first sync of an empty collection, and only then', () => {
      const out = run([E.start(), E.done('5'), E.start('expired'), E.done('6')]);
      expect(out.map(summarize)).toEqual([{ rv: '5', objects: {}, deltas: [] }]);
    });

    it('ignores BACKOFF, and WATCH_START outside a bracket', () => {
      const out = run([E.watch('1'), E.backoff(), E.start(), E.backoff(), E.page(obj('a', '1')), E.backoff(), E.done('2'), E.watch('2'), E.backoff()]);
      expect(out.map(summarize)).toEqual([{ rv: '2', objects: { 'ns/a': '1' }, deltas: ['added ns/a@1'] }]);
    });

    it('WATCH_START abandons an open bracket: later watch events apply to the store', () => {
      const out = run([...initialList(), E.start('expired'), E.page(obj('q', '20')), E.watch('10'), E.modified(obj('a', '21')), E.done('22')]);
      expect(out.map(summarize)[1]).toEqual({ rv: '21', objects: { 'ns/a': '21', 'ns/b': '2', 'ns/c': '3' }, deltas: ['updated ns/a@21<1'] });
      expect(out).toHaveLength(2);
    });

    it('a second LIST_START abandons the first buffer', () => {
      const out = run([E.start(), E.page(obj('a', '1'), obj('b', '1')), E.start(), E.page(obj('c', '2')), E.done('3')]);
      expect(out.map(summarize)).toEqual([{ rv: '3', objects: { 'ns/c': '2' }, deltas: ['added ns/c@2'] }]);
    });

    it('applies watch events inside a streaming bracket to the buffer and ignores bookmarks there', () => {
      const out = run([
        E.start('initial', 'stream'),
        E.added(obj('a', '1')),
        E.added(obj('b', '2')),
        E.modified(obj('a', '3')),
        E.deleted(obj('b', '4')),
        E.bookmark('5'),
        E.added(obj('c', '6')),
        E.done('7'),
      ]);
      expect(out.map(summarize)).toEqual([{ rv: '7', objects: { 'ns/a': '3', 'ns/c': '6' }, deltas: ['added ns/a@3', 'added ns/c@6'] }]);
    });
  });

  describe('watch events', () => {
    it('treats ADDED of a present key as an update and MODIFIED of an absent key as an add', () => {
      const out = run([...initialList(), E.added(obj('a', '11')), E.modified(obj('z', '12'))]);
      expect(out.slice(1).map((r) => summarize(r).deltas)).toEqual([['updated ns/a@11<1'], ['added ns/z@12']]);
    });

    it('emits nothing for an event with the stored resourceVersion, nor for the delete of an unknown key', () => {
      const out = run([...initialList(), E.modified(obj('a', '1')), E.added(obj('b', '2')), E.deleted(obj('nope', '20'))]);
      expect(out).toHaveLength(1);
    });

    it('a bookmark emits nothing; the next snapshot carries its resourceVersion when the event has none', () => {
      const noRv: Obj = { metadata: { name: 'a', namespace: 'ns' } };
      const out = run([...initialList(), E.bookmark('20'), E.modified(noRv)]);
      expect(out).toHaveLength(2);
      expect(out[1]!.snapshot.resourceVersion).toBe('20');
      expect(out[1]!.deltas.map((d) => d.type)).toEqual(['updated']);
    });

    it('takes the resourceVersion of the last event, without comparing numerically', () => {
      const out = run([...initialList(), E.modified(obj('a', '9')), E.modified(obj('b', '100')), E.modified(obj('c', '99'))]);
      expect(out.map((r) => r.snapshot.resourceVersion)).toEqual(['10', '9', '100', '99']);
    });
  });

  describe('relist', () => {
    it('emits deleted (final state unknown) first, then updated and added in list order; unchanged objects make no delta', () => {
      const out = run([
        ...initialList(),
        E.start('expired'),
        E.page(obj('z', '30'), obj('c', '31')),
        E.page(obj('b', '2'), obj('y', '32')),
        E.done('40'),
      ]);
      expect(out.map(summarize)[1]).toEqual({
        rv: '40',
        objects: { 'ns/b': '2', 'ns/c': '31', 'ns/y': '32', 'ns/z': '30' },
        deltas: ['deleted ns/a@1?', 'added ns/z@30', 'updated ns/c@31<3', 'added ns/y@32'],
      });
    });

    it('keeps the identity of objects whose resourceVersion did not change, and does not transform them again', () => {
      const transform = vi.fn((o: Obj) => ({ ...o, spec: { ...o.spec, value: 42 } }));
      const out = run([...initialList(), E.start('expired'), E.page(obj('a', '1'), obj('b', '5'), obj('c', '3')), E.done('40')], { transform });
      const [first, second] = out;
      expect(second!.snapshot.get('ns/a')).toBe(first!.snapshot.get('ns/a'));
      expect(second!.snapshot.get('ns/c')).toBe(first!.snapshot.get('ns/c'));
      expect(second!.snapshot.get('ns/b')!.spec!.value).toBe(42);
      expect(transform).toHaveBeenCalledTimes(4);
    });

    it('emits nothing for a relist that changed nothing, keeps the objects, and later snapshots carry its resourceVersion', () => {
      const noRv: Obj = { metadata: { name: 'new', namespace: 'ns' } };
      const out = run([...initialList(), E.start('expired'), E.page(obj('c', '3'), obj('a', '1'), obj('b', '2')), E.done('50'), E.added(noRv)]);
      expect(out).toHaveLength(2);
      expect(out[1]!.snapshot.resourceVersion).toBe('50');
      expect(out[1]!.snapshot.get('ns/a')).toBe(out[0]!.snapshot.get('ns/a'));
    });

    it('handles a key deleted and re-added inside the bracket, at its first position', () => {
      const out = run([
        ...initialList(),
        E.start('expired', 'stream'),
        E.added(obj('x', '20')),
        E.added(obj('a', '21')),
        E.deleted(obj('x', '22')),
        E.deleted(obj('a', '23')),
        E.added(obj('x', '24')),
        E.done('30'),
      ]);
      const deltas = summarize(out[1]!).deltas;
      expect(deltas.slice(0, 3).sort()).toEqual(['deleted ns/a@1?', 'deleted ns/b@2?', 'deleted ns/c@3?']);
      expect(deltas.slice(3)).toEqual(['added ns/x@24']);
      expect(summarize(out[1]!).objects).toEqual({ 'ns/x': '24' });
    });

    it('a relist that lists a key twice keeps the last object at the first position', () => {
      const out = run([E.start(), E.page(obj('a', '1'), obj('b', '1')), E.page(obj('a', '2')), E.done('3')]);
      expect(summarize(out[0]!).deltas).toEqual(['added ns/a@2', 'added ns/b@1']);
    });
  });

  describe('options', () => {
    it('freezes objects, deltas and Reflections by default', () => {
      const [r] = run(initialList());
      const a = r!.snapshot.get('ns/a')!;
      expect(Object.isFrozen(a)).toBe(true);
      expect(Object.isFrozen(a.spec!.nested)).toBe(true);
      expect(Object.isFrozen(r)).toBe(true);
      expect(Object.isFrozen(r!.deltas)).toBe(true);
      expect(Object.isFrozen(r!.deltas[0])).toBe(true);
      expect(() => {
        (a.metadata as { name: string }).name = 'x';
      }).toThrow(TypeError);
    });

    it('freezes every new part of an update that shares subtrees with the stored version', () => {
      type Loose = Obj & { status?: Record<string, unknown>; extra?: unknown };
      const first = { ...obj('a', '1'), status: { shared: { deep: { x: 1 } }, list: [{ y: 1 }] } } as Loose;
      const out = run([E.start(), E.page(first), E.done('1')]);
      const stored = out[0]!.snapshot.get('ns/a') as Loose;
      const status = stored.status!;
      // Fresh top level, metadata and status; shared subtrees; new objects inside new and shared-path parents.
      const update = {
        ...stored,
        metadata: { ...stored.metadata, resourceVersion: '2' },
        status: { shared: status['shared'], fresh: { z: { w: 1 } }, list: [(status['list'] as unknown[])[0], { y: 2 }] },
        extra: [[{ v: 1 }]],
      } as Loose;
      const next = run([E.start(), E.page(first), E.done('1'), E.modified(update)])[1]!.snapshot.get('ns/a') as Loose;
      expect(next).toBe(update);
      const parts = [next, next.metadata, next.status, next.status!['fresh'], (next.status!['fresh'] as { z: object }).z, next.status!['list'], (next.status!['list'] as object[])[1], next.extra, (next.extra as object[][])[0], (next.extra as object[][])[0]![0]];
      for (const part of parts) expect(Object.isFrozen(part)).toBe(true);
    });

    it('freezes an update whose new parts nest deeper than the stack', () => {
      let deep: Record<string, unknown> = {};
      const root = deep;
      for (let i = 0; i < 50_000; i++) deep = (deep['d'] = {}) as Record<string, unknown>;
      let prevDeep: Record<string, unknown> = {};
      const prevRoot = prevDeep;
      for (let i = 0; i < 50_000; i++) prevDeep = (prevDeep['d'] = {}) as Record<string, unknown>;
      const out = run([E.start(), E.page({ ...obj('a', '1'), spec: prevRoot } as Obj), E.done('1'), E.modified({ ...obj('a', '2'), spec: root } as Obj)]);
      expect(out).toHaveLength(2);
      expect(Object.isFrozen(deep)).toBe(true);
    });

    it('does not freeze with freeze: false, nor by default when NODE_ENV is production', () => {
      expect(Object.isFrozen(run(initialList(), { freeze: false })[0]!.snapshot.get('ns/a'))).toBe(false);
      vi.stubEnv('NODE_ENV', 'production');
      expect(Object.isFrozen(run(initialList())[0]!.snapshot.get('ns/a'))).toBe(false);
    });

    it('with structuralSharing, an update keeps the identity of unchanged subtrees', () => {
      const out = run([...initialList(), E.modified(obj('a', '11'))], { structuralSharing: true });
      const before = out[0]!.snapshot.get('ns/a')!;
      const after = out[1]!.snapshot.get('ns/a')!;
      expect(after.metadata!.resourceVersion).toBe('11');
      expect(after.spec).toBe(before.spec);
      expect(Object.isFrozen(after)).toBe(true);
    });

    it('applies transform to list items and watch objects', () => {
      const transform = (o: Obj): Obj => ({ ...o, spec: { value: -1 } });
      const out = run([...initialList(), E.added(obj('d', '11'))], { transform });
      expect([...out[1]!.snapshot.values()].map((o) => o.spec!.value)).toEqual([-1, -1, -1, -1]);
    });

    it('uses keyOf for keys', () => {
      const out = run(initialList(), { keyOf: (o) => o.metadata!.name!.toUpperCase() });
      expect([...out[0]!.snapshot.keys()].sort()).toEqual(['A', 'B', 'C']);
    });
  });

  it('never changes an emitted snapshot', () => {
    const out = run([...initialList(), E.modified(obj('a', '11')), E.deleted(obj('b', '12')), E.start('expired'), E.page(obj('q', '1')), E.done('20')]);
    expect(summarize(out[0]!)).toEqual({ rv: '10', objects: { 'ns/a': '1', 'ns/b': '2', 'ns/c': '3' }, deltas: ['added ns/a@1', 'added ns/b@2', 'added ns/c@3'] });
    expect(summarize(out[1]!).objects).toEqual({ 'ns/a': '11', 'ns/b': '2', 'ns/c': '3' });
    expect(summarize(out[3]!).objects).toEqual({ 'ns/q': '1' });
  });

  it('each subscription has its own store', () => {
    const s = new Subject<ListWatchEvent<Obj>>();
    const r$ = s.pipe(reflect());
    const a: number[] = [];
    const b: number[] = [];
    r$.subscribe((r) => a.push(r.snapshot.size));
    s.next(E.start());
    r$.subscribe((r) => b.push(r.snapshot.size));
    s.next(E.page(obj('a', '1')));
    s.next(E.done('1'));
    expect(a).toEqual([1]);
    expect(b).toEqual([]);
  });

  describe('one bad object (onObjectError)', () => {
    /** Throws on every object whose spec.value is 13. */
    const transform = (o: Obj): Obj => {
      if (o.spec?.value === 13) throw new TypeError('unlucky');
      return o;
    };
    const nameless = { metadata: { resourceVersion: '7' } } as Obj;

    it('skips an object transform or keyOf throws on, reports it with the key, and goes on', () => {
      const errors: ObjectCallbackError[] = [];
      const out = run([
        E.start(), E.page(obj('a', '1'), obj('b', '2', 13), nameless, obj('c', '3')), E.done('10'),
        E.added(obj('d', '11', 13)),
        E.modified(obj('a', '12')),
      ], { transform, onObjectError: (e) => errors.push(e) });
      expect(out.map(summarize)).toEqual([
        { rv: '10', objects: { 'ns/a': '1', 'ns/c': '3' }, deltas: ['added ns/a@1', 'added ns/c@3'] },
        { rv: '12', objects: { 'ns/a': '12', 'ns/c': '3' }, deltas: ['updated ns/a@12<1'] },
      ]);
      expect(errors.map((e) => [e.name, e.callback, e.key, e.message])).toEqual([
        ['ObjectCallbackError', 'transform', 'ns/b', 'transform threw on ns/b: unlucky'],
        ['ObjectCallbackError', 'keyOf', undefined, 'keyOf threw on an object without a key: object has no metadata.name'],
        ['ObjectCallbackError', 'transform', 'ns/d', 'transform threw on ns/d: unlucky'],
      ]);
      expect(errors[1]?.cause).toBeInstanceOf(InvalidObjectError);
      expect(errors[0]?.object).toEqual(obj('b', '2', 13));
    });

    it('keeps the stored version of a key whose new version it skips: on a watch event, in a relist, on a delete', () => {
      const errors: string[] = [];
      const out = run([
        E.start(), E.page(obj('a', '1'), obj('b', '2')), E.done('10'),
        E.modified(obj('a', '11', 13)),
        E.start('expired'), E.page(obj('a', '12', 13), obj('b', '13')), E.done('20'),
        E.watch('20'), E.deleted(obj('b', '21', 13)),
      ], { transform, onObjectError: (e) => errors.push(`${e.callback} ${e.key}`) });
      expect(out.map(summarize)).toEqual([
        { rv: '10', objects: { 'ns/a': '1', 'ns/b': '2' }, deltas: ['added ns/a@1', 'added ns/b@2'] },
        // The relist keeps a@1 (no false delete) and applies b@13.
        { rv: '20', objects: { 'ns/a': '1', 'ns/b': '13' }, deltas: ['updated ns/b@13<2'] },
      ]);
      expect(errors).toEqual(['transform ns/a', 'transform ns/a', 'transform ns/b']);
    });

    it('errors with what the hook throws, having called it once', () => {
      let calls = 0;
      const rethrow = (e: ObjectCallbackError) => {
        calls += 1;
        throw e;
      };
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('sp-', { s: E.start(), p: E.page(obj('a', '1', 13)) });
        expectObservable(source.pipe(reflect({ transform, onObjectError: rethrow }))).toBe('-#', undefined, expect.objectContaining({ name: 'ObjectCallbackError', key: 'ns/a' }));
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
      expect(calls).toBe(1);
    });

    it('without a hook, errors with what the callback threw', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('sp-', { s: E.start(), p: E.page(obj('a', '1', 13)) });
        expectObservable(source.pipe(reflect({ transform }))).toBe('-#', undefined, new TypeError('unlucky'));
      });
    });
  });
});
