import { of, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { enterStage, StageClock, timedFetch } from '../../../src/cli/bench/stage-clock.ts';
import type { FetchInit } from '../../../src/sources/fetch-list-watch.ts';
import { openBody } from '../../../src/sources/response-body.ts';

function fakeTime(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('StageClock and enterStage', () => {
  it('charges each stage its exclusive time: the time a stage spends calling downstream goes to downstream', () => {
    const time = fakeTime();
    const clock = new StageClock(time.now);
    clock.enter('transport');
    time.advance(2);
    of(1, 2).pipe(
      enterStage(clock, 'reflect'),
      tap(() => time.advance(5)),
      enterStage(clock, 'user'),
      tap(() => time.advance(3)),
      enterStage(clock, 'subscriber'),
    ).subscribe(() => time.advance(1));
    time.advance(4); // back in transport after the values returned
    clock.enter('idle');
    expect(clock.totals).toEqual({ transport: 6, reflect: 10, indexes: 0, user: 6, subscriber: 2, idle: 0 });
  });

  it('restores the upstream stage when downstream throws', () => {
    const time = fakeTime();
    const clock = new StageClock(time.now);
    clock.enter('transport');
    of(1).pipe(enterStage(clock, 'reflect'), tap(() => {
      throw new Error('boom');
    })).subscribe({ error: () => undefined });
    expect(clock.current).toBe('transport');
  });
});

describe('timedFetch', () => {
  it('counts waiting for a response or a chunk as idle, from a chunk on as transport, and stamps the chunk', async () => {
    const time = fakeTime();
    const clock = new StageClock(time.now);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      time.advance(10); // waiting for bytes
      yield new Uint8Array([1]);
      time.advance(20);
      yield new Uint8Array([2]);
    }
    const fetch = timedFetch(async () => {
      time.advance(7); // waiting for the response
      return { ok: true, status: 200, statusText: 'OK', headers: new Headers(), body: chunks() };
    }, clock);
    const response = await fetch('http://x/', { method: 'GET', headers: new Headers(), signal: new AbortController().signal } satisfies FetchInit);
    expect(clock.current).toBe('transport');
    const reader = openBody(response.body);
    await reader.read();
    expect(clock.lastBytesAt).toBe(17);
    time.advance(3); // parsing the first chunk
    await reader.read();
    expect(clock.lastBytesAt).toBe(40);
    time.advance(1);
    await reader.read();
    expect(clock.totals.idle).toBe(37);
    expect(clock.totals.transport).toBe(4);
  });
});
