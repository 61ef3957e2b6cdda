import type { BenchReport } from './run-bench.ts';
import { reportedStages } from './run-bench.ts';

const stageNames: Record<(typeof reportedStages)[number], string> = {
  transport: 'transport+parse',
  reflect: 'reflect',
  indexes: 'indexes',
  user: 'your operators',
  subscriber: 'subscriber',
};

const n = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (x: number): string => (x >= 100 ? `${n(x)} ms` : x >= 1 ? `${n(x, 1)} ms` : `${n(x, 3)} ms`);
const sparks = '▁▂▃▄▅▆▇█';

/** A one-line chart of `values` (at most `width` characters, buckets merged). @internal */
export function sparkline(values: readonly number[], width = 60): string {
  if (values.length === 0) return '';
  const per = Math.ceil(values.length / width);
  const merged: number[] = [];
  for (let i = 0; i < values.length; i += per) merged.push(values.slice(i, i + per).reduce((a, b) => a + b, 0) / Math.min(per, values.length - i));
  const top = Math.max(...merged, 1);
  return merged.map((v) => sparks[Math.min(sparks.length - 1, Math.floor((v / top) * (sparks.length - 1) + 0.5))]).join('');
}

/** The report as a table with a small terminal chart. @internal */
export function formatReport(r: BenchReport): string {
  const rec = r.recording;
  const lines = [
    `rxkube bench — ${rec.path}`,
    `${rec.resource}: ${n(rec.objects)} objects listed, ${n(rec.changes)} changes recorded over ${n(rec.recordedSeconds, 1)} s`,
    `pipeline: ${r.pipeline} · replay speed: ${r.speed === 'max' ? 'max (as fast as the pipeline takes it)' : `× ${r.speed}`}`,
    '',
    `  list → synced        ${ms(r.syncMs)}`,
    `  watch events         ${n(r.events)} in ${ms(r.watchMs)}`,
    `  events/s             ${n(r.eventsPerSecond)}`,
    `  latency p50 / p99    ${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p99)}   (max ${ms(r.latencyMs.max)}; bytes received → subscriber, ${n(r.latencyMs.samples)} values)`,
    `  retained heap        ${n(r.retainedHeapMB, 1)} MB   (after GC, pipeline still subscribed)`,
    `  GC                   ${ms(r.gc.ms)} in ${n(r.gc.count)} pauses`,
    '',
    `  stage              sync ms    watch ms   µs/event   share of watch`,
  ];
  const watchTotal = reportedStages.reduce((sum, s) => sum + (r.stageMs.watch[s] ?? 0), 0);
  for (const stage of reportedStages) {
    const w = r.stageMs.watch[stage];
    const sync = r.stageMs.sync[stage];
    if (w === null || sync === null) {
      lines.push(`  ${stageNames[stage].padEnd(16)} ${'–'.padStart(9)} ${'–'.padStart(11)} ${'–'.padStart(10)}   (none in this pipeline)`);
      continue;
    }
    const share = watchTotal > 0 ? w / watchTotal : 0;
    lines.push(`  ${stageNames[stage].padEnd(16)} ${n(sync, 1).padStart(9)} ${n(w, 1).padStart(11)} ${(r.events > 0 ? n((w * 1000) / r.events, 1) : '–').padStart(10)}   ${`${n(share * 100)} %`.padStart(5)} ${'█'.repeat(Math.round(share * 30))}`);
  }
  if (r.timeline.length > 0) lines.push('', `  watch events per 100 ms (peak ${n(Math.max(...r.timeline))}): ${sparkline(r.timeline)}`);
  return `${lines.join('\n')}\n`;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const colours = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2'];

/** The report as a small SVG: watch time per stage as a stacked bar, events per 100 ms as a line. @internal */
export function reportSvg(r: BenchReport): string {
  const width = 640;
  const total = reportedStages.reduce((sum, s) => sum + (r.stageMs.watch[s] ?? 0), 0) || 1;
  const parts: string[] = [];
  let x = 20;
  reportedStages.forEach((stage, i) => {
    const ms = r.stageMs.watch[stage];
    const w = ((ms ?? 0) / total) * (width - 40);
    parts.push(`<rect x="${x.toFixed(1)}" y="50" width="${w.toFixed(1)}" height="24" fill="${colours[i]}"><title>${esc(stageNames[stage])}: ${ms ?? 'none'} ms</title></rect>`);
    parts.push(`<rect x="${20 + i * 124}" y="84" width="10" height="10" fill="${colours[i]}"/><text x="${34 + i * 124}" y="93">${esc(stageNames[stage])} ${ms === null ? '–' : `${Math.round((ms / total) * 100)} %`}</text>`);
    x += w;
  });
  const top = Math.max(...r.timeline, 1);
  const step = r.timeline.length > 1 ? (width - 40) / (r.timeline.length - 1) : 0;
  const points = r.timeline.map((v, i) => `${(20 + i * step).toFixed(1)},${(220 - (v / top) * 100).toFixed(1)}`).join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="250" font-family="sans-serif" font-size="10.5">
<text x="20" y="20" font-size="13" font-weight="bold">${esc(`rxkube bench: ${r.pipeline} — ${n(r.eventsPerSecond)} events/s, p50 ${ms(r.latencyMs.p50)}, p99 ${ms(r.latencyMs.p99)}`)}</text>
<text x="20" y="40">watch-phase time per stage (${ms(total)})</text>
${parts.join('\n')}
<text x="20" y="112">watch events per 100 ms (peak ${n(top)})</text>
<polyline fill="none" stroke="#4e79a7" stroke-width="1.5" points="${points}"/>
<line x1="20" y1="220" x2="${width - 20}" y2="220" stroke="#999"/>
</svg>
`;
}
