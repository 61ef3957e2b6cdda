/**
 * The dashboard example (examples/dashboard) in a real browser: Debian's Chromium driven by
 * playwright-core, against the example served on loopback (production build, same-origin proxy to
 * the simulated API server, 10,000 pods on 50 nodes). The informer runs in the page, over fetch.
 *
 * The steps share one page and run in order: sync, the namespace filter, the detail pane, churn,
 * frame budget, three faults (the last through the page's own button), convergence. What the page
 * draws is read back from its canvases, pixel by pixel, and compared with the counts. A second
 * page, on its own smaller cluster whose server pages its lists, checks what the page shows before
 * its first snapshot.
 *
 * Timing report (issue 17; reported, never asserted): sync time, heap after sync (and after a
 * forced GC), p95 work per frame, frames > 25 ms and long tasks during churn 300/s, and the
 * longest main-thread task of a relist, to test-results/dashboard-report.json and as a table row.
 * Another size: `DASHBOARD_E2E_PODS=50000 npx vitest run --config vitest.e2e.config.ts
 * test/e2e/dashboard.e2e.test.ts` (CI runs 10,000).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../examples/dashboard/serve.ts';
import { CHROMIUM_ARGS, launchChromium, type ChromiumPage } from './chromium.ts';
import { lastSeq, readStatus, waitForStatus } from './status-panel.ts';

const DASHBOARD_CHROMIUM_ARGS = [
  ...CHROMIUM_ARGS,
  '--disable-quic',
  // For the report: performance.memory unquantised, and gc() to read the heap after a collection.
  '--enable-precise-memory-info',
  '--js-flags=--expose-gc',
];
/** How long a wait for the status panel takes before it fails, unless a step says otherwise. */
const STATUS_TIMEOUT = 30_000;
// DASHBOARD_E2E_PODS runs the same steps at another size (e.g. 50000) for the timing report.
const PODS = Number(process.env['DASHBOARD_E2E_PODS'] ?? 10_000);
/** Timeouts grow with the cluster. */
const SCALE = Math.max(1, PODS / 10_000);
const NODES = 50;
const CHURN_PER_SECOND = 300;
const RESULTS = join(import.meta.dirname, '../../test-results');

/** What the page shows: the total, and the count of every (node, phase) with pods. */
interface Counts {
  readonly total: number;
  readonly byNodePhase: Record<string, number>;
}

interface PageView extends Counts {
  readonly resourceVersion: string;
  /** Pods drawn (one dot each). */
  readonly dots: number;
  /** Sum of the node cards' totals. */
  readonly nodeTotals: number;
}

function serverCounts(dashboard: Dashboard, namespace = ''): Counts {
  const byNodePhase: Record<string, number> = {};
  const items = dashboard.server.list('pods').items.filter((p) => namespace === '' || p.metadata?.namespace === namespace);
  for (const pod of items as { spec?: { nodeName?: string }; status?: { phase?: string } }[]) {
    const phase = pod.status?.phase;
    const key = `${pod.spec?.nodeName ?? '(unscheduled)'}|${phase === 'Running' || phase === 'Pending' || phase === 'Succeeded' || phase === 'Failed' ? phase : 'Unknown'}`;
    byNodePhase[key] = (byNodePhase[key] ?? 0) + 1;
  }
  return { total: items.length, byNodePhase };
}

function readPage(page: Page): Promise<PageView> {
  return page.evaluate(() => {
    const num = (text: string | null | undefined): number => Number((text ?? '').replace(/[^0-9]/g, ''));
    const byNodePhase: Record<string, number> = {};
    let nodeTotals = 0;
    for (const card of document.querySelectorAll<HTMLElement>('[data-node]')) {
      nodeTotals += num(card.querySelector('[data-node-total]')?.textContent);
      for (const b of card.querySelectorAll<HTMLElement>('[data-phase]')) byNodePhase[`${card.dataset['node']}|${b.dataset['phase']}`] = num(b.textContent);
    }
    return {
      total: num(document.querySelector('[data-testid="total"]')?.textContent),
      byNodePhase,
      resourceVersion: document.querySelector<HTMLElement>('[data-testid="counts"]')?.dataset['resourceVersion'] ?? '',
      dots: [...document.querySelectorAll<HTMLElement>('canvas[data-drawn]')].reduce((a, c) => a + Number(c.dataset['drawn']), 0),
      nodeTotals,
    };
  });
}

