// @vitest-environment happy-dom
import { act, cleanup, render, renderHook, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useSnapshot } from '../../../src/react/index.ts';
import { countedReflections, FakeInformer, pod, reflectionOf } from '../ui/fake-informer.ts';
import { afterGrace, ErrorBoundary, strictHarness } from './strict-harness.tsx';

afterEach(cleanup);

describe('useSnapshot', () => {
  it('opens exactly one subscription under StrictMode double mounting and serves the current snapshot', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const { options, mounts } = strictHarness();
    const { result } = renderHook(() => useSnapshot(fake.informer), options);
    expect(mounts()).toBe(2); // StrictMode did mount, unmount and remount
    expect(fake.watches).toEqual({ total: 1, active: 1 });
    expect(result.current).toBe(fake.current);
  });

  it('renders undefined before the first list completes', () => {
    const fake = new FakeInformer();
    const { result } = renderHook(() => useSnapshot(fake.informer), strictHarness().options);
    expect(result.current).toBeUndefined();
    act(() => void fake.apply(pod('a', '1')));
    expect(result.current?.size).toBe(1);
  });

  it('keeps the snapshot identity and does not re-render when the state did not change', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const { options, commits } = strictHarness();
    const { result } = renderHook(() => useSnapshot(fake.informer), options);
    const first = result.current;
    const before = commits();
    act(() => fake.resync());
    act(() => fake.resync());
    expect(commits()).toBe(before);
    expect(result.current).toBe(first);
  });

  it('re-renders once per change with the new snapshot', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const { options, commits } = strictHarness();
    const { result } = renderHook(() => useSnapshot(fake.informer), options);
    const before = commits();
    let next: unknown;
    act(() => {
      next = fake.apply(pod('b', '2'));
    });
    expect(commits()).toBe(before + 1);
    expect(result.current).toBe(next);
    act(() => void fake.delete('default/a'));
    expect(commits()).toBe(before + 2);
    expect(result.current?.has('default/a')).toBe(false);
  });

  it('shares one subscription among many components bound to the same informer', () => {
    const fake = new FakeInformer([pod('a', '1')]);
    function Count({ label }: { label: string }) {
      return <li>{`${label}:${useSnapshot(fake.informer)?.size}`}</li>;
    }
    render(
      <StrictMode>
        <ul>
          <Count label="x" />
          <Count label="y" />
          <Count label="z" />
        </ul>
      </StrictMode>,
    );
    expect(fake.watches).toEqual({ total: 1, active: 1 });
    act(() => void fake.apply(pod('b', '2')));
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['x:2', 'y:2', 'z:2']);
  });

  it('unsubscribes after the grace once the last component unmounts', async () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const { unmount } = renderHook(() => useSnapshot(fake.informer), strictHarness().options);
    unmount();
    expect(fake.watches.active).toBe(1);
    await afterGrace();
    expect(fake.watches).toEqual({ total: 1, active: 0 });
  });

  it('keeps the subscription when another component mounts within the grace', async () => {
    const fake = new FakeInformer([pod('a', '1')]);
    const { options } = strictHarness();
    renderHook(() => useSnapshot(fake.informer), options).unmount();
    const { result } = renderHook(() => useSnapshot(fake.informer), options);
    await afterGrace();
    expect(fake.watches).toEqual({ total: 1, active: 1 });
    expect(result.current).toBe(fake.current);
  });

  it('shares one subscription to an Observable of reflections across components', async () => {
    const { source$, subject, count } = countedReflections();
    const { options } = strictHarness();
    const one = renderHook(() => useSnapshot(source$), options);
    const two = renderHook(() => useSnapshot(source$), options);
    expect(count).toEqual({ total: 1, active: 1 });
    const reflection = reflectionOf([pod('a', '1')], '1');
    act(() => subject.next(reflection));
    expect(one.result.current).toBe(reflection.snapshot);
    expect(two.result.current).toBe(reflection.snapshot);
    one.unmount();
    two.unmount();
    await afterGrace();
    expect(count.active).toBe(0);
  });

  it("throws the source's error to the nearest error boundary", () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { source$, subject } = countedReflections();
    function Size() {
      return <p>{useSnapshot(source$)?.size ?? 'none'}</p>;
    }
    render(
      <StrictMode>
        <ErrorBoundary>
          <Size />
        </ErrorBoundary>
      </StrictMode>,
    );
    expect(screen.getByRole('paragraph').textContent).toBe('none');
    act(() => subject.error(new Error('forbidden')));
    expect(screen.getByRole('paragraph').textContent).toBe('caught: forbidden');
    vi.restoreAllMocks();
  });
});
