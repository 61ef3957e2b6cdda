import { describe, expect, it } from 'vitest';
import { describeFailure, runSchedules, seedsFromEnv } from '../harness.ts';

// `npm run test:chaos`: CHAOS_SCHEDULES schedules (default 1,000) from CHAOS_BASE_SEED (default 1),
// CHAOS_CONCURRENCY at a time (default 10); CHAOS_SEED=n replays one schedule.
const COUNT = Number(process.env['CHAOS_SCHEDULES'] ?? 1000);
const CONCURRENCY = Number(process.env['CHAOS_CONCURRENCY'] ?? 10);
const SEEDS = seedsFromEnv(COUNT, 1);

describe('chaos (long): an informer over HTTP converges to exactly the server state', () => {
  it(`after ${SEEDS.length} seeded schedules of operations and faults`, async () => {
    const summary = await runSchedules(SEEDS, CONCURRENCY);
    const { failed, ...numbers } = summary;
    console.log(JSON.stringify({ ...numbers, divergent: failed.length, divergentSeeds: failed.map((r) => r.seed) }, null, 2));
    expect(failed.map((r) => describeFailure(r)).join('\n\n')).toBe('');
  }, 3_600_000);
});
