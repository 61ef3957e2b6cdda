// @vitest-environment happy-dom
import { act, cleanup, renderHook } from '@testing-library/react';
import { map, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { groupCount } from '../../../src/index.ts';
import type { Snapshot } from '../../../src/index.ts';
import { useSelector, useSnapshot } from '../../../src/react/index.ts';
import { connectInformerWorker, serveInformerInWorker } from '../../../src/worker/index.ts';
import type { MessageEndpoint } from '../../../src/worker/index.ts';
import { FakeInformer, pod } from '../ui/fake-informer.ts';
import type { Pod } from '../ui/fake-informer.ts';

afterEach(cleanup);

/** A page and a worker end that deliver synchronously (through a structured clone). */
function syncPair(): [MessageEndpoint, MessageEndpoint] {
  const ends = [new Set<(event: MessageEvent) => void>(), new Set<(event: MessageEvent) => void>()];
  const end = (mine: number): MessageEndpoint => ({
    postMessage: (message) => {
      for (const listener of [...ends[1 - mine]!]) listener({ data: structuredClone(message) } as MessageEvent);
    },
    addEventListener: (_, listener) => void ends[mine]!.add(listener),
    removeEventListener: (_, listener) => void ends[mine]!.delete(listener),
  });
  return [end(0), end(1)];
}

describe('the React hooks over a worker view', () => {
  it('useSnapshot and useSelector render the view rows and follow its frames', () => {
    const fake = new FakeInformer([pod('a', '1', {}, 'nginx'), pod('b', '1', {}, 'redis')]);
    const scheduler = new VirtualTimeScheduler();
    const [page, worker] = syncPair();
    serveInformerInWorker(worker, () => fake.informer, {
      views: { byImage: (r$) => r$.pipe(groupCount((p: Pod) => p.spec?.image), map((c) => c.counts)) },
      scheduler,
    });
    const byImage = connectInformerWorker<Pod, { byImage: number }>(page).view('byImage');
    const total = (s: Snapshot<number>) => [...s.values()].reduce((a, b) => a + b, 0);
    const { result } = renderHook(() => ({ snapshot: useSnapshot(byImage), total: useSelector(byImage, total) }));
    expect(result.current.snapshot).toBeUndefined();
    act(() => scheduler.flush());
    expect(Object.fromEntries(result.current.snapshot?.entries() ?? [])).toEqual({ nginx: 1, redis: 1 });
    expect(result.current.total).toBe(2);
    act(() => {
      fake.apply(pod('c', '2', {}, 'nginx'));
      scheduler.flush();
    });
    expect(result.current.snapshot?.get('nginx')).toBe(2);
    expect(result.current.total).toBe(3);
  });
});
