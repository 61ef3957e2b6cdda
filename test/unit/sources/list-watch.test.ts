import { NEVER, Observable, throwError, of, defer } from 'rxjs';
import { type RunHelpers } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ApiError, WatchStreamError, WatchStalledError } from '../../../src/model/errors.ts';
import type { KubeObject, Status } from '../../../src/model/kube-object.ts';
import type { ListWatchEvent } from '../../../src/model/list-watch-event.ts';
import type { ListOptions, ListWatch, ObjectList, WatchEvent, WatchOptions } from '../../../src/model/wire.ts';
import { listWatch, type ListWatchOptions } from '../../../src/sources/list-watch.ts';
import { testScheduler } from '../../support/test-scheduler.ts';

type Request = { op: 'list'; options: ListOptions } | { op: 'watch'; options: WatchOptions };
type Reply = { op: 'list'; reply: Observable<ObjectList<KubeObject>> } | { op: 'watch'; reply: Observable<WatchEvent> };

/** A ListWatch that answers each request with the next scripted reply and records the options. */
function scripted(replies: Reply[]): { source: ListWatch; requests: Request[] } {
  const requests: Request[] = [];
  const queue = [...replies];
  const take = (op: 'list' | 'watch') => {
    const next = queue.shift();
    if (next === undefined) return NEVER;
    if (next.op !== op) throw new Error(`expected a ${next.op} request, got ${op}`);
    return next.reply;
  };
  const source: ListWatch = {
    list: (options) => defer(() => {
      requests.push({ op: 'list', options: { ...options } });
      return take('list') as Observable<ObjectList<KubeObject>>;
    }),
    watch: (options) => defer(() => {
      requests.push({ op: 'watch', options: { ...options } });
      return take('watch') as Observable<WatchEvent>;
    }),
  };
  return { source, requests };
}

const pod = (name: string, rv: string): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const page = (rv: string, items: KubeObject[], cont?: string): ObjectList<KubeObject> => ({
  metadata: cont === undefined ? { resourceVersion: rv } : { resourceVersion: rv, continue: cont },
  items,
});
const status = (code: number, reason: string, extra: Partial<Status> = {}): Status => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, ...extra });
const errorEvent = (s: Status): WatchEvent => ({ type: 'ERROR', object: s });
const list = (reply: Observable<ObjectList<KubeObject>>): Reply => ({ op: 'list', reply });
const watch = (reply: Observable<WatchEvent>): Reply => ({ op: 'watch', reply });
const tooLarge = new ApiError({
  code: 504,
  status: status(504, 'Timeout', { message: 'Timeout: Too large resource version: 9, current: 5', details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 } }),
});

/** Runs the loop in virtual time for `ms`, returning the requests and the events' types. */
function run(replies: Reply[] | ((helpers: RunHelpers) => Reply[]), ms: number, options: ListWatchOptions = {}) {
  const events: ListWatchEvent[] = [];
  const scheduler = testScheduler();
  let requests!: Request[];
  scheduler.run((helpers) => {
    const { flush } = helpers;
    const fake = scripted(typeof replies === 'function' ? replies(helpers) : replies);
    requests = fake.requests;
    const source = fake.source;
    const sub = listWatch(source, { scheduler, random: () => 0, ...options }).subscribe((e) => events.push(e));
    scheduler.schedule(() => sub.unsubscribe(), ms);
    flush();
  });
  return { requests, events, types: events.map((e) => e.type) };
}

const watchDefaults = { allowWatchBookmarks: true, timeoutSeconds: 300 };

