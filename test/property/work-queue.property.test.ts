import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTokenBucket } from '../../src/backoff/token-bucket.ts';
import { WorkQueue } from '../../src/store/work-queue.ts';

type Op = { op: 'add'; key: string } | { op: 'take' } | { op: 'done'; pick: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('add' as const), key: fc.constantFrom('a', 'b', 'c', 'd') }) },
  { weight: 2, arbitrary: fc.constant({ op: 'take' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('done' as const), pick: fc.nat() }) },
);

/** The queue's contract on plain arrays: FIFO of distinct waiting keys, a key added while it runs waits behind its run. */
class Model {
  order: string[] = [];
  parked = new Set<string>();
  running = new Set<string>();

  add(key: string): boolean {
    if (this.order.includes(key) || this.parked.has(key)) return false;
    if (this.running.has(key)) this.parked.add(key);
    else this.order.push(key);
    return true;
  }

  take(): string | undefined {
    const key = this.order.shift();
    if (key !== undefined) this.running.add(key);
    return key;
  }

  done(key: string): void {
    this.running.delete(key);
    if (this.parked.delete(key)) this.order.push(key);
  }
}

describe('WorkQueue (property)', () => {
  it('behaves like the model: FIFO, each key waiting once, never handed out while it runs, no change lost', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const q = new WorkQueue<number>();
        const model = new Model();
        let runId = 0;
        for (const op of ops) {
          if (op.op === 'add') expect(q.add(op.key)).toBe(model.add(op.key));
          else if (op.op === 'take') {
            const key = q.take();
            expect(key).toBe(model.take());
            if (key !== undefined) {
              expect(q.runOf(key)).toBeUndefined();
              q.start(key, ++runId);
              expect(q.runOf(key)).toBe(runId);
            }
          } else {
            const runningKeys = [...model.running];
            if (runningKeys.length === 0) continue;
            const key = runningKeys[op.pick % runningKeys.length]!;
            q.done(key);
            model.done(key);
            expect(q.runOf(key)).toBeUndefined();
          }
          expect(q.running).toBe(model.running.size);
          expect(q.depth).toBe(model.order.length + model.parked.size);
          expect(q.idle).toBe(model.order.length === 0 && model.running.size === 0);
        }
        // Draining hands out every waiting key exactly once.
        for (const key of [...model.running]) {
          q.done(key);
          model.done(key);
        }
        const drained: string[] = [];
        for (let k = q.take(); k !== undefined; k = q.take()) drained.push(k);
        expect(drained).toEqual(model.order);
        expect(q.idle).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('counts failures in a row per key; a success resets them', () => {
    const q = new WorkQueue<never>();
    expect(q.failuresOf('a')).toBe(0);
    expect(q.failed('a')).toBe(1);
    expect(q.failed('a')).toBe(2);
    expect(q.failed('b')).toBe(1);
    q.succeeded('a');
    expect(q.failuresOf('a')).toBe(0);
    expect(q.failuresOf('b')).toBe(1);
  });

  it('keeps its order across the compaction of a long queue', () => {
    const q = new WorkQueue<never>();
    for (let i = 0; i < 5000; i++) q.add(`k${i}`);
    for (let i = 0; i < 5000; i++) expect(q.take()).toBe(`k${i}`);
    expect(q.take()).toBeUndefined();
  });
});

describe('TokenBucket (property)', () => {
  it('never grants more than burst + qps·elapsed tokens by any time; back-to-back reservations wait ever longer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 80 }),
        (qps, burst, gaps) => {
          const bucket = createTokenBucket(qps, burst, 0);
          let now = 0;
          let lastWait = -1;
          const grants: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const wait = bucket.reserve(now);
            expect(wait).toBeGreaterThanOrEqual(0);
            if (gap === 0) expect(wait).toBeGreaterThanOrEqual(lastWait);
            lastWait = wait;
            grants.push(now + wait);
          }
          // Tokens granted by time t (the reservation is usable at now + wait) fit in the budget.
          for (const t of grants) expect(grants.filter((g) => g <= t).length).toBeLessThanOrEqual(burst + (t * qps) / 1000 + 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('starts full: burst reservations at once, then 1000/qps ms apart', () => {
    const bucket = createTokenBucket(10, 3, 0);
    expect([bucket.reserve(0), bucket.reserve(0), bucket.reserve(0)]).toEqual([0, 0, 0]);
    expect(bucket.reserve(0)).toBe(100);
    expect(bucket.reserve(0)).toBe(200);
    expect(bucket.reserve(1000)).toBe(0);
  });
});
