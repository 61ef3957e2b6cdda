// @vitest-environment happy-dom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { InformerStatus } from '../../../src/index.ts';
import { useInformerStatus, useSnapshot } from '../../../src/react/index.ts';
import { FakeInformer } from '../ui/fake-informer.ts';
import { afterGrace, strictHarness } from './strict-harness.tsx';

afterEach(cleanup);

describe('useInformerStatus', () => {
  it('serves the current status and re-renders when it changes', () => {
    const fake = new FakeInformer();
    const { options, commits } = strictHarness();
    const { result } = renderHook(() => useInformerStatus(fake.informer), options);
    expect(result.current).toEqual({ phase: 'idle', hasSynced: false });
    const listing: InformerStatus = { phase: 'listing', hasSynced: false, reason: 'initial', loaded: 0 };
    const before = commits();
    act(() => fake.setStatus(listing));
    expect(result.current).toBe(listing);
    expect(commits()).toBe(before + 1);
  });

  it('opens one status subscription under StrictMode and does not start the watch by itself', async () => {
    const fake = new FakeInformer();
    const { options, mounts } = strictHarness();
    const { unmount } = renderHook(() => useInformerStatus(fake.informer), options);
    expect(mounts()).toBe(2);
    expect(fake.statusSubscriptions).toEqual({ total: 1, active: 1 });
    expect(fake.watches.total).toBe(0);
    unmount();
    await afterGrace();
    expect(fake.statusSubscriptions.active).toBe(0);
  });

  it('pairs with useSnapshot for loading states', () => {
    const fake = new FakeInformer();
    const { result } = renderHook(() => [useInformerStatus(fake.informer).hasSynced, useSnapshot(fake.informer)] as const, strictHarness().options);
    expect(result.current).toEqual([false, undefined]);
    expect(fake.watches.active).toBe(1);
  });
});