describe('listWatch: the initial list', () => {
  it('lists page by page from resourceVersion 0 with limit 500, then watches from the first page\'s resourceVersion', () => {
    const { requests, events } = run([
      list(of(page('10', [pod('a', '3')], 'tok1'))),
      list(of(page('10', [pod('b', '4')]))),
      watch(NEVER),
    ], 100);
    expect(requests).toEqual([
      { op: 'list', options: { resourceVersion: '0', limit: 500 } },
      { op: 'list', options: { continue: 'tok1', limit: 500 } },
      { op: 'watch', options: { resourceVersion: '10', ...watchDefaults } },
    ]);
    expect(events).toEqual([
      { type: 'LIST_START', reason: 'initial', mode: 'list' },
      { type: 'LIST_PAGE', items: [pod('a', '3')] },
      { type: 'LIST_PAGE', items: [pod('b', '4')] },
      { type: 'LIST_DONE', resourceVersion: '10' },
      { type: 'WATCH_START', resourceVersion: '10' },
    ]);
  });

  it('asks for a consistent first list with listSemantic mostRecent', () => {
    const { requests } = run([list(of(page('10', []))), watch(NEVER)], 10, { listSemantic: 'mostRecent' });
    expect(requests[0]).toEqual({ op: 'list', options: { limit: 500 } });
  });

  it('uses an explicit pageSize for every list, and pageSize 0 for none', () => {
    expect(run([list(of(page('1', [])))], 10, { pageSize: 50 }).requests[0]).toEqual({ op: 'list', options: { resourceVersion: '0', limit: 50 } });
    expect(run([list(of(page('1', [])))], 10, { pageSize: 0 }).requests[0]).toEqual({ op: 'list', options: { resourceVersion: '0' } });
  });

  it('falls back to one unpaginated list when a continue token expired, restarting the bracket', () => {
    const { requests, types } = run([
      list(of(page('10', [pod('a', '3')], 'tok1'))),
      list(throwError(() => new ApiError({ code: 410, reason: 'Expired' }))),
      list(of(page('12', [pod('a', '3'), pod('b', '11')]))),
      watch(NEVER),
    ], 100);
    expect(requests.map((r) => r.options)).toEqual([
      { resourceVersion: '0', limit: 500 },
      { continue: 'tok1', limit: 500 },
      { resourceVersion: '0' },
      { resourceVersion: '12', ...watchDefaults },
    ]);
    expect(types).toEqual(['LIST_START', 'LIST_PAGE', 'LIST_START', 'LIST_PAGE', 'LIST_DONE', 'WATCH_START']);
  });

  it('retries a failed list after the backoff, announcing the wait', () => {
    const { requests, events } = run([
      list(throwError(() => new ApiError({ code: 500, reason: 'InternalError' }))),
      list(of(page('5', []))),
      watch(NEVER),
    ], 5000);
    expect(requests.map((r) => r.op)).toEqual(['list', 'list', 'watch']);
    expect(events[1]).toMatchObject({ type: 'BACKOFF', delayMs: 800, attempt: 1, next: 'relist' });
    expect(events[2]).toEqual({ type: 'LIST_START', reason: 'error', mode: 'list' });
  });

  it('rejects a list item without a name as a typed error and retries', () => {
    const { events } = run([list(of(page('5', [{ metadata: { resourceVersion: '1' } }]))), list(of(page('5', []))), watch(NEVER)], 5000);
    const backoff = events.find((e) => e.type === 'BACKOFF');
    expect(backoff).toMatchObject({ type: 'BACKOFF', error: expect.any(WatchStreamError) });
    expect(events.filter((e) => e.type === 'LIST_DONE')).toHaveLength(1);
  });
});

