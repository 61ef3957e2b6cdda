import { map, type Observable, type OperatorFunction } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { it } from 'vitest';
import { testScheduler } from './test-scheduler.ts';

/** Builds the operator under test, fresh for each case; `scheduler` is the case's virtual clock. */
export type MakeOperator<I> = (scheduler: TestScheduler) => OperatorFunction<I, unknown>;

/** What {@link operatorChecklist} needs to know about one operator. */
export interface OperatorChecklist<I> {
  /** The operator under test. Time-based operators take `scheduler` (their timers must not fire within 100 frames). */
  operator: MakeOperator<I>;
  /** Input values: `a` makes the operator emit exactly once, in the same frame; `b` is any later input. */
  values: { readonly a: I; readonly b: I };
  /**
   * The throwing-user-callback case: the operator built with a callback that throws
   * `new Error('callback')` (see {@link boom}) on `a`. When the callback runs on something other
   * than a value (a retry policy runs on a source error), give the source marble that makes it run
   * at frame 1, such as `'-#'`. An operator that takes no callback says so, and why, with `none`.
   */
  throwing: MakeOperator<I> | { readonly operator: MakeOperator<I>; readonly source: string } | { readonly none: string };
}

/** The subscriber of a never-ending case leaves after 100 frames, so periodic timers cannot run forever. */
const OPEN = '^ 99ms !';

/**
 * The RxJS CONTRIBUTING checklist for one operator, as marble tests (call it inside the spec's
 * `describe('checklist')`): never, empty, error, values then never-ending, early unsubscribe, a throwing user
 * callback. Every case asserts the source's subscription marbles, so teardown is tested for every
 * operator. Outputs are compared by timing only (each emission is written `x`): what an operator
 * emits is its own spec's business.
 *
 * @example
 * operatorChecklist({ operator: () => filterObjects(() => true), values: { a, b }, throwing: () => filterObjects(boom) });
 */
export function operatorChecklist<I>(spec: OperatorChecklist<I>): void {
  const { operator, values, throwing } = spec;
  const plain = (o: Observable<unknown>): Observable<string> => o.pipe(map(() => 'x'));
  const error = new Error('boom');
  it('never: emits nothing and stays subscribed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<I>('-');
      expectObservable(plain(source.pipe(operator(scheduler))), OPEN).toBe('-');
      expectSubscriptions(source.subscriptions).toBe(OPEN);
    });
  });
  it('empty: completes at once and unsubscribes', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<I>('|');
      expectObservable(plain(source.pipe(operator(scheduler)))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });
  it('error: forwards the source error and unsubscribes', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<I>('--#', undefined, error);
      expectObservable(plain(source.pipe(operator(scheduler)))).toBe('--#', undefined, error);
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });
  it('values then never-ending: emits and stays subscribed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-', values);
      expectObservable(plain(source.pipe(operator(scheduler))), OPEN).toBe('x-', { x: 'x' });
      expectSubscriptions(source.subscriptions).toBe(OPEN);
    });
  });
  it('early unsubscribe: unsubscribes the source', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a---b---|', values);
      expectObservable(plain(source.pipe(operator(scheduler))), '--!').toBe('x-', { x: 'x' });
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });
  // An operator without user callbacks has no sixth case; `none` states why at the call site.
  if ('none' in throwing) return;
  const [make, marble] = 'source' in throwing ? [throwing.operator, throwing.source] : [throwing, '-a-b'];
  it('throwing user callback: errors with the thrown error and unsubscribes', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold(marble, values);
      expectObservable(plain(source.pipe(make(scheduler)))).toBe('-#', undefined, new Error('callback'));
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });
}

/** A user callback that throws `new Error('callback')`, for the checklist's throwing case. */
export function boom(): never {
  throw new Error('callback');
}
