// @vitest-environment happy-dom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Snapshot } from '../../../src/index.ts';
import { useSelector } from '../../../src/react/index.ts';
import { FakeInformer, pod } from '../ui/fake-informer.ts';
import type { Pod } from '../ui/fake-informer.ts';
import { strictHarness } from './strict-harness.tsx';

afterEach(cleanup);

const failing = (s: Snapshot<Pod>) => [...s.values()].filter((p) => p.metadata?.labels?.['health'] === 'failing').length;
const sortedNames = (s: Snapshot<Pod>) => [...s.values()].map((p) => p.metadata?.name ?? '').sort();
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

describe('useSelector', () => {
  it('re-renders only when the selected value changed', () => {
    const fake = new FakeInformer([pod('a', '1'), pod('b', '1')]);
    const { options, commits } = strictHarness();
    const { result } = renderHook(() => useSelector(fake.informer, failing), options);
    expect(result.current).toBe(0);
    const before = commits();
    act(() => void fake.apply(pod('a', '2', {}, 'nginx:2'))); // changes a, not the count
    expect(commits()).toBe(before);
    act(() => void fake.apply(pod('b', '3', { health: 'failing' })));
    expect(commits()).toBe(before + 1);
    expect(result.current).toBe(1);
  });

  it('returns the previous value, identity included, when isEqual says nothing changed', () => {
    const fake = new FakeInformer([pod('a', '1'), pod('b', '1')]);
    const { options, commits } = strictHarness();
    const { result } = renderHook(() => useSelector(fake.informer, sortedNames, sameList), options);
    const first = result.current;
    expect(first).toEqual(['a', 'b']);
    const before = commits();
    act(() => void fake.apply(pod('a', '2')));
    expect(commits()).toBe(before);
    expect(result.current).toBe(first);
    act(() => void fake.apply(pod('c', '3')));
    expect(commits()).toBe(before + 1);
    expect(result.current).toEqual(['a', 'b', 'c']);
  });

  it('re-renders on every new selection with the default Object.is when the selector allocates', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const { options, commits } = strictHarness();
    renderHook(() => useSelector(fake.informer, sortedNames), options);
    const before = commits();
    act(() => void fake.apply(pod('a', '2')));
    expect(commits()).toBe(before + 1);
  });

  it('runs a stable selector once per snapshot, not once per render', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const selector = vi.fn((s: Snapshot<Pod>) => s.size);
    const { rerender } = renderHook(() => useSelector(fake.informer, selector), strictHarness().options);
    const calls = selector.mock.calls.length;
    rerender();
    rerender();
    expect(selector.mock.calls.length).toBe(calls);
    act(() => void fake.apply(pod('b', '2')));
    expect(selector.mock.calls.length).toBe(calls + 1);
  });

  it('keeps the committed identity when an inline selector selects an equal value on re-render', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const { result, rerender } = renderHook(
      () => useSelector(fake.informer, (s) => [...s.keys()], sameList),
      strictHarness().options,
    );
    const first = result.current;
    rerender();
    expect(result.current).toBe(first);
  });

  it('returns undefined without calling the selector before the first list', () => {
    const fake = new FakeInformer();
    const selector = vi.fn((s: Snapshot<Pod>) => s.size);
    const { result } = renderHook(() => useSelector(fake.informer, selector), strictHarness().options);
    expect(result.current).toBeUndefined();
    expect(selector).not.toHaveBeenCalled();
    act(() => void fake.apply(pod('a', '1')));
    expect(result.current).toBe(1);
  });

  it('shares the subscription with other hooks on the same informer', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const { options } = strictHarness();
    renderHook(() => [useSelector(fake.informer, failing), useSelector(fake.informer, sortedNames, sameList)], options);
    expect(fake.watches).toEqual({ total: 1, active: 1 });
  });
});