describe('listWatch: the error matrix (client-go reflector §1.2)', () => {
  const synced = (rv = '10') => list(of(page(rv, [pod('a', '3')])));

  it('resumes a watch the server ended normally at once from the last event\'s resourceVersion, without relisting', () => {
    const { requests, types } = run(({ cold }) => [
      synced(),
      watch(cold('-a-b|', { a: { type: 'MODIFIED', object: pod('a', '11') }, b: { type: 'BOOKMARK', object: { metadata: { resourceVersion: '15' } } } })),
      watch(NEVER),
    ], 100);
    expect(requests.map((r) => [r.op, r.options.resourceVersion])).toEqual([['list', '0'], ['watch', '10'], ['watch', '15']]);
    expect(types).toEqual(['LIST_START', 'LIST_PAGE', 'LIST_DONE', 'WATCH_START', 'MODIFIED', 'BOOKMARK', 'WATCH_START']);
  });

  it('treats a watch closed within a second with no event as very short: backoff, then relist at the last resourceVersion without a limit', () => {
    const { requests, events } = run([synced(), watch(of()), list(of(page('20', []))), watch(NEVER)], 5000);
    expect(requests.map((r) => r.options)).toEqual([
      { resourceVersion: '0', limit: 500 },
      { resourceVersion: '10', ...watchDefaults },
      { resourceVersion: '10' },
      { resourceVersion: '20', ...watchDefaults },
    ]);
    expect(events.find((e) => e.type === 'LIST_START' && e.reason === 'veryShortWatch')).toBeDefined();
  });

  it('keeps paginating relists when the resourceVersion 0 list came back paginated', () => {
    const { requests } = run([
      list(of(page('10', [], 'tok'))),
      list(of(page('10', []))),
      watch(of(errorEvent(status(410, 'Expired')))),
      list(of(page('20', []))),
      watch(NEVER),
    ], 5000);
    expect(requests[3]).toEqual({ op: 'list', options: { resourceVersion: '10', limit: 500 } });
  });

  for (const [name, reply] of [
    ['an in-stream ERROR event 410 Expired', of(errorEvent(status(410, 'Expired', { message: 'too old resource version: 10 (12)' })))],
    ['an in-stream ERROR event 410 Gone', of(errorEvent(status(410, 'Gone')))],
    ['an HTTP 410 on the watch request', throwError(() => new ApiError({ code: 410, reason: 'Expired' }))],
    ['an ERROR event with code 410 and an unknown reason', of(errorEvent(status(410, 'SomethingNew')))],
  ] as const) {
    it(`relists at the last resourceVersion after a backoff on ${name}`, () => {
      const { requests, events } = run([synced(), watch(reply), list(of(page('30', []))), watch(NEVER)], 5000);
      expect(requests.map((r) => r.options)).toEqual([
        { resourceVersion: '0', limit: 500 },
        { resourceVersion: '10', ...watchDefaults },
        { resourceVersion: '10' },
        { resourceVersion: '30', ...watchDefaults },
      ]);
      expect(events.map((e) => e.type)).toContain('BACKOFF');
      expect(events.find((e) => e.type === 'LIST_START' && e.reason === 'expired')).toBeDefined();
    });
  }

  it('relists immediately with a consistent read (no resourceVersion) when a list answers 410', () => {
    const { requests, types } = run([
      synced(),
      watch(of(errorEvent(status(410, 'Expired')))),
      list(throwError(() => new ApiError({ code: 410, reason: 'Expired' }))),
      list(of(page('40', []))),
      watch(NEVER),
    ], 5000);
    expect(requests.map((r) => r.options)).toEqual([
      { resourceVersion: '0', limit: 500 },
      { resourceVersion: '10', ...watchDefaults },
      { resourceVersion: '10' },
      { limit: 500 },
      { resourceVersion: '40', ...watchDefaults },
    ]);
    expect(types.filter((t) => t === 'BACKOFF')).toHaveLength(1);
  });

  it('relists immediately with a consistent read when a list answers too large resource version (504 with cause)', () => {
    const { requests } = run([
      synced(),
      watch(throwError(() => tooLarge)),
      list(throwError(() => tooLarge)),
      list(of(page('40', []))),
      watch(NEVER),
    ], 5000);
    expect(requests.map((r) => r.options)[3]).toEqual({ limit: 500 });
  });

  it('recognises the old servers\' 504 "Too large resource version" message without a cause', () => {
    const old = new ApiError({ code: 504, status: status(504, 'Timeout', { message: 'Too large resource version: 9, current: 5' }) });
    const { requests } = run([synced(), watch(NEVER)].slice(0, 0).concat([list(throwError(() => old)), list(of(page('1', []))), watch(NEVER)]), 100);
    expect(requests.map((r) => r.options)).toEqual([{ resourceVersion: '0', limit: 500 }, { limit: 500 }, { resourceVersion: '1', ...watchDefaults }]);
  });

  it('does not relist on 429: backoff of at least Retry-After, then watch again from the same resourceVersion', () => {
    const { requests, events } = run([
      synced(),
      watch(throwError(() => new ApiError({ code: 429, reason: 'TooManyRequests', retryAfterSeconds: 7 }))),
      watch(NEVER),
    ], 10_000);
    expect(requests.map((r) => [r.op, r.options.resourceVersion])).toEqual([['list', '0'], ['watch', '10'], ['watch', '10']]);
    expect(events.find((e) => e.type === 'BACKOFF')).toMatchObject({ delayMs: 7000, next: 'rewatch' });
  });

  it('does not relist on an in-stream 429 ERROR event either', () => {
    const { requests } = run([synced(), watch(of(errorEvent(status(429, 'TooManyRequests')))), watch(NEVER)], 5000);
    expect(requests.map((r) => r.op)).toEqual(['list', 'watch', 'watch']);
  });

  it('resumes from the same resourceVersion after a transport failure or a stall', () => {
    const { requests } = run([
      synced(),
      watch(throwError(() => new TypeError('fetch failed'))),
      watch(throwError(() => new WatchStalledError(90_000))),
      watch(throwError(() => new WatchStreamError('Truncated', 'cut'))),
      watch(NEVER),
    ], 20_000);
    expect(requests.map((r) => [r.op, r.options.resourceVersion])).toEqual([['list', '0'], ['watch', '10'], ['watch', '10'], ['watch', '10'], ['watch', '10']]);
  });

  for (const [name, reply] of [
    ['a 500 ERROR event', of(errorEvent(status(500, 'InternalError')))],
    ['an HTTP 403 on the watch', throwError(() => new ApiError({ code: 403, reason: 'Forbidden' }))],
    ['a malformed line', throwError(() => new WatchStreamError('MalformedJson', 'bad'))],
    ['an unknown event type', of({ type: 'SURPRISE', object: pod('a', '11') } as unknown as WatchEvent)],
    ['an event without metadata', of({ type: 'ADDED', object: {} } as WatchEvent)],
    ['an ERROR event that is not a Status', of({ type: 'ERROR', object: 'nope' } as unknown as WatchEvent)],
  ] as const) {
    it(`relists after a backoff on ${name}`, () => {
      const { requests, events } = run([synced(), watch(reply), list(of(page('30', []))), watch(NEVER)], 5000);
      expect(requests.map((r) => r.op)).toEqual(['list', 'watch', 'list', 'watch']);
      expect(events.find((e) => e.type === 'LIST_START' && e.reason === 'error')).toBeDefined();
    });
  }

  it('does not adopt the resourceVersion of events after the one that failed', () => {
    const { requests } = run([
      synced(),
      watch(of({ type: 'SURPRISE', object: pod('a', '99') } as unknown as WatchEvent, { type: 'MODIFIED', object: pod('a', '98') } as WatchEvent)),
      list(of(page('30', []))),
      watch(NEVER),
    ], 5000);
    expect(requests[2]).toEqual({ op: 'list', options: { resourceVersion: '10' } });
  });

  it('backs off exponentially (0.8 s doubling) while failures continue, capped at 30 s', () => {
    const failing = Array.from({ length: 9 }, () => list(throwError(() => new ApiError({ code: 503, reason: 'ServiceUnavailable' }))));
    const { events } = run(failing, 10 * 60_000);
    const delays = events.filter((e) => e.type === 'BACKOFF').map((e) => (e.type === 'BACKOFF' ? e.delayMs : 0));
    expect(delays.slice(0, 8)).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  });

  it('treats resourceVersions as opaque strings', () => {
    const { requests } = run([
      list(of(page('zz-9', [pod('a', 'b1')]))),
      watch(of<WatchEvent[]>({ type: 'MODIFIED', object: pod('a', 'a0') }, { type: 'MODIFIED', object: pod('a', 'Z') })),
      watch(NEVER),
    ], 100);
    expect(requests.map((r) => r.options.resourceVersion)).toEqual(['0', 'zz-9', 'Z']);
  });

  it('draws watch timeouts from [300, 600) seconds by default, or [min, 2 min) when configured', () => {
    const high = run([synced(), watch(NEVER)], 10, { random: () => 0.999 });
    expect(high.requests[1]?.options).toMatchObject({ timeoutSeconds: 599 });
    const custom = run([synced(), watch(NEVER)], 10, { minWatchTimeoutSeconds: 400, random: () => 0.5 });
    expect(custom.requests[1]?.options).toMatchObject({ timeoutSeconds: 600 });
  });
});

