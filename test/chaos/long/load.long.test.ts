import { describe, expect, it } from 'vitest';
import { runLoad } from '../../leaks/load.ts';

const SECONDS = Number(process.env['LOAD_SECONDS'] ?? 30);

describe('load (long): an informer holding 100,000 objects under 1,000 events/s', () => {
  it(`keeps up (reports the lag), converges, and keeps memory bounded for ${SECONDS} s`, async () => {
    const report = await runLoad({ objects: 100_000, eventsPerSecond: 1_000, durationMs: SECONDS * 1000 });
    console.log(`load: ${report.line}`);
    expect(report.divergences).toEqual([]);
    expect(report.eventsDelivered).toBe(report.eventsSent);
    expect(report.heap.end).toBeLessThan(report.heap.synced * 1.5);
  }, 600_000);
});
