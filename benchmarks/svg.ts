/**
 * A hand-written SVG chart of a run: watch events/s and retained heap per contender, grouped by
 * N, as horizontal bars. No dependency.
 */
import { CONTENDERS, type Row } from './report.ts';

const COLORS: Record<string, string> = {
  rxkube: '#1f6feb',
  'rxkube-unfrozen': '#58a6ff',
  'rxkube-lean': '#2da44e',
  'rxkube-meta': '#7ee787',
  'rxkube-meta-lean': '#4ac26b',
  'rxkube-stream': '#8250df',
  'rxkube-fetch': '#bf8700',
  'client-node': '#cf222e',
  floor: '#9a6700',
  'parse-only': '#6e7781',
};

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function panel(rows: readonly Row[], metric: string, title: string, unit: (v: number) => string, x0: number, width: number): { svg: string; height: number } {
  const data = rows.filter((r) => r.scenario === 'watch' && r.metric === metric);
  const ns = [...new Set(data.map((r) => r.n))].sort((a, b) => a - b);
  const labelW = 250;
  const barH = 14;
  const gap = 4;
  const barW = width - labelW - 90;
  const parts: string[] = [`<text x="${x0}" y="20" class="title">${escape(title)}</text>`];
  let y = 36;
  for (const n of ns) {
    const group = CONTENDERS.map((c) => data.find((r) => r.n === n && r.contender === c.id)).filter((r): r is Row => r !== undefined);
    const max = Math.max(1, ...group.map((r) => r.max ?? r.median ?? 0));
    parts.push(`<text x="${x0}" y="${y + 12}" class="group">N = ${n.toLocaleString('en')}</text>`);
    y += 18;
    for (const r of group) {
      const label = CONTENDERS.find((c) => c.id === r.contender)?.label ?? r.contender;
      parts.push(`<text x="${x0 + labelW - 6}" y="${y + barH - 3}" class="label" text-anchor="end">${escape(label)}</text>`);
      if (r.median === null) {
        parts.push(`<text x="${x0 + labelW + 4}" y="${y + barH - 3}" class="value">failed</text>`);
      } else {
        const w = Math.max(1, (r.median / max) * barW);
        parts.push(`<rect x="${x0 + labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[r.contender] ?? '#888'}"/>`);
        if (r.min !== null && r.max !== null) {
          const a = x0 + labelW + (r.min / max) * barW;
          const b = x0 + labelW + (r.max / max) * barW;
          parts.push(`<line x1="${a.toFixed(1)}" x2="${b.toFixed(1)}" y1="${y + barH / 2}" y2="${y + barH / 2}" class="range"/>`);
        }
        parts.push(`<text x="${(x0 + labelW + w + 4).toFixed(1)}" y="${y + barH - 3}" class="value">${escape(unit(r.median))}</text>`);
      }
      y += barH + gap;
    }
    y += 10;
  }
  return { svg: parts.join('\n'), height: y };
}

/** The chart as an SVG document. */
export function chart(rows: readonly Row[], caption: string): string {
  const width = 620;
  const left = panel(rows, 'events/s', 'Watch events/s (higher is better)', (v) => `${(v / 1000).toFixed(1)}k/s`, 10, width);
  const right = panel(rows, 'heap', 'Retained heap after GC (lower is better)', (v) => `${v.toFixed(0)} MB`, width + 20, width);
  const height = Math.max(left.height, right.height) + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * width + 30}" height="${height}" viewBox="0 0 ${2 * width + 30} ${height}" font-family="system-ui, sans-serif">
<style>
.title { font-size: 15px; font-weight: 600; }
.group { font-size: 13px; font-weight: 600; fill: #444; }
.label { font-size: 11px; fill: #333; }
.value { font-size: 11px; fill: #333; }
.caption { font-size: 11px; fill: #666; }
.range { stroke: #000; stroke-width: 1; stroke-opacity: 0.5; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
${left.svg}
${right.svg}
<text x="10" y="${height - 10}" class="caption">${escape(caption)}</text>
</svg>
`;
}