describe('listWatch: streaming list', () => {
  const endBookmark = (rv: string): WatchEvent => ({ type: 'BOOKMARK', object: { metadata: { resourceVersion: rv, annotations: { 'k8s.io/initial-events-end': 'true' } } } });

  it('opens one watch with sendInitialEvents, brackets the initial events and continues on the same stream', () => {
    const { requests, types } = run([
      watch(new Observable<WatchEvent>((s) => {
        s.next({ type: 'ADDED', object: pod('a', '3') });
        s.next({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '4', annotations: { 'k8s.io/initial-events-end': 'false' } } } });
        s.next(endBookmark('8'));
        s.next({ type: 'MODIFIED', object: pod('a', '9') });
      })),
    ], 100, { initialList: 'stream' });
    expect(requests).toEqual([{ op: 'watch', options: { resourceVersionMatch: 'NotOlderThan', sendInitialEvents: true, ...watchDefaults } }]);
    expect(types).toEqual(['LIST_START', 'ADDED', 'BOOKMARK', 'LIST_DONE', 'WATCH_START', 'MODIFIED']);
  });

  it('falls back to list + watch when the server refuses streaming lists (422), and keeps listing on later relists', () => {
    const { requests, events } = run([
      watch(throwError(() => new ApiError({ code: 422, reason: 'Invalid' }))),
      list(of(page('5', []))),
      watch(of(errorEvent(status(410, 'Expired')))),
      list(of(page('6', []))),
      watch(NEVER),
    ], 5000, { initialList: 'stream' });
    expect(requests.map((r) => r.op)).toEqual(['watch', 'list', 'watch', 'list', 'watch']);
    expect(events[1]).toEqual({ type: 'LIST_START', reason: 'streamingFallback', mode: 'list' });
  });

  it('falls back to list + watch when the stream ends without the initial-events-end bookmark', () => {
    const { requests } = run([watch(of({ type: 'ADDED', object: pod('a', '3') })), list(of(page('5', []))), watch(NEVER)], 100, { initialList: 'stream' });
    expect(requests.map((r) => r.op)).toEqual(['watch', 'list', 'watch']);
  });

  it('retries a streaming list at once without a resourceVersion after 410, and resumes from the bookmark afterwards', () => {
    const { requests } = run([
      watch(of(endBookmark('8'), errorEvent(status(410, 'Expired')))),
      watch(throwError(() => new ApiError({ code: 410, reason: 'Expired' }))),
      watch(of(endBookmark('20'))),
      watch(NEVER),
    ], 5000, { initialList: 'stream' });
    expect(requests.map((r) => r.options)).toEqual([
      { resourceVersionMatch: 'NotOlderThan', sendInitialEvents: true, ...watchDefaults },
      { resourceVersion: '8', resourceVersionMatch: 'NotOlderThan', sendInitialEvents: true, ...watchDefaults },
      { resourceVersionMatch: 'NotOlderThan', sendInitialEvents: true, ...watchDefaults },
      { resourceVersion: '20', ...watchDefaults },
    ]);
  });
});

describe('listWatch: teardown', () => {
  it('unsubscribes the request in flight when the subscriber leaves', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectSubscriptions }) => {
      const listReply = cold<ObjectList<KubeObject>>('-(a|)', { a: page('1', []) });
      const watchReply = cold<WatchEvent>('----------');
      const { source } = scripted([list(listReply), watch(watchReply)]);
      const sub = listWatch(source, { scheduler, random: () => 0 }).subscribe();
      scheduler.schedule(() => sub.unsubscribe(), 5);
      expectSubscriptions(listReply.subscriptions).toBe('^!');
      expectSubscriptions(watchReply.subscriptions).toBe('-^---!');
    });
  });

  it('cancels a pending backoff wait', () => {
    const { requests } = run([list(throwError(() => new Error('refused')))], 100);
    expect(requests).toHaveLength(1);
  });
});

