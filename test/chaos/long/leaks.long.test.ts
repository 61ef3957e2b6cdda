import { describe, it } from 'vitest';
import { expectFlat, subscribeCycles } from '../../leaks/cycles.ts';

describe('leaks (long): subscribe/unsubscribe cycles of a shared informer', () => {
  it('10,000 start/stop cycles (list/watch started and aborted) leave heap, watches and handles flat', async () => {
    const report = await subscribeCycles(10_000, false);
    console.log(`leaks: ${report.line}`);
    expectFlat(report, false);
  }, 600_000);
});
