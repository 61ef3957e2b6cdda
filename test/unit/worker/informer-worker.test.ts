import { MessageChannel } from 'node:worker_threads';
import { firstValueFrom, map, skip, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { groupCount, toExternalStore } from '../../../src/index.ts';
import { isInformer } from '../../../src/informer/is-informer.ts';
import type { Reflection } from '../../../src/index.ts';
import { connectInformerWorker, serveInformerInWorker, WorkerError } from '../../../src/worker/index.ts';
import type { MessageEndpoint, PageMessage, WorkerMessage, WorkerView } from '../../../src/worker/index.ts';
import { FakeInformer, pod } from '../ui/fake-informer.ts';
import type { Pod } from '../ui/fake-informer.ts';

/** Two endpoints that deliver to each other synchronously, through a structured clone, recording what each sent. */
interface FakeEnd extends MessageEndpoint {
  readonly listeners: Set<(event: MessageEvent) => void>;
  readonly sent: unknown[];
  terminated(): number;
  connect(other: FakeEnd): void;
  terminate(): void;
}

function syncPair() {
  const make = (): FakeEnd => {
    const listeners = new Set<(event: MessageEvent) => void>();
    const sent: unknown[] = [];
    let peer: FakeEnd | undefined;
    let terminated = 0;
    const end: FakeEnd = {
      listeners,
      sent,
      terminated: () => terminated,
      connect: (other) => {
        peer = other;
      },
      postMessage: (message: unknown) => {
        sent.push(message);
        const data = structuredClone(message);
        for (const listener of [...(peer?.listeners ?? [])]) listener({ data } as MessageEvent);
      },
      addEventListener: (_, listener) => void listeners.add(listener),
      removeEventListener: (_, listener) => void listeners.delete(listener),
      terminate: () => {
        terminated++;
      },
    };
    return end;
  };
  const page = make();
  const worker = make();
  page.connect(worker);
  worker.connect(page);
  return { page, worker, pageSent: page.sent as PageMessage[], workerSent: worker.sent as WorkerMessage[] };
}

const byImage: WorkerView<Pod, number> = (r$) => r$.pipe(groupCount((p) => p.spec?.image), map((c) => c.counts));

function setUp(options: { frameMs?: number } = {}) {
  const fake = new FakeInformer([pod('a', '1', {}, 'nginx'), pod('b', '1', {}, 'redis')]);
  const scheduler = new VirtualTimeScheduler();
  const pair = syncPair();
  const stop = serveInformerInWorker(pair.worker, () => fake.informer, {
    views: {
      byImage,
      failing: (r$) =>
        r$.pipe(
          map(() => {
            throw new TypeError('bad view');
          }),
        ),
    },
    frameMs: options.frameMs ?? 16,
    scheduler,
  });
  const remote = connectInformerWorker<Pod, { byImage: number; failing: never; missing: number }>(pair.page);
  return { fake, scheduler, pair, stop, remote };
}

const rowsOf = (reflection: Reflection<number> | undefined) => Object.fromEntries(reflection?.snapshot.entries() ?? []);

describe('the worker protocol', () => {
  it('sends the whole view first, then only the rows that changed', () => {
    const { fake, scheduler, pair, remote } = setUp();
    const seen: Reflection<number>[] = [];
    const subscription = remote.view('byImage').reflections$.subscribe((r) => seen.push(r));
    expect(pair.pageSent).toEqual([{ kind: 'subscribe', view: 'byImage' }]);
    scheduler.flush();
    expect(rowsOf(seen[0])).toEqual({ nginx: 1, redis: 1 });
    expect(seen[0]?.deltas.map((d) => d.type)).toEqual(['added', 'added']);

    fake.apply(pod('c', '2', {}, 'nginx'));
    fake.delete('default/b');
    scheduler.flush();
    const frames = pair.workerSent.filter((m) => m.kind === 'view');
    expect(frames.at(-1)).toEqual({ kind: 'view', view: 'byImage', reset: false, upserts: [['nginx', 2]], removals: ['redis'] });
    expect(rowsOf(seen.at(-1))).toEqual({ nginx: 2 });
    expect(seen.at(-1)?.deltas).toEqual([
      { type: 'deleted', key: 'redis', object: 1 },
      { type: 'updated', key: 'nginx', object: 2, previous: 1 },
    ]);
    // Snapshots are immutable: the first one still holds its rows.
    expect(rowsOf(seen[0])).toEqual({ nginx: 1, redis: 1 });
    subscription.unsubscribe();
  });

  it('coalesces the changes within one frame into one message', () => {
    const { fake, scheduler, pair, remote } = setUp({ frameMs: 50 });
    const subscription = remote.view('byImage').reflections$.subscribe();
    scheduler.flush();
    const before = pair.workerSent.filter((m) => m.kind === 'view').length;
    for (let i = 0; i < 10; i++) fake.apply(pod(`n${i}`, '3', {}, i % 2 === 0 ? 'nginx' : 'busybox'));
    scheduler.flush();
    const frames = pair.workerSent.filter((m) => m.kind === 'view');
    expect(frames.length - before).toBe(1);
    const last = frames.at(-1);
    expect(last?.kind === 'view' && [...last.upserts].sort()).toEqual([['busybox', 5], ['nginx', 6]]);
    expect(last).toMatchObject({ reset: false, removals: [] });
    subscription.unsubscribe();
  });

  it('sends nothing for a change that leaves the view as it was', () => {
    const { fake, scheduler, pair, remote } = setUp();
    const subscription = remote.view('byImage').reflections$.subscribe();
    scheduler.flush();
    const before = pair.workerSent.length;
    fake.apply(pod('a', '5', { touched: 'yes' }, 'nginx'));
    scheduler.flush();
    expect(pair.workerSent.slice(before).filter((m) => m.kind === 'view')).toEqual([]);
    subscription.unsubscribe();
  });

  it('is an informer the UI bindings accept, with identity-stable snapshots and the worker status', () => {
    const { fake, scheduler, remote } = setUp();
    const view = remote.view('byImage');
    expect(remote.view('byImage')).toBe(view);
    expect(isInformer(view)).toBe(true);
    const store = toExternalStore(view);
    let calls = 0;
    const stop = store.subscribe(() => calls++);
    scheduler.flush();
    const first = store.getSnapshot();
    expect(first?.get('nginx')).toBe(1);
    expect(store.getSnapshot()).toBe(first);
    fake.apply(pod('z', '9', {}, 'nginx'));
    scheduler.flush();
    expect(store.getSnapshot()).not.toBe(first);
    expect(store.getSnapshot()?.get('nginx')).toBe(2);
    expect(calls).toBe(2);
    fake.setStatus({ phase: 'watching', hasSynced: true, resourceVersion: '9' });
    expect(view.getStatus()).toEqual({ phase: 'watching', hasSynced: true, resourceVersion: '9' });
    stop();
  });

  it('gives a late subscriber the current rows', async () => {
    const { scheduler, remote } = setUp();
    const view = remote.view('byImage');
    const first = view.reflections$.subscribe();
    scheduler.flush();
    const late = await firstValueFrom(view.reflections$);
    expect(rowsOf(late)).toEqual({ nginx: 1, redis: 1 });
    expect(late.deltas.map((d) => d.type)).toEqual(['synced', 'synced']);
    first.unsubscribe();
  });
});

describe('teardown', () => {
  it('stops the view in the worker when the last page subscriber leaves, releasing the watch', () => {
    const { fake, scheduler, pair, remote } = setUp();
    const view = remote.view('byImage');
    const a = view.reflections$.subscribe();
    const b = view.reflections$.subscribe();
    scheduler.flush();
    expect(fake.watches.active).toBe(1);
    a.unsubscribe();
    expect(fake.watches.active).toBe(1);
    b.unsubscribe();
    expect(pair.pageSent.at(-1)).toEqual({ kind: 'unsubscribe', view: 'byImage' });
    expect(fake.watches.active).toBe(0);
    expect(fake.statusSubscriptions.active).toBe(0);
  });

  it('close() stops the worker side, terminates the worker and fails what is pending', async () => {
    const { fake, scheduler, pair, remote } = setUp();
    const errors: unknown[] = [];
    remote.view('byImage').reflections$.subscribe({ error: (e: unknown) => errors.push(e) });
    scheduler.flush();
    remote.close();
    expect(pair.pageSent.at(-1)).toEqual({ kind: 'close' });
    expect(pair.page.terminated()).toBe(1);
    expect(fake.watches.active).toBe(0);
    expect(pair.worker.listeners.size).toBe(0);
    expect(errors[0]).toBeInstanceOf(WorkerError);
    await expect(remote.getObject('default/a')).rejects.toBeInstanceOf(WorkerError);
    remote.close();
    expect(pair.page.terminated()).toBe(1);
  });

  it('the function serveInformerInWorker returns stops every view', () => {
    const { fake, scheduler, stop, remote } = setUp();
    remote.view('byImage').reflections$.subscribe();
    scheduler.flush();
    stop();
    expect(fake.watches.active).toBe(0);
  });
});

describe('errors cross as WorkerError', () => {
  it('a failing view errors its page subscribers with the remote name and the view', () => {
    const { scheduler, remote } = setUp();
    const errors: unknown[] = [];
    remote.view('failing').reflections$.subscribe({ error: (e: unknown) => errors.push(e) });
    scheduler.flush();
    expect(errors).toHaveLength(1);
    const error = errors[0] as WorkerError;
    expect(error).toBeInstanceOf(WorkerError);
    expect(error.remoteName).toBe('TypeError');
    expect(error.view).toBe('failing');
    expect(error.message).toContain('bad view');
  });

  it('an unknown view is a RangeError in the worker', () => {
    const { remote } = setUp();
    const errors: WorkerError[] = [];
    remote.view('missing').reflections$.subscribe({ error: (e: WorkerError) => errors.push(e) });
    expect(errors[0]?.remoteName).toBe('RangeError');
  });

  it('an informer factory that throws fails every view and get, keeping code and reason', async () => {
    const pair = syncPair();
    serveInformerInWorker(
      pair.worker,
      () => {
        throw Object.assign(new Error('forbidden'), { name: 'ApiError', code: 403, reason: 'Forbidden' });
      },
      { views: { byImage } },
    );
    const remote = connectInformerWorker<Pod, { byImage: number }>(pair.page);
    const errors: WorkerError[] = [];
    remote.view('byImage').reflections$.subscribe({ error: (e: WorkerError) => errors.push(e) });
    expect(errors[0]).toMatchObject({ name: 'WorkerError', remoteName: 'ApiError', code: 403, reason: 'Forbidden', view: 'byImage' });
    await expect(remote.getObject('default/a')).rejects.toMatchObject({ remoteName: 'ApiError', code: 403 });
  });

  it('a status error crosses in wire form', () => {
    const { fake, scheduler, remote } = setUp();
    const view = remote.view('byImage');
    const s = view.reflections$.subscribe();
    scheduler.flush();
    fake.setStatus({ phase: 'backingOff', hasSynced: true, delayMs: 10, attempt: 1, error: new RangeError('boom'), next: 'relist' });
    expect(view.getStatus()).toMatchObject({ phase: 'backingOff', error: { name: 'RangeError', message: 'boom' } });
    s.unsubscribe();
  });
});

describe('over a real MessageChannel', () => {
  const ports: { close(): void }[] = [];
  afterEach(() => {
    for (const p of ports.splice(0)) p.close();
  });

  it('sends objects on demand by key, and view frames', async () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const fake = new FakeInformer([pod('a', '1', {}, 'nginx')]);
    serveInformerInWorker(port2 as unknown as MessageEndpoint, () => fake.informer, { views: { byImage }, frameMs: 0 });
    const remote = connectInformerWorker<Pod, { byImage: number }>(port1 as unknown as MessageEndpoint);
    const view = remote.view('byImage');
    // Objects are read from the running informer: with no view subscribed, nothing is listed.
    expect(await remote.getObject('default/a')).toBeUndefined();
    const first = firstValueFrom(view.reflections$);
    const next = firstValueFrom(view.reflections$.pipe(skip(1)));
    expect(rowsOf(await first)).toEqual({ nginx: 1 });
    expect(await remote.getObject('default/a')).toEqual(pod('a', '1', {}, 'nginx'));
    expect(await remote.getObject('default/nope')).toBeUndefined();
    const keep = view.reflections$.subscribe();
    fake.apply(pod('b', '2', {}, 'redis'));
    expect(rowsOf(await next)).toEqual({ nginx: 1, redis: 1 });
    keep.unsubscribe();
  });
});