describe('listWatch piped into reflect: the Reflections of each recovery', () => {
  it('turns a 410 relist into deletes with finalStateUnknown, updates for changed versions only, and adds', async () => {
    const { reflect } = await import('../../../src/operators/reflect.ts');
    const scheduler = testScheduler();
    const seen: string[][] = [];
    scheduler.run(({ flush }) => {
      const { source } = scripted([
        list(of(page('10', [pod('a', '1'), pod('b', '2'), pod('c', '3')]))),
        watch(of({ type: 'MODIFIED', object: pod('a', '11') } as WatchEvent, errorEvent(status(410, 'Expired')))),
        list(of(page('20', [pod('a', '11'), pod('c', '15'), pod('d', '16')]))),
        watch(NEVER),
      ]);
      const sub = listWatch(source, { scheduler, random: () => 0 }).pipe(reflect()).subscribe((r) => {
        seen.push(r.deltas.map((d) => `${d.type}${d.finalStateUnknown ? '?' : ''} ${d.key}@${d.object.metadata?.resourceVersion}`));
      });
      scheduler.schedule(() => sub.unsubscribe(), 5000);
      flush();
    });
    expect(seen).toEqual([
      ['added ns/a@1', 'added ns/b@2', 'added ns/c@3'],
      ['updated ns/a@11'],
      ['deleted? ns/b@2', 'updated ns/c@15', 'added ns/d@16'],
    ]);
  });

  it('emits nothing for a relist after a very short watch when nothing changed', async () => {
    const { reflect } = await import('../../../src/operators/reflect.ts');
    const scheduler = testScheduler();
    let emissions = 0;
    scheduler.run(({ flush }) => {
      const { source } = scripted([list(of(page('10', [pod('a', '1')]))), watch(of()), list(of(page('10', [pod('a', '1')]))), watch(NEVER)]);
      const sub = listWatch(source, { scheduler, random: () => 0 }).pipe(reflect()).subscribe(() => emissions++);
      scheduler.schedule(() => sub.unsubscribe(), 5000);
      flush();
    });
    expect(emissions).toBe(1);
  });
});

describe('listWatch: a network cut of an established watch is a normal close (issue 13, item 1)', () => {
  const synced = (rv = '10') => list(of(page(rv, [pod('a', '3')])));
  const reset = () => Object.assign(new TypeError('terminated'), { cause: { code: 'ECONNRESET' } });
  const modified = (rv: string): WatchEvent => ({ type: 'MODIFIED', object: pod('a', rv) });

  it('re-watches at once, without backoff, from the last event\'s resourceVersion when a busy watch is reset', () => {
    const { requests, types } = run(({ cold }) => [
      synced(),
      watch(cold('-a-#', { a: modified('11') }, reset())),
      watch(NEVER),
    ], 100);
    expect(requests.map((r) => [r.op, r.options.resourceVersion])).toEqual([['list', '0'], ['watch', '10'], ['watch', '11']]);
    expect(types).toEqual(['LIST_START', 'LIST_PAGE', 'LIST_DONE', 'WATCH_START', 'MODIFIED', 'WATCH_START']);
  });

  it('re-watches at once when a quiet watch that stayed open a second is cut, or cut mid-line', () => {
    const { requests, types } = run(({ cold }) => [
      synced(),
      watch(cold('60s #', undefined, reset())),
      watch(cold('5s #', undefined, new WatchStreamError('Truncated', 'the stream ended inside a line'))),
      watch(NEVER),
    ], 120_000);
    expect(requests.map((r) => r.op)).toEqual(['list', 'watch', 'watch', 'watch']);
    expect(types).not.toContain('BACKOFF');
  });

  it('treats an HTTP client\'s body timeout (undici UND_ERR_BODY_TIMEOUT) on a quiet watch as a close', () => {
    const bodyTimeout = Object.assign(new TypeError('terminated'), { cause: { name: 'BodyTimeoutError', code: 'UND_ERR_BODY_TIMEOUT' } });
    const { types } = run(({ cold }) => [synced(), watch(cold('300s #', undefined, bodyTimeout)), watch(NEVER)], 400_000);
    expect(types).toEqual(['LIST_START', 'LIST_PAGE', 'LIST_DONE', 'WATCH_START', 'WATCH_START']);
  });

  it('never accumulates delay when a load balancer cuts every watch after 60 s, for an hour', () => {
    const cuts = 60;
    const { requests, types } = run(({ cold }) => [
      synced(),
      ...Array.from({ length: cuts }, (_, i) => watch(i % 2 === 0
        ? cold('60s #', undefined, reset())
        : cold('30s a 29999ms #', { a: modified(String(11 + i)) }, reset()))),
      watch(NEVER),
    ], cuts * 60_000 + 1000);
    expect(types).not.toContain('BACKOFF');
    expect(requests.filter((r) => r.op === 'watch')).toHaveLength(cuts + 1);
    expect(requests.filter((r) => r.op === 'list')).toHaveLength(1);
  });

  it('still backs off, exponentially, from a server that fails every watch at once', () => {
    const failing = Array.from({ length: 6 }, () => watch(throwError(() => reset())));
    const { events } = run([synced(), ...failing, watch(NEVER)], 60_000);
    const backoffs = events.filter((e) => e.type === 'BACKOFF');
    expect(backoffs.map((e) => (e.type === 'BACKOFF' ? [e.delayMs, e.next] : []))).toEqual([
      [800, 'rewatch'], [1600, 'rewatch'], [3200, 'rewatch'], [6400, 'rewatch'], [12800, 'rewatch'], [25600, 'rewatch'],
    ]);
  });

  it('counts a watch cut within a second having delivered nothing as a failure', () => {
    const { types } = run(({ cold }) => [synced(), watch(cold('500ms #', undefined, reset())), watch(NEVER)], 5000);
    expect(types).toEqual(['LIST_START', 'LIST_PAGE', 'LIST_DONE', 'WATCH_START', 'BACKOFF', 'WATCH_START']);
  });

  it('reports every stall as a 0 ms BACKOFF and re-watches at once, whether or not the watch had delivered', () => {
    // A stall is a dead connection (issue 13): never backed off, but visible in status$.
    const quiet = run(({ cold }) => [synced(), watch(cold('90s #', undefined, new WatchStalledError(90_000))), watch(NEVER)], 100_000);
    expect(quiet.types.slice(-2)).toEqual(['BACKOFF', 'WATCH_START']);
    expect(quiet.events.find((e) => e.type === 'BACKOFF')).toMatchObject({ delayMs: 0, next: 'rewatch' });
    const busy = run(({ cold }) => [synced(), watch(cold('1s a 89s #', { a: modified('11') }, new WatchStalledError(89_000))), watch(NEVER)], 100_000);
    expect(busy.types.slice(-3)).toEqual(['MODIFIED', 'BACKOFF', 'WATCH_START']);
    expect(busy.events.find((e) => e.type === 'BACKOFF')).toMatchObject({ delayMs: 0, next: 'rewatch' });
    expect(busy.requests[2]?.options.resourceVersion).toBe('11');
  });

  it('keeps server errors on an established watch as failures (backoff)', () => {
    const { types } = run(({ cold }) => [
      synced(),
      watch(cold('5s a 1s #', { a: modified('11') }, new ApiError({ code: 500, reason: 'InternalError' }))),
      list(of(page('20', []))),
      watch(NEVER),
    ], 100_000);
    expect(types).toContain('BACKOFF');
  });

  it('re-watches at once when the watch phase of a streaming list is cut', () => {
    const endBookmark: WatchEvent = { type: 'BOOKMARK', object: { metadata: { resourceVersion: '8', annotations: { 'k8s.io/initial-events-end': 'true' } } } };
    const { requests, types } = run(({ cold }) => [
      watch(cold('a 60s #', { a: endBookmark }, reset())),
      watch(NEVER),
    ], 100_000, { initialList: 'stream' });
    expect(types).toEqual(['LIST_START', 'LIST_DONE', 'WATCH_START', 'WATCH_START']);
    expect(requests[1]?.options).toEqual({ resourceVersion: '8', ...watchDefaults });
  });
});

