import { map, of, Subject } from 'rxjs';
import { testScheduler } from '../../support/test-scheduler.ts';
import { describe, expect, it } from 'vitest';
import { IndexConflictError, UnknownIndexError } from '../../../src/model/errors.ts';
import type { ListWatchEvent } from '../../../src/model/list-watch-event.ts';
import type { Reflection, Snapshot } from '../../../src/model/reflection.ts';
import { reflect } from '../../../src/operators/reflect.ts';
import { namespaceIndex, withIndex } from '../../../src/operators/with-index.ts';
import { E, type Obj } from './reflect-helpers.ts';
import { boom, operatorChecklist } from '../../support/operator-checklist.ts';

const pod = (ns: string, name: string, rv: string, app?: string | string[]): Obj & { app?: string | string[] } => ({
  metadata: { name, namespace: ns, resourceVersion: rv },
  ...(app === undefined ? {} : { app }),
});
type Pod = ReturnType<typeof pod>;
const byApp = (o: Pod) => o.app;

function names(s: Snapshot<Pod>, index: string, value: string): string[] {
  return s.byIndex(index, value).map((o) => o.metadata!.name!).sort();
}

function run(events: ListWatchEvent<Pod>[]): Reflection<Pod>[] {
  const out: Reflection<Pod>[] = [];
  const s = new Subject<ListWatchEvent<Pod>>();
  s.pipe(reflect<Pod>(), withIndex('app', byApp), withIndex('namespace', namespaceIndex)).subscribe((r) => out.push(r));
  for (const e of events) s.next(e);
  return out;
}

const list = (): ListWatchEvent<Pod>[] => [
  E.start(),
  E.page(pod('a', 'p1', '1', 'web'), pod('a', 'p2', '2', ['web', 'db']), pod('b', 'p3', '3'), { metadata: { name: 'node', resourceVersion: '4' } }),
  E.done('5'),
];

