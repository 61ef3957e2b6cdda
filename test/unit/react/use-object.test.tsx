// @vitest-environment happy-dom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useObject } from '../../../src/react/index.ts';
import { FakeInformer, pod } from '../ui/fake-informer.ts';
import { strictHarness } from './strict-harness.tsx';

afterEach(cleanup);

describe('useObject', () => {
  it('re-renders only when the object under the key changed identity', () => {
    const a = pod('a', '1');
    const fake = new FakeInformer([a, pod('b', '1')]);
    const { options, commits } = strictHarness();
    const { result } = renderHook(() => useObject(fake.informer, 'default/a'), options);
    expect(result.current).toBe(a);
    const before = commits();
    act(() => void fake.apply(pod('b', '2')));
    act(() => void fake.apply(pod('c', '3')));
    act(() => fake.resync());
    expect(commits()).toBe(before);
    expect(result.current).toBe(a);
    const a2 = pod('a', '4');
    act(() => void fake.apply(a2));
    expect(commits()).toBe(before + 1);
    expect(result.current).toBe(a2);
  });

  it('turns undefined when the object is deleted', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const { result } = renderHook(() => useObject(fake.informer, 'default/a'), strictHarness().options);
    act(() => void fake.delete('default/a'));
    expect(result.current).toBeUndefined();
  });

  it('follows a new key without opening a new subscription', () => {
    const fake = new FakeInformer([pod('a', '1'), pod('b', '1')]);
    const { result, rerender } = renderHook(({ key }) => useObject(fake.informer, key), {
      ...strictHarness().options,
      initialProps: { key: 'default/a' },
    });
    rerender({ key: 'default/b' });
    expect(result.current?.metadata?.name).toBe('b');
    expect(fake.watches.total).toBe(1);
  });
});
