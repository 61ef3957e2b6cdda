import { BehaviorSubject, Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describe as describeStatus, startLiveView } from '../../../src/cli/live-view.ts';
import type { Informer, InformerStatus, KubeObject, Reflection } from '../../../src/index.ts';
import { fakeSnapshot } from '../ui/fake-informer.ts';

/** An informer the test drives by hand. */
function handInformer() {
  const status = new BehaviorSubject<InformerStatus>({ phase: 'idle', hasSynced: false });
  const reflections = new Subject<Reflection<KubeObject>>();
  let snapshot = fakeSnapshot<KubeObject>([], '');
  const informer: Informer<KubeObject> = {
    reflections$: reflections,
    snapshot$: new Subject(),
    status$: status,
    getSnapshot: () => snapshot,
    getStatus: () => status.getValue(),
  };
  const objects = (n: number, rv: string) => Array.from({ length: n }, (_, i) => [`default/p-${rv}-${i}`, { metadata: { name: `p-${rv}-${i}`, namespace: 'default' } }] as const);
  return {
    informer,
    status,
    /** Emits a reflection of `n` added objects. */
    emit(n: number, rv: string) {
      const entries = objects(n, rv);
      snapshot = fakeSnapshot<KubeObject>(entries, rv);
      reflections.next({ snapshot, deltas: entries.map(([key, object]) => ({ type: 'added', key, object })) });
    },
  };
}

/** A terminal of 80 columns that records what is written. */
function terminal(isTTY: boolean) {
  const writes: string[] = [];
  const out = { isTTY, columns: 80, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream;
  const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  return { out, writes, plain };
}

describe('the live view', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not count the initial list as changes per second, only what follows the first sync', () => {
    const pods = handInformer();
    const { out } = terminal(false);
    const view = startLiveView('t', [{ name: 'pods', informer: pods.informer }], undefined, out, 1000);
    pods.status.next({ phase: 'listing', hasSynced: false, reason: 'initial', loaded: 0 });
    pods.emit(500, '10');
    pods.status.next({ phase: 'synced', hasSynced: true, resourceVersion: '20', size: 2000 });
    pods.emit(2000, '20');
    vi.advanceTimersByTime(1000);
    expect(view.state().rows[0]?.deltasPerSecond).toBe(0);
    pods.emit(7, '21');
    vi.advanceTimersByTime(1000);
    expect(view.state().rows[0]?.deltasPerSecond).toBe(7);
    view.stop();
  });

  it('draws on the alternate screen within 80 columns, shows errors in full, and leaves one summary line', () => {
    const pods = handInformer();
    const { out, writes, plain } = terminal(true);
    const view = startLiveView('rxkube demo — a title long enough to be cut at the terminal width, as it goes on and on', [{ name: 'pods', informer: pods.informer }], pods.informer, out, 500);
    expect(writes[0]).toContain('\x1b[?1049h');
    const error = `the server has no resource "widgets" (searched the core group and every API group, ${'x'.repeat(40)} end of message)`;
    pods.status.next({ phase: 'backingOff', hasSynced: false, delayMs: 800, attempt: 1, error: new Error(error), next: 'relist' });
    vi.advanceTimersByTime(500);
    const frame = writes.at(-1) ?? '';
    expect(frame).not.toContain('\x1b[2J');
    const lines = plain(frame).split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain(`pods: ${error}`);
    view.stop();
    const last = writes.at(-1) ?? '';
    expect(last.startsWith('\x1b[?25h\x1b[?1049l')).toBe(true);
    expect(plain(last)).toMatch(/^pods: backing off 800 ms \(the server has no resource/);
  });

  it('describes a backing-off status with its whole error', () => {
    const message = 'a'.repeat(200);
    expect(describeStatus({ phase: 'backingOff', hasSynced: false, delayMs: 5, attempt: 1, error: new Error(message), next: 'relist' })).toContain(message);
  });
});