describe('withIndex', () => {
  describe('marbles', () => {
    const r1 = () => {
      let out: Reflection<Pod> | undefined;
      of(...list()).pipe(reflect<Pod>()).subscribe((r) => (out = r));
      return out!;
    };

    operatorChecklist<Reflection<Pod>>({ operator: () => withIndex('app', byApp), values: { a: r1(), b: r1() }, throwing: () => withIndex('app', boom) });

    it('passes deltas through with an indexed snapshot, and unsubscribes early', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const r = r1();
        const source = cold('-r-r-', { r });
        expectObservable(
          source.pipe(
            withIndex('app', byApp),
            map((x) => ({ n: x.deltas.length, web: names(x.snapshot, 'app', 'web') })),
          ),
          '^--!',
        ).toBe('-x-', { x: { n: 4, web: ['p1', 'p2'] } });
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('errors with IndexConflictError when the name is taken upstream', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-r-', { r: r1() });
        expectObservable(source.pipe(withIndex('app', byApp), withIndex('app', byApp))).toBe('-#', undefined, new IndexConflictError('app'));
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    });
  });

  it('builds multi-valued indexes; composed indexes all answer', () => {
    const [r] = run(list());
    const s = r!.snapshot;
    expect(names(s, 'app', 'web')).toEqual(['p1', 'p2']);
    expect(names(s, 'app', 'db')).toEqual(['p2']);
    expect(names(s, 'namespace', 'a')).toEqual(['p1', 'p2']);
    expect(s.indexKeys('namespace', 'b')).toEqual(['b/p3']);
    expect([...s.indexValues('namespace')].sort()).toEqual(['a', 'b']);
    expect(() => s.byIndex('nope', 'x')).toThrow(UnknownIndexError);
    expect(s.get('a/p1')).toBe(s.byIndex('app', 'web').find((o) => o.metadata!.name === 'p1'));
  });

  it('maintains indexes incrementally across updates, deletes and relists', () => {
    const out = run([
      ...list(),
      E.modified(pod('a', 'p1', '6', 'db')),
      E.deleted(pod('a', 'p2', '7', ['web', 'db'])),
      E.added(pod('c', 'p4', '8', 'web')),
      E.start('expired'),
      E.page(pod('c', 'p4', '8', 'web'), pod('a', 'p1', '9', 'cache')),
      E.done('10'),
    ]);
    const [s0, s1, s2, s3, s4] = out.map((r) => r.snapshot);
    expect(names(s1!, 'app', 'db')).toEqual(['p1', 'p2']);
    expect(names(s1!, 'app', 'web')).toEqual(['p2']);
    expect(names(s2!, 'app', 'web')).toEqual([]);
    expect([...s2!.indexValues('app')]).toEqual(['db']);
    expect(names(s3!, 'namespace', 'c')).toEqual(['p4']);
    expect([...s4!.indexValues('app')].sort()).toEqual(['cache', 'web']);
    expect([...s4!.indexValues('namespace')].sort()).toEqual(['a', 'c']);
    // Older snapshots keep their own index versions.
    expect(names(s0!, 'app', 'web')).toEqual(['p1', 'p2']);
    expect(s4!.byIndex('app', 'cache')[0]).toBe(s4!.get('a/p1'));
  });

  it('indexes snapshots of other implementations by wrapping them', () => {
    const objects = new Map([['x', pod('n', 'x', '1', 'web')]]);
    const foreign: Snapshot<Pod> = {
      resourceVersion: '1',
      size: 1,
      get: (k) => objects.get(k),
      has: (k) => objects.has(k),
      keys: () => objects.keys(),
      values: () => objects.values(),
      entries: () => objects.entries(),
      byIndex: (index) => {
        throw new UnknownIndexError(index);
      },
      indexKeys: (index) => {
        throw new UnknownIndexError(index);
      },
      indexValues: (index) => {
        throw new UnknownIndexError(index);
      },
    };
    let out: Reflection<Pod> | undefined;
    of({ snapshot: foreign, deltas: [{ type: 'added' as const, key: 'x', object: objects.get('x')! }] })
      .pipe(withIndex('app', byApp), withIndex('ns', namespaceIndex))
      .subscribe((r) => (out = r));
    expect(names(out!.snapshot, 'app', 'web')).toEqual(['x']);
    expect(out!.snapshot.indexKeys('ns', 'n')).toEqual(['x']);
    expect(out!.snapshot.get('x')).toBe(objects.get('x'));
  });

  describe('one bad object (onObjectError)', () => {
    const picky = (o: Pod) => {
      if (o.metadata?.name === 'p2') throw new RangeError('no app for p2');
      return o.app;
    };

    it('leaves the object out of that index only, reports it, and goes on', () => {
      const errors: string[] = [];
      const out: Reflection<Pod>[] = [];
      const s = new Subject<ListWatchEvent<Pod>>();
      s.pipe(reflect<Pod>(), withIndex('app', picky, { onObjectError: (e) => errors.push(`${e.callback} ${e.index} ${e.key}: ${e.message}`) }), withIndex('namespace', namespaceIndex))
        .subscribe({ next: (r) => out.push(r), error: (e: unknown) => { throw e; } });
      for (const e of list()) s.next(e);
      s.next(E.modified(pod('a', 'p1', '6', 'db')));
      const last = out.at(-1)!.snapshot;
      expect(out).toHaveLength(2);
      expect(names(last, 'app', 'db')).toEqual(['p1']);
      expect(names(last, 'app', 'web')).toEqual([]);
      expect(names(last, 'namespace', 'a')).toEqual(['p1', 'p2']);
      expect(last.get('a/p2')).toBeDefined();
      expect(errors[0]).toBe('index app a/p2: index function "app" threw on a/p2: no app for p2');
    });

    it('errors with what the hook throws', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        let r: Reflection<Pod> | undefined;
        of(...list()).pipe(reflect<Pod>()).subscribe((x) => (r = x));
        const source = cold('-r-', { r: r! });
        const stop = new Error('stop');
        expectObservable(source.pipe(withIndex('app', picky, { onObjectError: () => { throw stop; } }))).toBe('-#', undefined, stop);
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    });
  });
});
