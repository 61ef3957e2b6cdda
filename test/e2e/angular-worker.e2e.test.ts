/**
 * The Angular example's worker mode (examples/angular/worker.html) in a real browser: Debian's
 * Chromium driven by playwright-core, against the example served on loopback (12 nodes, 600
 * pods). The pods informer runs in a Web Worker (`rxkube/worker`); the components bind
 * `statusSignal`, `snapshotSignal` and `selectSignal` to the worker's views, unchanged.
 *
 * The steps share one page and run in order: sync, a live change, a pod by key, the 410 button,
 * teardown on destroy.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAngularExample, type AngularExample } from '../../examples/angular/serve.ts';
import { generatePod, mulberry32 } from '../../src/testing/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const PODS = 600;
const NODES = 12;
const RESULTS = join(import.meta.dirname, '../../test-results');

interface NodeCounts {
  readonly pods: number;
  readonly running: number;
}

/** Pods and running pods per node on the server (nodes with pods): what the page must show. */
function serverPerNode(example: AngularExample): Record<string, NodeCounts> {
  const counts: Record<string, { pods: number; running: number }> = {};
  for (const pod of example.server.list('pods').items as { spec?: { nodeName?: string }; status?: { phase?: string } }[]) {
    const node = pod.spec?.nodeName;
    if (node === undefined) continue;
    const row = (counts[node] ??= { pods: 0, running: 0 });
    row.pods += 1;
    if (pod.status?.phase === 'Running') row.running += 1;
  }
  return counts;
}

function pagePerNode(page: Page): Promise<Record<string, NodeCounts>> {
  return page.evaluate(() => {
    const counts: Record<string, { pods: number; running: number }> = {};
    for (const card of document.querySelectorAll<HTMLElement>('[data-node]')) {
      counts[card.dataset['node']!] = { pods: Number(card.querySelector('[data-node-pods]')?.textContent), running: parseInt(card.querySelector('[data-node-running]')?.textContent ?? '', 10) };
    }
    return counts;
  });
}

interface StatusView {
  readonly phase: string;
  readonly synced: boolean;
  readonly log: readonly { seq: number; phase: string }[];
}

function readStatus(page: Page): Promise<StatusView> {
  return page.evaluate(() => {
    const banner = document.querySelector<HTMLElement>('[data-testid="status"]');
    return {
      phase: banner?.dataset['phase'] ?? '',
      synced: banner?.dataset['synced'] === 'true',
      log: [...document.querySelectorAll<HTMLElement>('[data-testid="status-log"] li')].map((li) => ({ seq: Number(li.dataset['seq']), phase: li.dataset['phase'] ?? '' })),
    };
  });
}

async function waitForStatus(page: Page, predicate: (s: StatusView) => boolean, timeout = 20_000): Promise<StatusView> {
  let last: StatusView | undefined;
  await expect.poll(async () => predicate((last = await readStatus(page))), { timeout, interval: 50 }).toBe(true);
  return last!;
}

const lastSeq = (s: StatusView): number => Math.max(0, ...s.log.map((e) => e.seq));

function requestCounts(example: AngularExample): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of example.server.requests) counts[`${r.verb} ${r.resource}`] = (counts[`${r.verb} ${r.resource}`] ?? 0) + 1;
  return counts;
}