describe('listWatch: streaming-list fallback (issue 13, item 6)', () => {
  const stream = { resourceVersionMatch: 'NotOlderThan', sendInitialEvents: true, ...watchDefaults } as const;
  const endBookmark = (rv: string): WatchEvent => ({ type: 'BOOKMARK', object: { metadata: { resourceVersion: rv, annotations: { 'k8s.io/initial-events-end': 'true' } } } });
  const expired = () => of(errorEvent(status(410, 'Expired')));

  it('falls back to a list for one relist only when a stream ends before its bookmark, listing at the last synced resourceVersion', () => {
    const { requests, events } = run([
      watch(of(endBookmark('8'), { type: 'MODIFIED', object: pod('a', '9') } as WatchEvent, errorEvent(status(410, 'Expired')))),
      watch(of({ type: 'ADDED', object: pod('a', '9') })),
      list(of(page('12', []))),
      watch(expired()),
      watch(of(endBookmark('20'))),
      watch(NEVER),
    ], 10_000, { initialList: 'stream' });
    expect(requests.map((r) => [r.op, r.options])).toEqual([
      ['watch', stream],
      ['watch', { resourceVersion: '9', ...stream }],
      ['list', { resourceVersion: '9' }],
      ['watch', { resourceVersion: '12', ...watchDefaults }],
      ['watch', { resourceVersion: '12', ...stream }],
      ['watch', { resourceVersion: '20', ...watchDefaults }],
    ]);
    expect(events.filter((e) => e.type === 'LIST_START').map((e) => (e.type === 'LIST_START' ? `${e.reason} ${e.mode}` : ''))).toEqual([
      'initial stream', 'expired stream', 'streamingFallback list', 'expired stream',
    ]);
  });

  it('stops streaming for the subscription after two streams in a row end before their bookmark', () => {
    const { requests } = run([
      watch(of()),
      list(of(page('5', []))),
      watch(expired()),
      watch(of({ type: 'ADDED', object: pod('a', '3') })),
      list(of(page('6', []))),
      watch(expired()),
      list(of(page('7', []))),
      watch(NEVER),
    ], 20_000, { initialList: 'stream' });
    expect(requests.map((r) => (r.op === 'watch' && r.options.sendInitialEvents ? 'stream' : r.op))).toEqual([
      'stream', 'list', 'watch', 'stream', 'list', 'watch', 'list', 'watch',
    ]);
  });

  for (const [name, reply] of [
    ['a 500 from a proxy', throwError(() => new ApiError({ code: 500, reason: 'InternalError' }))],
    ['a 403', throwError(() => new ApiError({ code: 403, reason: 'Forbidden' }))],
    ['a 503 from an aggregated API', throwError(() => new ApiError({ code: 503, reason: 'ServiceUnavailable' }))],
    ['an in-stream 500 ERROR event', of(errorEvent(status(500, 'InternalError')))],
    ['a malformed line', throwError(() => new WatchStreamError('MalformedJson', 'bad'))],
  ] as const) {
    it(`falls back to a plain list at once on ${name}, and streams again on the next relist`, () => {
      const { requests, events } = run([
        watch(reply),
        list(of(page('5', []))),
        watch(expired()),
        watch(of(endBookmark('9'))),
        watch(NEVER),
      ], 10_000, { initialList: 'stream' });
      expect(requests.map((r) => (r.op === 'watch' && r.options.sendInitialEvents ? 'stream' : r.op))).toEqual(['stream', 'list', 'watch', 'stream', 'watch']);
      expect(events[1]).toEqual({ type: 'LIST_START', reason: 'streamingFallback', mode: 'list' });
      expect(events.filter((e) => e.type === 'BACKOFF')).toHaveLength(1);
    });
  }

  it('retries the stream (not a list) after a backoff on 429 and on network failures', () => {
    const { requests } = run([
      watch(throwError(() => new ApiError({ code: 429, reason: 'TooManyRequests' }))),
      watch(throwError(() => new TypeError('fetch failed'))),
      watch(of(endBookmark('9'))),
      watch(NEVER),
    ], 10_000, { initialList: 'stream' });
    expect(requests.map((r) => (r.op === 'watch' && r.options.sendInitialEvents ? 'stream' : r.op))).toEqual(['stream', 'stream', 'stream', 'watch']);
  });
});

