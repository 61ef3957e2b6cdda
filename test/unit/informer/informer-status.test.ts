import { describe, expect, it } from 'vitest';
import { idleStatus, nextStatus } from '../../../src/informer/informer-status.ts';
import type { InformerStatus } from '../../../src/model/informer-status.ts';
import type { ListWatchEvent } from '../../../src/model/list-watch-event.ts';

const run = (events: ListWatchEvent[]): InformerStatus[] => {
  const out: InformerStatus[] = [];
  let s = idleStatus;
  for (const e of events) out.push((s = nextStatus(s, e)));
  return out;
};

describe('nextStatus', () => {
  it('counts list progress, reports the server\'s remaining estimate, then synced with the size', () => {
    const s = run([
      { type: 'LIST_START', reason: 'initial', mode: 'list' },
      { type: 'LIST_PAGE', items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }], remainingItemCount: 3 },
      { type: 'LIST_PAGE', items: [{ metadata: { name: 'c' } }] },
      { type: 'LIST_DONE', resourceVersion: '9' },
    ]);
    expect(s[1]).toEqual({ phase: 'listing', hasSynced: false, reason: 'initial', loaded: 2, remaining: 3 });
    expect(s[3]).toEqual({ phase: 'synced', hasSynced: true, resourceVersion: '9', size: 3 });
  });

  it('reports who filtered a sharded list: server only if every page was, and resets on a relist', () => {
    const server = run([
      { type: 'LIST_START', reason: 'initial', mode: 'list' },
      { type: 'LIST_PAGE', items: [{ metadata: { name: 'a' } }], shardFilter: 'server' },
      { type: 'LIST_PAGE', items: [], shardFilter: 'server' },
      { type: 'LIST_DONE', resourceVersion: '9' },
    ]);
    expect(server[1]).toEqual({ phase: 'listing', hasSynced: false, reason: 'initial', loaded: 1, remaining: undefined, shardFilter: 'server' });
    expect(server[3]).toEqual({ phase: 'synced', hasSynced: true, resourceVersion: '9', size: 1, shardFilter: 'server' });
    const mixed = run([
      { type: 'LIST_START', reason: 'initial', mode: 'list' },
      { type: 'LIST_PAGE', items: [], shardFilter: 'client' },
      { type: 'LIST_PAGE', items: [], shardFilter: 'server' },
      { type: 'LIST_DONE', resourceVersion: '9' },
      { type: 'LIST_START', reason: 'expired', mode: 'list' },
      { type: 'LIST_PAGE', items: [] },
      { type: 'LIST_DONE', resourceVersion: '10' },
    ]);
    expect(mixed[3]).toMatchObject({ phase: 'synced', shardFilter: 'client' });
    expect(mixed[6]).toEqual({ phase: 'synced', hasSynced: true, resourceVersion: '10', size: 0 });
  });

  it('says relisting, with the reason, once synced, and keeps hasSynced through backoff', () => {
    const s = run([
      { type: 'LIST_START', reason: 'initial', mode: 'list' },
      { type: 'LIST_DONE', resourceVersion: '1' },
      { type: 'BACKOFF', delayMs: 800, attempt: 1, error: new Error('x'), next: 'relist' },
      { type: 'LIST_START', reason: 'expired', mode: 'list' },
    ]);
    expect(s[2]).toMatchObject({ phase: 'backingOff', hasSynced: true, delayMs: 800, next: 'relist' });
    expect(s[3]).toEqual({ phase: 'relisting', hasSynced: true, reason: 'expired', loaded: 0 });
  });

  it('advances the resourceVersion on bookmarks while watching, and keeps identity for object events', () => {
    const watching = nextStatus(nextStatus(idleStatus, { type: 'LIST_DONE', resourceVersion: '1' }), { type: 'WATCH_START', resourceVersion: '1' });
    expect(nextStatus(watching, { type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '2' } } })).toBe(watching);
    expect(nextStatus(watching, { type: 'BOOKMARK', object: { metadata: { resourceVersion: '7' } } })).toEqual({ phase: 'watching', hasSynced: true, resourceVersion: '7' });
  });

  it('counts streamed objects during a streaming list', () => {
    const s = run([
      { type: 'LIST_START', reason: 'initial', mode: 'stream' },
      { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '1' } } },
      { type: 'ADDED', object: { metadata: { name: 'b', resourceVersion: '2' } } },
      { type: 'DELETED', object: { metadata: { name: 'a', resourceVersion: '3' } } },
    ]);
    expect(s[3]).toMatchObject({ phase: 'listing', loaded: 1 });
  });
});
