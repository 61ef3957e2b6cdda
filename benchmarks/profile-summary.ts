/**
 * Summarises a `--cpu-prof` profile: self and inclusive time per function, optionally within a
 * window of CLOCK_MONOTONIC µs (as printed by `BENCH_MARKS=1 node benchmarks/child.ts …`).
 *
 *   node benchmarks/profile-summary.ts FILE.cpuprofile [fromUs toUs] [top]
 */
import { readFileSync } from 'node:fs';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] }

const [file, fromArg, toArg, topArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node benchmarks/profile-summary.ts FILE.cpuprofile [fromUs toUs] [top]\n');
  process.exit(1);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const from = fromArg === undefined ? -Infinity : Number(fromArg);
const to = toArg === undefined ? Infinity : Number(toArg);
const top = Number(topArg ?? 30);
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '')}:${n.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  if (t < from || t > to) continue;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const leaf = nodes.get(profile.samples[i]!)!;
  if (leaf.callFrame.functionName === '(idle)') continue;
  total += dt;
  self.set(name(leaf), (self.get(name(leaf)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const k = name(nodes.get(id)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
  }
}
const pct = (x: number): string => `${((100 * x) / total).toFixed(1).padStart(5)}%`;
process.stdout.write(`busy ${(total / 1000).toFixed(0)} ms (idle excluded)\n-- self\n`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(v)} ${k}\n`);
process.stdout.write('-- inclusive\n');
for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(v)} ${k}\n`);