describe('Angular example, worker mode, in Chromium', () => {
  let example: AngularExample;
  let context: BrowserContext | undefined;
  let page: Page;
  let userDataDir: string | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}. Install Debian's Chromium: apt-get update && apt-get install -y chromium`);
    }
    example = await startAngularExample({ pods: PODS, nodes: NODES });
    userDataDir = await mkdtemp(join(tmpdir(), 'rxkube-e2e-angular-worker-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      // The injected 410 makes the dropped watch fail: that is the point.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    example.server.clearRequests();
    await page.goto(example.workerUrl);
  });

  afterAll(async () => {
    await context?.close();
    await example?.close();
    if (userDataDir !== undefined) await rm(userDataDir, { recursive: true, force: true });
  });

  it("renders the server's pod and running counts per node from the worker's views", async () => {
    await expect.poll(() => pagePerNode(page), { timeout: 30_000, interval: 100 }).toEqual(serverPerNode(example));
    expect(Number(await page.textContent('[data-testid="total"]'))).toBe(PODS);
    const status = await waitForStatus(page, (s) => s.phase === 'watching');
    expect(status.synced).toBe(true);
    expect(status.log.map((e) => e.phase)).toEqual(expect.arrayContaining(['listing', 'synced', 'watching']));
    // The informer lives in the page's one worker: one list and one watch of pods, nothing else.
    expect(page.workers()).toHaveLength(1);
    expect(requestCounts(example)).toEqual({ 'list pods': 1, 'watch pods': 1 });
    expect(example.server.openWatches).toBe(1);
  });

  it('updates from the worker: a new running pod shows on its node', async () => {
    const before = await pagePerNode(page);
    const pod = generatePod(mulberry32(99), 10_000, { namespace: 'default', nodeName: 'node-3' });
    example.server.create('pods', { ...pod, status: { ...(pod as { status?: object }).status, phase: 'Running' } });
    const node3 = before['node-3'] ?? { pods: 0, running: 0 };
    await expect.poll(() => pagePerNode(page), { timeout: 10_000, interval: 50 }).toEqual({ ...before, 'node-3': { pods: node3.pods + 1, running: node3.running + 1 } });
    expect(Number(await page.textContent('[data-testid="total"]'))).toBe(PODS + 1);
    await mkdir(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'angular-worker.png'), fullPage: true });
  });

  it('fetches one pod from the worker by key', async () => {
    const pod = example.server.list('pods').items[5]! as { metadata?: { namespace?: string; name?: string }; spec?: { nodeName?: string } };
    await page.fill('[data-testid="pod-key"]', `${pod.metadata?.namespace}/${pod.metadata?.name}`);
    await page.getByRole('button', { name: 'Get pod' }).click();
    await expect.poll(() => page.textContent('[data-testid="pod-detail"]').catch(() => null), { timeout: 10_000, interval: 50 }).toMatch(new RegExp(`^${pod.metadata?.name} on ${pod.spec?.nodeName}: `));
  });

  it('wires its "Compact (410)" button: the worker relists and the banner shows it', async () => {
    const before = lastSeq(await readStatus(page));
    await page.getByRole('button', { name: 'Compact (410)' }).click();
    await waitForStatus(page, (s) => s.log.some((e) => e.seq > before && e.phase === 'relisting'));
    const recovered = await waitForStatus(page, (s) => s.phase === 'watching' && s.log.some((e) => e.seq > before && e.phase === 'watching'));
    expect(recovered.synced).toBe(true);
    await expect.poll(() => pagePerNode(page), { timeout: 10_000, interval: 50 }).toEqual(serverPerNode(example));
    expect(example.server.openWatches).toBe(1);
  });

  it("stops the worker's informer when the components are destroyed, and starts it again when shown", async () => {
    example.server.clearRequests();
    await page.getByRole('button', { name: 'Hide cluster' }).click();
    // The banner's status signal alone does not hold the views, so the worker releases the watch.
    await expect.poll(() => example.server.openWatches, { timeout: 10_000, interval: 50 }).toBe(0);
    expect(await page.isVisible('[data-testid="hidden"]')).toBe(true);

    await page.getByRole('button', { name: 'Show cluster' }).click();
    await expect.poll(() => pagePerNode(page), { timeout: 20_000, interval: 100 }).toEqual(serverPerNode(example));
    await waitForStatus(page, (s) => s.phase === 'watching');
    expect(requestCounts(example)).toEqual({ 'list pods': 1, 'watch pods': 1 });
    expect(example.server.openWatches).toBe(1);
  });

  it('closes the watch when the application is destroyed', async () => {
    await page.evaluate(() => (window as unknown as { rxkubeExample: { destroy(): void } }).rxkubeExample.destroy());
    await expect.poll(() => example.server.openWatches, { timeout: 10_000, interval: 50 }).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