/**
 * What the canvases show, read pixel by pixel: the cells of each (node, phase), by colour. The page
 * draws only the cells that changed, so a stale or missed cell shows up here as a wrong count.
 */
function readCells(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const COLOURS: Record<string, string> = { '46,160,67': 'Running', '210,153,34': 'Pending', '56,139,253': 'Succeeded', '248,81,73': 'Failed', '163,113,247': 'Unknown' };
    const ratio = window.devicePixelRatio || 1;
    const out: Record<string, number> = {};
    for (const card of document.querySelectorAll<HTMLElement>('[data-node]')) {
      const canvas = card.querySelector('canvas')!;
      const columns = Number(canvas.dataset['columns']);
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const rows = Math.floor(canvas.height / (7 * ratio));
      for (let slot = 0; slot < rows * columns; slot++) {
        const x = Math.floor(((slot % columns) * 7 + 3) * ratio);
        const y = Math.floor((Math.floor(slot / columns) * 7 + 3) * ratio);
        const i = (y * canvas.width + x) * 4;
        if (data[i + 3] === 0) continue;
        const phase = COLOURS[`${data[i]},${data[i + 1]},${data[i + 2]}`] ?? `rgb(${data[i]},${data[i + 1]},${data[i + 2]})`;
        const key = `${card.dataset['node']}|${phase}`;
        out[key] = (out[key] ?? 0) + 1;
      }
    }
    return out;
  });
}

/** The page's own recording since load (see the init script): long tasks and frame intervals. */
interface Recording {
  readonly firstViewMs: number | undefined;
  readonly longTasks: readonly { readonly start: number; readonly duration: number }[];
  readonly frames: readonly { readonly at: number; readonly interval: number }[];
  readonly now: number;
}

const readRecording = (page: Page): Promise<Recording> =>
  page.evaluate(() => {
    const r = (window as unknown as { __recording: Omit<Recording, 'now'> }).__recording;
    return { firstViewMs: r.firstViewMs, longTasks: [...r.longTasks], frames: [...r.frames], now: performance.now() };
  });

/** Long tasks and frames > 25 ms in `[from, to)` of the page's clock. */
function window_(r: Recording, from: number, to = r.now) {
  const tasks = r.longTasks.filter((t) => t.start >= from && t.start < to);
  const frames = r.frames.filter((f) => f.at >= from && f.at < to);
  return {
    longTasks: { count: tasks.length, totalMs: Math.round(tasks.reduce((a, t) => a + t.duration, 0)), maxMs: Math.round(Math.max(0, ...tasks.map((t) => t.duration))) },
    frames: frames.length,
    framesOver25ms: frames.length === 0 ? 0 : frames.filter((f) => f.interval > 25).length / frames.length,
  };
}

const heapMb = async (page: Page, collect = false): Promise<number> =>
  page.evaluate((gc) => {
    if (gc) (window as unknown as { gc(): void }).gc();
    return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 1_048_576;
  }, collect);