describe('listWatch: the minimum watch timeout (issue 13, item 7)', () => {
  it('honours a minimum below client-go\'s 5 minutes (documented difference)', () => {
    const { requests } = run([list(of(page('1', []))), watch(NEVER)], 10, { minWatchTimeoutSeconds: 1, random: () => 0.999 });
    expect(requests[1]?.options).toMatchObject({ timeoutSeconds: 1 });
  });

  it('rejects a minimum that is not a finite number of seconds ≥ 1, which would send timeoutSeconds=0 or less', () => {
    const { source } = scripted([]);
    for (const bad of [0, 0.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => listWatch(source, { minWatchTimeoutSeconds: bad })).toThrow(RangeError);
    }
  });
});

describe('listWatch: synchronous sources with many pages (issue 13, item 9)', () => {
  it('lists 5,000 one-item pages answered synchronously without growing the stack', () => {
    const pages = 5000;
    let watches = 0;
    const source: ListWatch = {
      list: (options) => {
        const n = options.continue === undefined ? 0 : Number(options.continue);
        return of(page('77', [pod(`p${n}`, String(n))], n + 1 < pages ? String(n + 1) : undefined));
      },
      watch: () => {
        watches += 1;
        return NEVER;
      },
    };
    const events: ListWatchEvent[] = [];
    const sub = listWatch(source, { random: () => 0 }).subscribe((e) => events.push(e));
    sub.unsubscribe();
    expect(events.filter((e) => e.type === 'LIST_PAGE')).toHaveLength(pages);
    expect(events.at(-2)).toEqual({ type: 'LIST_DONE', resourceVersion: '77' });
    expect(events.at(-1)).toEqual({ type: 'WATCH_START', resourceVersion: '77' });
    expect(watches).toBe(1);
  });

  it('still falls back to one unpaginated list when a synchronous continuation expires', () => {
    const requests: ListOptions[] = [];
    const source: ListWatch = {
      list: (options) => {
        requests.push(options);
        if (options.continue === '2') return throwError(() => new ApiError({ code: 410, reason: 'Expired' }));
        return of(page('9', [pod(`p${options.continue ?? 'full'}`, '1')], options.continue === undefined && options.limit !== undefined ? '1' : options.continue === '1' ? '2' : undefined));
      },
      watch: () => NEVER,
    };
    const types: string[] = [];
    listWatch(source, { random: () => 0 }).subscribe((e) => types.push(e.type)).unsubscribe();
    expect(requests).toEqual([{ resourceVersion: '0', limit: 500 }, { continue: '1', limit: 500 }, { continue: '2', limit: 500 }, { resourceVersion: '0' }]);
    expect(types).toEqual(['LIST_START', 'LIST_PAGE', 'LIST_PAGE', 'LIST_START', 'LIST_PAGE', 'LIST_DONE', 'WATCH_START']);
  });
});

describe('listWatch: lastSyncResourceVersion, a resubscription that never goes back in time (issue 13, item 10)', () => {
  it('lists first at the given resourceVersion, unpaginated, instead of 0', () => {
    const { requests, events } = run([list(of(page('50', []))), watch(NEVER)], 10, { lastSyncResourceVersion: '42' });
    expect(requests.map((r) => r.options)).toEqual([{ resourceVersion: '42' }, { resourceVersion: '50', ...watchDefaults }]);
    expect(events[0]).toEqual({ type: 'LIST_START', reason: 'initial', mode: 'list' });
  });

  it('falls back at once to a consistent list when the server no longer has it', () => {
    const { requests } = run([
      list(throwError(() => new ApiError({ code: 410, reason: 'Expired' }))),
      list(of(page('60', []))),
      watch(NEVER),
    ], 10, { lastSyncResourceVersion: '42' });
    expect(requests.map((r) => r.options)).toEqual([{ resourceVersion: '42' }, { limit: 500 }, { resourceVersion: '60', ...watchDefaults }]);
  });

  it('streams from it in streaming mode, and ignores an empty one', () => {
    const streamed = run([watch(NEVER)], 10, { initialList: 'stream', lastSyncResourceVersion: '42' });
    expect(streamed.requests[0]?.options).toEqual({ resourceVersion: '42', resourceVersionMatch: 'NotOlderThan', sendInitialEvents: true, ...watchDefaults });
    const empty = run([list(of(page('1', [])))], 10, { lastSyncResourceVersion: '' });
    expect(empty.requests[0]?.options).toEqual({ resourceVersion: '0', limit: 500 });
  });
});

