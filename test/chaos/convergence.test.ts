import { filter } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { Reflection } from '../../src/model/reflection.ts';
import { DeltaLedger, describeFailure, diffAgainstServer, runSchedule, runSchedules, seedsFromEnv } from './harness.ts';

// The short slice of the chaos suite that runs in `npm test`; `npm run test:chaos` runs 1,000+.
const SEEDS = seedsFromEnv(5, 7001);

describe('chaos: an informer over HTTP converges to exactly the server state', () => {
  it(`after randomised operations and faults (${SEEDS.length} seeded schedules)`, async () => {
    const summary = await runSchedules(SEEDS, 5);
    console.log(`chaos slice: ${summary.schedules} schedules, ${summary.operations} operations, ${summary.faults} faults, ` +
      `${summary.failed.length} divergent, converged p50 ${summary.convergedAfterMs.p50} ms / max ${summary.convergedAfterMs.max} ms`);
    expect(summary.failed.map((r) => describeFailure(r)).join('\n\n')).toBe('');
    expect(summary.faults).toBeGreaterThan(0);
  }, 120_000);
});

describe('chaos harness: detects what it claims to detect', () => {
  it('reports a divergence when the transport silently drops DELETED events', async () => {
    const result = await runSchedule(42, {
      steps: 80,
      faults: false,
      convergeBoundMs: 1_000,
      sabotage: (source) => ({ list: (o) => source.list(o), watch: (o) => source.watch(o).pipe(filter((e) => e.type !== 'DELETED')) }),
    });
    expect(result.divergences.some((d) => d.startsWith('extra '))).toBe(true);
  });

  it('the ledger flags an "added" for a key already present, and a stale previous', () => {
    const ledger = new DeltaLedger();
    const a1: KubeObject = { metadata: { name: 'a', namespace: 'x', resourceVersion: '1' } };
    const a2: KubeObject = { metadata: { name: 'a', namespace: 'x', resourceVersion: '2' } };
    const snapshot = (size: number) => ({ size }) as Reflection<KubeObject>['snapshot'];
    ledger.apply({ snapshot: snapshot(1), deltas: [{ type: 'added', key: 'x/a', object: a1 }] });
    ledger.apply({ snapshot: snapshot(1), deltas: [{ type: 'added', key: 'x/a', object: a2 }] });
    ledger.apply({ snapshot: snapshot(1), deltas: [{ type: 'updated', key: 'x/a', object: a2, previous: a1 }] });
    expect(ledger.violations).toEqual([
      expect.stringContaining('"added" for x/a, already present'),
      expect.stringContaining('previous (rv 1) is not the delivered state (rv 2)'),
    ]);
  });

  it('compares keys, resourceVersions and uids against the server', () => {
    const mine = new Map<string, KubeObject>([['x/a', { metadata: { name: 'a', namespace: 'x', resourceVersion: '2', uid: 'u1' } }]]);
    const snapshot = { size: mine.size, get: (k: string) => mine.get(k), keys: () => mine.keys() } as unknown as Reflection<KubeObject>['snapshot'];
    expect(diffAgainstServer(snapshot, [{ metadata: { name: 'a', namespace: 'x', resourceVersion: '2', uid: 'u2' } }])).toEqual(['wrong uid for x/a']);
    expect(diffAgainstServer(snapshot, [{ metadata: { name: 'a', namespace: 'x', resourceVersion: '3', uid: 'u1' } }])).toEqual(['stale x/a: rv 2, server 3']);
    expect(diffAgainstServer(snapshot, [])).toEqual(['extra x/a (rv 2)']);
  });
});
