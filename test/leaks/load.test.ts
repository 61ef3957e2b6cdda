import { describe, expect, it } from 'vitest';
import { runLoad } from './load.ts';

// `npm run test:chaos` runs the same for 30 s (test/chaos/long/load.long.test.ts).
describe('load: an informer holding 100,000 objects under 1,000 events/s', () => {
  it('keeps up (reports the lag), converges, and keeps memory bounded for 5 s', async () => {
    const report = await runLoad({ objects: 100_000, eventsPerSecond: 1_000, durationMs: 5_000 });
    console.log(`load: ${report.line}`);
    expect(report.divergences).toEqual([]);
    // Every update reached the subscriber (none collapsed: the watch stayed up).
    expect(report.eventsDelivered).toBe(report.eventsSent);
    // Bounded: the churn replaces objects, it must not accumulate them (old versions, history).
    expect(report.heap.end).toBeLessThan(report.heap.synced * 1.5);
  }, 180_000);
});
