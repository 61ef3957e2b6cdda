// @vitest-environment happy-dom
import '@angular/compiler';
import { computed, createEnvironmentInjector, EnvironmentInjector, runInInjectionContext, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InformerStatus, Snapshot } from '../../../src/index.ts';
import { objectSignal, selectSignal, snapshotSignal, statusSignal } from '../../../src/angular/index.ts';
import { countedReflections, FakeInformer, pod, reflectionOf } from '../ui/fake-informer.ts';
import type { Pod } from '../ui/fake-informer.ts';

beforeAll(() => {
  TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting());
});

/** A child injector to run factories in, and to destroy (as a component's would be). */
const newContext = (): EnvironmentInjector => createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));

const sortedNames = (s: Snapshot<Pod>) => [...s.values()].map((p) => p.metadata?.name ?? '').sort();
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

describe('snapshotSignal', () => {
  it('follows the informer and ends its subscription when the injector is destroyed', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const context = newContext();
    const snapshot = runInInjectionContext(context, () => snapshotSignal(fake.informer));
    expect(fake.watches).toEqual({ total: 1, active: 1 });
    expect(snapshot()).toBe(fake.current);
    const next = fake.apply(pod('b', '2'));
    expect(snapshot()).toBe(next);
    context.destroy();
    expect(fake.watches).toEqual({ total: 1, active: 0 });
  });

  it('keeps its value, and does not dirty consumers, when the state did not change', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const context = newContext();
    const snapshot = runInInjectionContext(context, () => snapshotSignal(fake.informer));
    let runs = 0;
    const size = computed(() => (runs++, snapshot()?.size));
    size();
    fake.resync();
    size();
    expect(runs).toBe(1);
    fake.apply(pod('b', '2'));
    expect(size()).toBe(2);
    expect(runs).toBe(2);
    context.destroy();
  });

  it('refuses to run outside an injection context, naming itself', () => {
    const fake = new FakeInformer();
    expect(() => snapshotSignal(fake.informer)).toThrow(/snapshotSignal/);
    expect(fake.watches.total).toBe(0);
  });

  it('runs anywhere with an injector option, cleaned up by that injector', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const injector = newContext();
    const snapshot = snapshotSignal(fake.informer, { injector });
    expect(snapshot()?.size).toBe(1);
    injector.destroy();
    expect(fake.watches.active).toBe(0);
  });

  it('shares one subscription to an Observable of reflections among signals, and ends it on destroy', () => {
    const { source$, subject, count } = countedReflections();
    const context = newContext();
    const [one, two] = runInInjectionContext(context, () => [snapshotSignal(source$), snapshotSignal(source$)]);
    expect(count).toEqual({ total: 1, active: 1 });
    expect(one?.()).toBeUndefined();
    const reflection = reflectionOf([pod('a', '1')], '1');
    subject.next(reflection);
    expect(one?.()).toBe(reflection.snapshot);
    expect(two?.()).toBe(reflection.snapshot);
    context.destroy();
    expect(count.active).toBe(0);
  });

  it("throws the source's error when read", () => {
    const { source$, subject } = countedReflections();
    const context = newContext();
    const snapshot = runInInjectionContext(context, () => snapshotSignal(source$));
    subject.error(new Error('forbidden'));
    expect(() => snapshot()).toThrow('forbidden');
    context.destroy();
  });
});

describe('selectSignal', () => {
  it('notifies consumers only when the selection changed according to equal', () => {
    const fake = new FakeInformer([pod('a', '1'), pod('b', '1')]);
    const context = newContext();
    const names = runInInjectionContext(context, () => selectSignal(fake.informer, sortedNames, sameList));
    let runs = 0;
    const label = computed(() => (runs++, names()?.join(',')));
    expect(label()).toBe('a,b');
    const first = names();
    fake.apply(pod('a', '2'));
    expect(label()).toBe('a,b');
    expect(names()).toBe(first);
    expect(runs).toBe(1);
    fake.apply(pod('c', '3'));
    expect(label()).toBe('a,b,c');
    expect(runs).toBe(2);
    context.destroy();
    expect(fake.watches.active).toBe(0);
  });

  it('is undefined without calling the selector before the first list', () => {
    const fake = new FakeInformer();
    let calls = 0;
    const context = newContext();
    const size = runInInjectionContext(context, () => selectSignal(fake.informer, (s) => (calls++, s.size)));
    expect(size()).toBeUndefined();
    expect(calls).toBe(0);
    fake.apply(pod('a', '1'));
    expect(size()).toBe(1);
    context.destroy();
  });

  it('refuses to run outside an injection context, naming itself', () => {
    expect(() => selectSignal(new FakeInformer().informer, (s) => s.size)).toThrow(/selectSignal/);
  });
});

describe('objectSignal', () => {
  it('changes only when the object under the key changed identity', () => {
    const a = pod('a', '1');
    const fake = new FakeInformer([a, pod('b', '1')]);
    const context = newContext();
    const object = runInInjectionContext(context, () => objectSignal(fake.informer, 'default/a'));
    let runs = 0;
    const version = computed(() => (runs++, object()?.metadata?.resourceVersion));
    expect(version()).toBe('1');
    fake.apply(pod('b', '2'));
    fake.resync();
    expect(version()).toBe('1');
    expect(object()).toBe(a);
    expect(runs).toBe(1);
    fake.apply(pod('a', '3'));
    expect(version()).toBe('3');
    fake.delete('default/a');
    expect(object()).toBeUndefined();
    context.destroy();
  });

  it('shares one subscription per source among all signals, across injectors', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const first = newContext();
    const second = newContext();
    runInInjectionContext(first, () => [snapshotSignal(fake.informer), objectSignal(fake.informer, 'default/a')]);
    const [names] = runInInjectionContext(second, () => [selectSignal(fake.informer, sortedNames, sameList)]);
    expect(fake.watches).toEqual({ total: 1, active: 1 });
    first.destroy();
    expect(fake.watches.active).toBe(1);
    fake.apply(pod('b', '2'));
    expect(names?.()).toEqual(['a', 'b']);
    second.destroy();
    expect(fake.watches).toEqual({ total: 1, active: 0 });
  });

  it('follows a key given as a signal', () => {
    const fake = new FakeInformer([pod('a', '1'), pod('b', '1')]);
    const key = signal('default/a');
    const context = newContext();
    const object = runInInjectionContext(context, () => objectSignal(fake.informer, key));
    expect(object()?.metadata?.name).toBe('a');
    key.set('default/b');
    expect(object()?.metadata?.name).toBe('b');
    expect(fake.watches.total).toBe(1);
    context.destroy();
  });
});

describe('statusSignal', () => {
  it('follows the status without starting the watch, and ends on destroy', () => {
    const fake = new FakeInformer();
    const context = newContext();
    const status = runInInjectionContext(context, () => statusSignal(fake.informer));
    expect(status()).toEqual({ phase: 'idle', hasSynced: false });
    const listing: InformerStatus = { phase: 'listing', hasSynced: false, reason: 'initial', loaded: 0 };
    fake.setStatus(listing);
    expect(status()).toBe(listing);
    expect(fake.watches.total).toBe(0);
    expect(fake.statusSubscriptions.active).toBe(1);
    context.destroy();
    expect(fake.statusSubscriptions.active).toBe(0);
  });
});
