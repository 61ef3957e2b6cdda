import { NEVER, of, Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { ListWatchEvent } from '../../../src/model/list-watch-event.ts';
import type { ListWatch, WatchEvent } from '../../../src/model/wire.ts';
import { listWatch } from '../../../src/sources/list-watch.ts';
import { markValidated } from '../../../src/sources/validated-sources.ts';
import { fetchListWatch } from '../../../src/sources/fetch-list-watch.ts';
import { isValidated } from '../../../src/sources/validated-sources.ts';

/** A source whose watch emits `events` once, then never completes. */
function source(events: WatchEvent[]): ListWatch {
  let watches = 0;
  return {
    list: () => of({ metadata: { resourceVersion: '1' }, items: [{ metadata: { name: 'a', resourceVersion: '1' } }] }),
    watch: () => (watches++ === 0 ? new Observable<WatchEvent>((s) => events.forEach((e) => s.next(e))) : NEVER),
  };
}

function run(lw: ListWatch): ListWatchEvent[] {
  const seen: ListWatchEvent[] = [];
  listWatch(lw, { random: () => 0 }).subscribe((e) => seen.push(e)).unsubscribe();
  return seen;
}

// An event only the loop's own check rejects: rxkube's transports never emit it (their decoder
// rejects it first), so a marked source passing it through shows the loop did not check again.
const unchecked: WatchEvent = { type: 'MODIFIED', object: { metadata: { resourceVersion: '2' } } as KubeObject };

describe('sources that validate what they emit', () => {
  it('marks rxkube\'s own transports', () => {
    expect(isValidated(fetchListWatch({ baseUrl: 'http://127.0.0.1:1', resource: { version: 'v1', plural: 'pods' } }))).toBe(true);
    expect(isValidated(source([]))).toBe(false);
  });

  it('checks the events of any other source in the loop', () => {
    const types = run(source([unchecked])).map((e) => e.type);
    expect(types).not.toContain('MODIFIED');
    expect(types).toContain('BACKOFF');
  });

  it('does not check the events of a marked source a second time', () => {
    expect(run(markValidated(source([unchecked]))).map((e) => e.type)).toContain('MODIFIED');
  });

  it('still turns a marked source\'s ERROR event into the loop\'s reaction (410: back off, then relist)', () => {
    const gone: WatchEvent = { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old' } };
    const backoff = run(markValidated(source([gone]))).find((e) => e.type === 'BACKOFF');
    expect(backoff).toMatchObject({ next: 'relist', error: { code: 410 } });
  });
});
