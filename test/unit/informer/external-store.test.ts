import { BehaviorSubject, config, defer, EMPTY, finalize, NEVER, of, Subject, throwError } from 'rxjs';
import { testScheduler } from '../../support/test-scheduler.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toExternalStore } from '../../../src/informer/external-store.ts';
import { FakeInformer, pod } from '../ui/fake-informer.ts';

describe('toExternalStore', () => {
  afterEach(() => {
    config.onUnhandledError = null;
  });

  it('subscribes on the first listener, shares the subscription and releases releaseDelay after the last leaves', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectSubscriptions }) => {
      const source = cold<string>('a-b-c');
      const store = toExternalStore(source, { releaseDelay: 3, scheduler });
      let stop1 = () => {};
      let stop2 = () => {};
      scheduler.schedule(() => (stop1 = store.subscribe(() => {})), 1);
      scheduler.schedule(() => (stop2 = store.subscribe(() => {})), 2);
      scheduler.schedule(() => stop1(), 4);
      scheduler.schedule(() => stop2(), 6);
      expectSubscriptions(source.subscriptions).toBe('-^-------!');
    });
  });

  it('keeps the subscription when a listener arrives within the grace', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectSubscriptions }) => {
      const source = hot<string>('a-b-c-d-e');
      const store = toExternalStore(source, { releaseDelay: 3, scheduler });
      let stop = () => {};
      scheduler.schedule(() => (stop = store.subscribe(() => {})), 1);
      scheduler.schedule(() => stop(), 3);
      scheduler.schedule(() => (stop = store.subscribe(() => {})), 5);
      scheduler.schedule(() => stop(), 6);
      expectSubscriptions(source.subscriptions).toBe('-^-------!');
    });
  });

  it('resubscribes when a listener arrives after the release', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectSubscriptions }) => {
      const source = hot<string>('a-b-c-d-e');
      const store = toExternalStore(source, { releaseDelay: 1, scheduler });
      let stop = () => {};
      scheduler.schedule(() => (stop = store.subscribe(() => {})), 0);
      scheduler.schedule(() => stop(), 1);
      scheduler.schedule(() => (stop = store.subscribe(() => {})), 4);
      scheduler.schedule(() => stop(), 5);
      expectSubscriptions(source.subscriptions).toBe(['^-!', '----^-!']);
    });
  });

  it('notifies listeners only when the value changed and serves it with a stable identity', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectSubscriptions }) => {
      const a = { n: 1 };
      const b = { n: 2 };
      const source = cold('a-a-b-b|', { a, b });
      const store = toExternalStore(source, { scheduler });
      const seen: unknown[] = [];
      const stop = store.subscribe(() => seen.push(store.getSnapshot()));
      scheduler.schedule(() => {
        expect(store.getSnapshot()).toBe(store.getSnapshot());
        stop();
      }, 9);
      expectSubscriptions(source.subscriptions).toBe('^------!');
      scheduler.flush();
      expect(seen).toEqual([a, b]);
      expect(seen[0]).toBe(a);
    });
  });

  it('keeps the last value after the source completes, and forgets it once released', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const store = toExternalStore(cold('a|'), { scheduler });
      const stop = store.subscribe(() => {});
      scheduler.schedule(() => {
        expect(store.getSnapshot()).toBe('a');
        stop();
      }, 3);
      scheduler.schedule(() => expect(store.getSnapshot()).toBeUndefined(), 4);
    });
  });

  it('serves undefined and never notifies for a source that never emits (NEVER, EMPTY)', () => {
    for (const source of [NEVER, EMPTY]) {
      const store = toExternalStore(source);
      const listener = vi.fn();
      const stop = store.subscribe(listener);
      expect(store.getSnapshot()).toBeUndefined();
      expect(store.getError()).toBeUndefined();
      stop();
      expect(listener).not.toHaveBeenCalled();
    }
  });

  it('takes synchronous emissions made while subscribing', () => {
    const store = toExternalStore(of(1, 2, 3));
    const listener = vi.fn();
    store.subscribe(listener);
    expect(store.getSnapshot()).toBe(3);
    expect(listener).toHaveBeenCalledTimes(3);
  });

  it('records a failure, keeps the last value, notifies, and retries after the release', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectSubscriptions }) => {
      const source = cold<string>('a-#', undefined, new Error('boom'));
      const store = toExternalStore(source, { scheduler });
      const listener = vi.fn();
      let stop = store.subscribe(listener);
      scheduler.schedule(() => {
        expect(listener).toHaveBeenCalledTimes(2);
        expect(store.getError()).toEqual(new Error('boom'));
        expect(store.getSnapshot()).toBe('a');
        stop();
      }, 3);
      scheduler.schedule(() => {
        expect(store.getError()).toBeUndefined();
        stop = store.subscribe(listener);
      }, 5);
      expectSubscriptions(source.subscriptions).toBe(['^-!', '-----^-!']);
    });
  });

  it('does not resubscribe to a failed source while listeners remain', () => {
    let subscriptions = 0;
    const store = toExternalStore(defer(() => (subscriptions++, throwError(() => new Error('no')))));
    store.subscribe(() => {});
    store.subscribe(() => {});
    expect(subscriptions).toBe(1);
    expect(store.getError()).toEqual(new Error('no'));
  });

  it('calls every listener when one throws, and reports the error as unhandled', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const reported: unknown[] = [];
      config.onUnhandledError = (e) => reported.push(e);
      const store = toExternalStore(cold('-a'), { scheduler });
      const after = vi.fn();
      store.subscribe(() => {
        throw new Error('listener bug');
      });
      store.subscribe(after);
      scheduler.flush();
      expect(after).toHaveBeenCalledTimes(1);
      expect(store.getSnapshot()).toBe('a');
      expect(reported).toEqual([new Error('listener bug')]);
    });
  });

  it('ignores a second call of the same unsubscribe function', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectSubscriptions }) => {
      const source = hot('a-b-c-d');
      const store = toExternalStore(source, { scheduler });
      const stop1 = store.subscribe(() => {});
      const stop2 = store.subscribe(() => {});
      scheduler.schedule(() => {
        stop1();
        stop1();
      }, 1);
      scheduler.schedule(() => stop2(), 4);
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('releases in a microtask by default, surviving a synchronous unsubscribe/subscribe (StrictMode)', async () => {
    const count = { total: 0, active: 0 };
    const source = defer(() => {
      count.total++;
      count.active++;
      return new BehaviorSubject(1).pipe(finalize(() => count.active--));
    });
    const store = toExternalStore(source);
    store.subscribe(() => {})();
    const stop = store.subscribe(() => {});
    stop();
    expect(count).toEqual({ total: 1, active: 1 });
    await Promise.resolve();
    expect(count).toEqual({ total: 1, active: 0 });
  });

  it('reads an informer snapshot through getSnapshot and subscribes to its snapshot$', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const store = toExternalStore(fake.informer);
    expect(store.getSnapshot()).toBeUndefined(); // nothing holds the informer yet
    const listener = vi.fn();
    const stop = store.subscribe(listener);
    expect(fake.watches).toEqual({ total: 1, active: 1 });
    expect(store.getSnapshot()).toBe(fake.current);
    expect(listener).toHaveBeenCalledTimes(1); // the replayed snapshot
    fake.resync();
    expect(listener).toHaveBeenCalledTimes(1);
    const next = fake.apply(pod('b', '2'));
    expect(store.getSnapshot()).toBe(next);
    expect(listener).toHaveBeenCalledTimes(2);
    stop();
  });

  it('falls back to the current option while it holds no value', () => {
    const subject = new Subject<string>();
    let current = 'x';
    const store = toExternalStore(subject, { current: () => current });
    expect(store.getSnapshot()).toBe('x');
    current = 'y';
    expect(store.getSnapshot()).toBe('y');
    const listener = vi.fn();
    store.subscribe(listener);
    expect(store.getSnapshot()).toBe('y');
    subject.next('z');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.getSnapshot()).toBe('z');
    subject.next('z');
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