describe('dashboard example in Chromium', () => {
  let dashboard: Dashboard;
  let browser: ChromiumPage | undefined;
  let page: Page;
  const report: Record<string, unknown> = {};

  beforeAll(async () => {
    await mkdir(RESULTS, { recursive: true });
    dashboard = await startDashboard({ pods: PODS, nodes: NODES, churnPerSecond: 0 });
    browser = await launchChromium({ args: DASHBOARD_CHROMIUM_ARGS, viewport: { width: 1440, height: 1000 } });
    page = browser.page;
    // The page's own recording, from before its first script: every long task, every frame
    // interval, and when the first view (the total) appeared.
    await page.addInitScript(() => {
      const r = { firstViewMs: undefined as number | undefined, longTasks: [] as { start: number; duration: number }[], frames: [] as { at: number; interval: number }[] };
      (window as unknown as { __recording: typeof r }).__recording = r;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) r.longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
      let last: number | undefined;
      const tick = (now: number): void => {
        if (last !== undefined) r.frames.push({ at: last, interval: now - last });
        last = now;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const seen = new MutationObserver(() => {
        if (document.querySelector('[data-testid="total"]') === null) return;
        r.firstViewMs = performance.now();
        seen.disconnect();
      });
      seen.observe(document, { subtree: true, childList: true });
    });
    await page.goto(dashboard.url);
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    if (Object.keys(report).length === 0) return;
    const full = { at: new Date().toISOString(), pods: PODS, nodes: NODES, churnPerSecond: CHURN_PER_SECOND, loadAverage: loadavg(), ...report };
    await writeFile(join(RESULTS, 'dashboard-report.json'), JSON.stringify(full, null, 2));
    const f = (v: unknown, digits = 1): string => (typeof v === 'number' ? v.toFixed(digits) : '?');
    const sync = report['sync'] as { ms?: number; heapMb?: number; heapAfterGcMb?: number; longTasks?: { maxMs: number } } | undefined;
    const churn = report['churn'] as { workP95Ms?: number; framesOver25ms?: number; longTasks?: { count: number; maxMs: number } } | undefined;
    const relist = report['relist'] as { longTasks?: { maxMs: number } } | undefined;
    console.log(
      `[dashboard] timing report (${PODS} pods, churn ${CHURN_PER_SECOND}/s, load average ${loadavg()[0]!.toFixed(1)}):\n` +
        '| pods | sync | heap after sync (after GC) | p95 work/frame | frames > 25 ms | long tasks in churn (max) | longest task in sync / relist |\n' +
        '|---|---|---|---|---|---|---|\n' +
        `| ${PODS.toLocaleString('en-US')} | ${f((sync?.ms ?? NaN) / 1000)} s | ${f(sync?.heapMb, 0)} (${f(sync?.heapAfterGcMb, 0)}) MB | ${f(churn?.workP95Ms)} ms | ` +
        `${f((churn?.framesOver25ms ?? NaN) * 100)} % | ${churn?.longTasks?.count ?? '?'} (${churn?.longTasks?.maxMs ?? '?'} ms) | ` +
        `${f((sync?.longTasks?.maxMs ?? NaN) / 1000, 2)} s / ${f((relist?.longTasks?.maxMs ?? NaN) / 1000, 2)} s |`,
    );
  });

  it("serves React's production build, even under vitest (NODE_ENV=test), so that its timings are the users'", async () => {
    const assets = join(import.meta.dirname, '../../examples/dashboard/dist/assets');
    const scripts = (await readdir(assets)).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    expect(process.env['NODE_ENV']).toBe('test'); // restored after the build
    for (const file of scripts) expect(await readFile(join(assets, file), 'utf8')).not.toContain('jsxDEV');
  });

  it("lists the simulated cluster and shows the server's exact counts per node and phase", async () => {
    const expected = serverCounts(dashboard);
    expect(expected.total).toBe(PODS);
    await expect.poll(async () => {
      const { total, byNodePhase } = await readPage(page);
      return { total, byNodePhase };
    }, { timeout: 60_000 * SCALE, interval: 100 }).toEqual(expected);

    const view = await readPage(page);
    expect(view.dots).toBe(PODS);
    expect(view.nodeTotals).toBe(PODS);
    expect(await readCells(page)).toEqual(expected.byNodePhase);
    expect(new Set(Object.keys(view.byNodePhase).map((k) => k.split('|')[0])).size).toBe(NODES);
    const status = await waitForStatus(page, (s) => s.phase === 'watching', STATUS_TIMEOUT);
    expect(status.synced).toBe(true);

    const recording = await readRecording(page);
    report['sync'] = {
      ms: Math.round(recording.firstViewMs ?? NaN),
      heapMb: await heapMb(page),
      heapAfterGcMb: await heapMb(page, true),
      ...window_(recording, 0, recording.firstViewMs),
    };
  }, 120_000 * SCALE);

  it('filters by namespace from the store, without a new list: the counts and cells are that namespace\'s', async () => {
    const lists = () => dashboard.server.requests.filter((r) => r.verb === 'list' && r.resource === 'pods').length;
    const listsBefore = lists();
    await page.selectOption('[data-testid="namespace"]', 'payments');
    const expected = serverCounts(dashboard, 'payments');
    expect(expected.total).toBeGreaterThan(0);
    expect(expected.total).toBeLessThan(PODS);
    await expect.poll(async () => {
      const { total, byNodePhase } = await readPage(page);
      return { total, byNodePhase };
    }, { timeout: 10_000, interval: 50 }).toEqual(expected);
    expect(await readCells(page)).toEqual(expected.byNodePhase);
    expect((await readPage(page)).dots).toBe(expected.total);

    await page.selectOption('[data-testid="namespace"]', '');
    await expect.poll(async () => (await readPage(page)).total, { timeout: 10_000, interval: 50 }).toBe(PODS);
    expect(await readCells(page)).toEqual(serverCounts(dashboard).byNodePhase);
    expect(lists()).toBe(listsBefore);
  });

  it("shows a clicked cell's pod in the detail pane, and follows that pod's changes live", async () => {
    const card = page.locator('[data-node]').first();
    const node = await card.getAttribute('data-node');
    await card.locator('canvas').click({ position: { x: 3, y: 3 } }); // the first cell
    await expect.poll(() => page.getAttribute('[data-testid="detail"]', 'data-key'), { timeout: 5_000 }).toMatch(/^[a-z]+\/.+/);
    const key = (await page.getAttribute('[data-testid="detail"]', 'data-key'))!;
    const pod = dashboard.server.list('pods').items.find((p) => `${p.metadata?.namespace}/${p.metadata?.name}` === key) as
      | { metadata: { name: string; resourceVersion: string }; spec: { nodeName: string }; status: { phase: string } }
      | undefined;
    expect(pod?.spec.nodeName).toBe(node);
    expect(await page.textContent('[data-testid="detail-key"]')).toContain(pod!.metadata.name);
    expect(await page.textContent('[data-testid="detail-node"]')).toBe(node);
    expect((await page.textContent('[data-testid="detail-phase"]'))?.trim()).toBe(pod!.status.phase);
    expect(await page.textContent('[data-testid="detail-rv"]')).toBe(pod!.metadata.resourceVersion);
    // The selected cell is outlined (its centre keeps the phase colour, which readCells samples).
    const ring = await card.locator('canvas').evaluate((c: HTMLCanvasElement) => [...c.getContext('2d')!.getImageData(0, Math.floor(2 * (window.devicePixelRatio || 1)), 1, 1).data]);
    expect(ring).toEqual([255, 255, 255, 255]);

    const patched = dashboard.server.patch('pods', key, { metadata: { labels: { 'rxkube.example/clicked': 'yes' } } });
    await expect.poll(() => page.textContent('[data-testid="detail-rv"]'), { timeout: 10_000, interval: 50 }).toBe(patched.metadata?.resourceVersion);
    expect(await page.textContent('[data-testid="detail-labels"] [data-label="rxkube.example/clicked"]')).toBe('rxkube.example/clicked=yes');
  });

  it('follows the churn: counts and resourceVersion change, and every pod drawn is counted', async () => {
    const before = await readPage(page);
    dashboard.setChurnRate(CHURN_PER_SECOND);

    await expect.poll(async () => {
      const now = await readPage(page);
      return now.resourceVersion !== before.resourceVersion && now.total !== before.total && JSON.stringify(now.byNodePhase) !== JSON.stringify(before.byNodePhase);
    }, { timeout: 30_000 * SCALE, interval: 250 }).toBe(true);
    await expect.poll(async () => Number((await page.textContent('[data-testid="delta-rate"]'))?.replace(/[^0-9]/g, '')), { timeout: 10_000 }).toBeGreaterThan(0);

    for (let i = 0; i < 5; i++) {
      const view = await readPage(page);
      expect(view.dots).toBe(view.total);
      expect(view.nodeTotals).toBe(view.total);
      expect(Object.values(view.byNodePhase).reduce((a, b) => a + b, 0)).toBe(view.total);
      await page.waitForTimeout(200);
    }
  });

  it(`measures its frame budget at ${PODS.toLocaleString('en-US')} pods under churn`, async () => {
    // Fifteen seconds of churn fill the page's measurement window (the last 600 frames) with frames
    // of steady churn.
    const from = (await readRecording(page)).now;
    await page.waitForTimeout(15_000);
    const metrics = JSON.parse((await page.getAttribute('[data-testid="frame-budget"]', 'data-metrics')) ?? '{}') as {
      pods: number;
      frameWork: { samples: number; p50: number; p95: number; max: number };
      derive: { samples: number; p50: number; p95: number; max: number };
      render: { samples: number; p50: number; p95: number; max: number };
      frameInterval: { samples: number; p50: number; p95: number; max: number };
      jankRatio: number;
      longTasks: { count: number; totalMs: number; maxMs: number };
    };
    const rate = Number((await page.textContent('[data-testid="delta-rate"]'))?.replace(/[^0-9]/g, ''));
    expect(metrics.pods).toBeGreaterThanOrEqual(PODS);
    expect(metrics.frameWork.samples).toBeGreaterThan(100);
    expect(metrics.frameInterval.samples).toBeGreaterThan(100);
    expect(rate).toBeGreaterThan(0);

    // The numbers depend on the machine and on what else runs on it: record the load with them.
    const budget = { at: new Date().toISOString(), nodes: NODES, churnPerSecond: CHURN_PER_SECOND, deltasPerSecond: rate, loadAverage: loadavg(), ...metrics };
    await writeFile(join(RESULTS, 'dashboard-frame-budget.json'), JSON.stringify(budget, null, 2));
    report['churn'] = {
      seconds: 15,
      deltasPerSecond: rate,
      workP50Ms: metrics.frameWork.p50,
      workP95Ms: metrics.frameWork.p95,
      workMaxMs: metrics.frameWork.max,
      applyAndDrawP95Ms: metrics.derive.p95,
      renderP95Ms: metrics.render.p95,
      heapMb: await heapMb(page),
      ...window_(await readRecording(page), from),
    };
    await page.screenshot({ path: join(RESULTS, 'dashboard-churn.png'), fullPage: true });
    console.log(
      `[dashboard] ${metrics.pods} pods, churn ${CHURN_PER_SECOND}/s (${rate} deltas/s): ` +
        `work/frame p50 ${metrics.frameWork.p50.toFixed(2)} ms, p95 ${metrics.frameWork.p95.toFixed(2)} ms, max ${metrics.frameWork.max.toFixed(1)} ms ` +
        `(render p95 ${metrics.render.p95.toFixed(2)} ms, apply + draw p95 ${metrics.derive.p95.toFixed(2)} ms); ` +
        `frame interval p50 ${metrics.frameInterval.p50.toFixed(1)} ms, p95 ${metrics.frameInterval.p95.toFixed(1)} ms; ` +
        `${(metrics.jankRatio * 100).toFixed(1)}% frames > 25 ms; ${metrics.longTasks.count} long tasks in 10 s; load average ${loadavg()[0]!.toFixed(1)}`,
    );
  }, 60_000 * SCALE);

  it('resumes dropped (established) watches at once: a new watch, and no backingOff in its status', async () => {
    const before = lastSeq(await readStatus(page));
    const podWatches = () => dashboard.server.requests.filter((r) => r.verb === 'watch' && r.resource === 'pods').length;
    const watchesBefore = podWatches();
    expect(dashboard.server.faults.dropWatches({ resource: 'pods' })).toBeGreaterThan(0);

    await expect.poll(podWatches, { timeout: 30_000, interval: 50 }).toBeGreaterThan(watchesBefore);
    const status = await waitForStatus(page, (s) => s.phase === 'watching', STATUS_TIMEOUT);
    expect(status.log.filter((e) => e.seq > before && e.phase === 'backingOff')).toEqual([]);
  });

  it('shows a burst of 503s in its status with the error, backs off, and recovers', async () => {
    const before = lastSeq(await readStatus(page));
    dashboard.server.faults.failNext(503, { count: 3, match: { resource: 'pods' }, retryAfterSeconds: 1 });
    expect(dashboard.server.faults.dropWatches({ resource: 'pods' })).toBeGreaterThan(0);

    await waitForStatus(page, (s) => s.log.some((e) => e.seq > before && e.phase === 'backingOff' && e.text.includes('503')), STATUS_TIMEOUT);
    const recovered = await waitForStatus(page, (s) => s.phase === 'watching' && s.log.some((e) => e.seq > before && e.phase === 'watching'), 60_000);
    expect(recovered.synced).toBe(true);
  });

  it('wires its "Compact (410)" button: the watch gets 410 Gone, the page relists and watches again', async () => {
    const before = lastSeq(await readStatus(page));
    const from = (await readRecording(page)).now;
    await page.getByRole('button', { name: 'Compact (410)' }).click();

    await waitForStatus(page, (s) => s.log.some((e) => e.seq > before && e.phase === 'relisting'), 60_000 * SCALE);
    const recovered = await waitForStatus(page, (s) => s.phase === 'watching' && s.log.some((e) => e.seq > before && e.phase === 'watching'), 60_000 * SCALE);
    expect(recovered.synced).toBe(true);
    report['relist'] = window_(await readRecording(page), from);
  }, 150_000 * SCALE);

  it("converges to the server's exact counts once the churn stops", async () => {
    dashboard.setChurnRate(0);
    // Only pods change in this cluster, so the last pod event carries the server's resourceVersion.
    const expected = { ...serverCounts(dashboard), resourceVersion: dashboard.server.list('pods').resourceVersion };
    await expect.poll(async () => {
      const { total, byNodePhase, resourceVersion } = await readPage(page);
      return { total, byNodePhase, resourceVersion };
    }, { timeout: 30_000 * SCALE, interval: 250 }).toEqual(expected);
    const view = await readPage(page);
    expect(view.dots).toBe(expected.total);
    expect(view.nodeTotals).toBe(expected.total);
    // After minutes of cells drawn one by one, the canvases still show exactly the server's pods.
    expect(await readCells(page)).toEqual(expected.byNodePhase);

    await page.screenshot({ path: join(RESULTS, 'dashboard.png'), fullPage: true });
    expect(browser!.pageErrors).toEqual([]);
  });
});

