import { describe, it } from 'vitest';
import { expectFlat, subscribeCycles } from './cycles.ts';

// `npm run test:chaos` runs 10,000 start/stop cycles too (test/chaos/long/leaks.long.test.ts).
describe('leaks: subscribe/unsubscribe cycles of a shared informer', () => {
  it('10,000 join/leave cycles on a running informer leave heap, watches and handles flat', async () => {
    const report = await subscribeCycles(10_000, true);
    console.log(`leaks: ${report.line}`);
    expectFlat(report, true);
  }, 120_000);

  it('1,000 start/stop cycles (list/watch started and aborted) leave heap, watches and handles flat', async () => {
    const report = await subscribeCycles(1_000, false);
    console.log(`leaks: ${report.line}`);
    expectFlat(report, false);
  }, 120_000);
});
