import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { toExternalStore } from '../../../src/informer/external-store.ts';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

// keepAliveMs is the name the informer's option has for the same duration; releaseDelay is its
// deprecated former name, still honoured for one release.
describe('toExternalStore keepAliveMs', () => {
  it('keeps the source subscribed keepAliveMs after the last listener leaves', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectSubscriptions }) => {
      const source = cold<string>('a-b-c');
      const store = toExternalStore(source, { keepAliveMs: 3, scheduler });
      let stop = () => {};
      scheduler.schedule(() => (stop = store.subscribe(() => {})), 1);
      scheduler.schedule(() => stop(), 4);
      expectSubscriptions(source.subscriptions).toBe('-^-----!');
    });
  });

  it('still honours the deprecated releaseDelay, and prefers keepAliveMs when both are given', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectSubscriptions }) => {
      const old = cold<string>('a');
      const both = cold<string>('a');
      const oldStore = toExternalStore(old, { releaseDelay: 2, scheduler });
      const bothStore = toExternalStore(both, { keepAliveMs: 5, releaseDelay: 1, scheduler });
      let stopOld = () => {};
      let stopBoth = () => {};
      scheduler.schedule(() => {
        stopOld = oldStore.subscribe(() => {});
        stopBoth = bothStore.subscribe(() => {});
      }, 1);
      scheduler.schedule(() => {
        stopOld();
        stopBoth();
      }, 2);
      expectSubscriptions(old.subscriptions).toBe('-^--!');
      expectSubscriptions(both.subscriptions).toBe('-^-----!');
    });
  });
});