describe('listWatch: Retry-After is capped (issue 13, item 13)', () => {
  it('waits at most the backoff cap when the server asks for an hour', () => {
    const { events } = run([
      list(of(page('10', []))),
      watch(throwError(() => new ApiError({ code: 429, reason: 'TooManyRequests', retryAfterSeconds: 3600 }))),
      watch(NEVER),
    ], 31_000);
    expect(events.find((e) => e.type === 'BACKOFF')).toMatchObject({ delayMs: 30_000, next: 'rewatch' });
    expect(events.at(-1)).toEqual({ type: 'WATCH_START', resourceVersion: '10' });
  });
});

describe('listWatch: a relist that cannot catch up (issue 17)', () => {
  const gone = (): Observable<WatchEvent> => of(errorEvent(status(410, 'Expired', { message: 'too old resource version' })));
  const endBookmark = (rv: string): WatchEvent => ({ type: 'BOOKMARK', object: { metadata: { resourceVersion: rv, annotations: { 'k8s.io/initial-events-end': 'true' } } } });
  const kind = (r: Request): string => (r.op === 'watch' && r.options.sendInitialEvents ? 'stream' : r.op);
  const listReasons = (events: ListWatchEvent[]) => events.flatMap((e) => (e.type === 'LIST_START' ? [`${e.reason}/${e.mode}`] : []));

  it('calls it a relist loop after two lists whose first watch got 410 at once, and streams the next list', () => {
    const { requests, events } = run([
      list(of(page('10', [pod('a', '3')]))),
      watch(gone()),
      list(of(page('20', [pod('a', '3')]))),
      watch(gone()),
      watch(of(endBookmark('30'))),
      watch(NEVER),
    ], 10_000);
    expect(requests.map(kind)).toEqual(['list', 'watch', 'list', 'watch', 'stream', 'watch']);
    expect(listReasons(events)).toEqual(['initial/list', 'expired/list', 'relistLoop/stream']);
    expect(requests[4]?.options).toEqual({ resourceVersion: '20', resourceVersionMatch: 'NotOlderThan', sendInitialEvents: true, ...watchDefaults });
    // The stream caught up: the watch after it resumes from its bookmark.
    expect(requests[5]?.options).toEqual({ resourceVersion: '30', ...watchDefaults });
  });

  it('lists in one unpaginated request, still reporting the loop, when the server refuses streaming lists', () => {
    const { requests, events } = run([
      list(of(page('10', []))),
      watch(gone()),
      list(of(page('20', []))),
      watch(gone()),
      watch(throwError(() => new ApiError({ code: 422, reason: 'Invalid' }))),
      list(of(page('30', []))),
      watch(gone()),
      list(of(page('40', []))),
      watch(NEVER),
    ], 30_000, { pageSize: 100 });
    expect(requests.map(kind)).toEqual(['list', 'watch', 'list', 'watch', 'stream', 'list', 'watch', 'list', 'watch']);
    expect(listReasons(events)).toEqual(['initial/list', 'expired/list', 'relistLoop/stream', 'relistLoop/list', 'relistLoop/list']);
    // pageSize applies to ordinary lists only; the loop's lists are unpaginated and never stream again.
    expect(requests[0]?.options).toEqual({ resourceVersion: '0', limit: 100 });
    expect(requests[2]?.options).toEqual({ resourceVersion: '10', limit: 100 });
    expect(requests[5]?.options).toEqual({ resourceVersion: '20' });
    expect(requests[7]?.options).toEqual({ resourceVersion: '30' });
  });

  it('leaves ordinary relists alone: a 410 after the first watch delivered, or on a later watch, is just expired', () => {
    const { requests, events } = run(({ cold }) => [
      list(of(page('10', []))),
      watch(gone()), // 1 cycle
      list(of(page('20', []))),
      watch(of<WatchEvent[]>({ type: 'ADDED', object: pod('b', '21') }, errorEvent(status(410, 'Expired')))), // delivered first: caught up
      list(of(page('30', []))),
      watch(gone()), // 1 cycle again
      list(of(page('40', []))),
      watch(cold<WatchEvent>('1500ms |')), // ended normally: caught up
      watch(gone()), // a later watch, not the first after a list
      list(of(page('50', []))),
      watch(NEVER),
    ], 60_000);
    expect(requests.map(kind)).toEqual(['list', 'watch', 'list', 'watch', 'list', 'watch', 'list', 'watch', 'watch', 'list', 'watch']);
    expect(listReasons(events)).toEqual(['initial/list', 'expired/list', 'expired/list', 'expired/list', 'expired/list']);
  });

  it('does not count a 410 on the first watch of a streaming loop, whose watch continues the stream', () => {
    const { events } = run([
      watch(of(endBookmark('8'), errorEvent(status(410, 'Expired')))),
      watch(of(endBookmark('9'), errorEvent(status(410, 'Expired')))),
      watch(of(endBookmark('10'))),
      watch(NEVER),
    ], 10_000, { initialList: 'stream' });
    expect(listReasons(events)).toEqual(['initial/stream', 'expired/stream', 'expired/stream']);
  });
});