describe('dashboard example in Chromium, before the first sync (issue 17)', () => {
  let dashboard: Dashboard;
  let browser: ChromiumPage | undefined;

  beforeAll(async () => {
    // A server that pages its lists (500 per page, with remainingItemCount), so progress shows.
    dashboard = await startDashboard({ pods: 3_000, nodes: 10, churnPerSecond: 0, paginateLists: true });
    browser = await launchChromium({ args: DASHBOARD_CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
  });

  it('shows the status panel and the list progress (received / ~total) before the first snapshot', async () => {
    // The first two lists fail: the page must say so before it has anything to draw.
    dashboard.server.faults.failNext(503, { count: 2, match: { verb: 'list', resource: 'pods' } });
    const page = browser!.page;
    // Records what the page showed while it had no snapshot yet (no total drawn).
    await page.addInitScript(() => {
      const seen = { progress: [] as string[], phases: [] as string[] };
      (window as unknown as { __beforeSync: typeof seen }).__beforeSync = seen;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="total"]')) return;
        const progress = document.querySelector('[data-testid="list-loaded"]')?.textContent;
        if (progress && seen.progress.at(-1) !== progress) seen.progress.push(progress);
        const phase = document.querySelector<HTMLElement>('[data-testid="status"]')?.dataset['phase'];
        if (phase && seen.phases.at(-1) !== phase) seen.phases.push(phase);
      }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.goto(dashboard.url);
    await waitForStatus(page, (s) => s.phase === 'watching' && s.synced, STATUS_TIMEOUT);
    const seen = await page.evaluate(() => (window as unknown as { __beforeSync: { progress: string[]; phases: string[] } }).__beforeSync);
    expect(seen.phases).toContain('backingOff');
    expect(seen.phases).toContain('listing');
    // At least one page in, the server's estimate of the total shown.
    expect(seen.progress.some((p) => /^[1-9][\d,]* \/ ~3,000$/.test(p) && p !== '3,000 / ~3,000')).toBe(true);
  });
});
