import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { sendJsonList } from '../../../src/testing/http-util.ts';

/** A ServerResponse whose socket buffer is always full: every write() returns false until drained. */
class FullResponse extends EventEmitter {
  headers: Record<string, unknown> | undefined;
  writes: string[] = [];
  ended: string | undefined;
  destroyed = false;
  writeHead(_code: number, headers: Record<string, unknown>): this {
    this.headers = headers;
    return this;
  }
  write(chunk: string): boolean {
    this.writes.push(chunk);
    return false;
  }
  end(chunk: string): void {
    this.ended = chunk;
  }
}

const ticks = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const head = { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '7' } };
const items = Array.from({ length: 400 }, (_, i) => ({ metadata: { name: `pod-${i}`, resourceVersion: String(i) }, data: 'x'.repeat(1000) }));

describe('sendJsonList', () => {
  it('writes one batch at a time, waiting for drain, and sends exactly what JSON.stringify of the list gives', async () => {
    const res = new FullResponse();
    const done = sendJsonList(res as unknown as ServerResponse, 'application/json', head, items);
    await ticks();
    expect(res.writes).toHaveLength(1);
    expect(res.headers).not.toHaveProperty('Content-Length');
    let drains = 0;
    while (res.ended === undefined) {
      const before = res.writes.length;
      await ticks();
      expect(res.writes).toHaveLength(before);
      res.emit('drain');
      drains++;
      await ticks();
    }
    await done;
    expect(drains).toBeGreaterThan(3);
    expect(res.writes.join('') + res.ended).toBe(JSON.stringify({ ...head, items }));
  });

  it('stops writing when the client goes away while it waits for drain', async () => {
    const res = new FullResponse();
    const done = sendJsonList(res as unknown as ServerResponse, 'application/json', head, items);
    await ticks();
    res.destroyed = true;
    res.emit('close');
    await done;
    expect(res.writes).toHaveLength(1);
    expect(res.ended).toBeUndefined();
  });

  it('maps each item, and sends a small list in one piece with a Content-Length', async () => {
    const res = new FullResponse();
    await sendJsonList(res as unknown as ServerResponse, 'application/json', head, items.slice(0, 3), (o) => ({ name: o.metadata.name }));
    const body = JSON.stringify({ ...head, items: [{ name: 'pod-0' }, { name: 'pod-1' }, { name: 'pod-2' }] });
    expect(res.ended).toBe(body);
    expect(res.headers).toMatchObject({ 'Content-Length': Buffer.byteLength(body) });
  });
});
