/**
 * The Angular example (examples/angular) in a real browser: Debian's Chromium driven by
 * playwright-core, against the example served on loopback (production build with the JIT
 * compiler, zoneless, same-origin proxy to the simulated API server with 12 nodes and 600 pods).
 * The informers run in the page, over fetch; the components bind to them with `rxkube/angular`.
 *
 * The steps share one page and run in order: sync, sharing, a live change, the fault button,
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

/** Pods per node on the server: what the page must show. */
function serverPodsPerNode(example: AngularExample): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < NODES; i++) counts[`node-${i}`] = 0;
  for (const pod of example.server.list('pods').items as { spec?: { nodeName?: string } }[]) {
    const node = pod.spec?.nodeName ?? '';
    counts[node] = (counts[node] ?? 0) + 1;
  }
  return counts;
}

function pagePodsPerNode(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const counts: Record<string, number> = {};
    for (const card of document.querySelectorAll<HTMLElement>('[data-node]')) counts[card.dataset['node']!] = Number(card.querySelector('[data-node-pods]')?.textContent);
    return counts;
  });
}

interface StatusView {
  readonly phase: string;
  readonly synced: boolean;
  readonly log: readonly { seq: number; phase: string; text: string }[];
  readonly failure: string;
}

function readStatus(page: Page): Promise<StatusView> {
  return page.evaluate(() => {
    const banner = document.querySelector<HTMLElement>('[data-testid="status"]');
    return {
      phase: banner?.dataset['phase'] ?? '',
      synced: banner?.dataset['synced'] === 'true',
      log: [...document.querySelectorAll<HTMLElement>('[data-testid="status-log"] li')].map((li) => ({ seq: Number(li.dataset['seq']), phase: li.dataset['phase'] ?? '', text: li.textContent ?? '' })),
      failure: document.querySelector('[data-testid="last-failure"]')?.textContent ?? '',
    };
  });
}

async function waitForStatus(page: Page, predicate: (s: StatusView) => boolean, timeout = 20_000): Promise<StatusView> {
  let last: StatusView | undefined;
  await expect.poll(async () => predicate((last = await readStatus(page))), { timeout, interval: 50 }).toBe(true);
  return last!;
}

const lastSeq = (s: StatusView): number => Math.max(0, ...s.log.map((e) => e.seq));

/** Requests the page made since the last `clearRequests()`, as `verb resource` → count. */
function requestCounts(example: AngularExample): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of example.server.requests) counts[`${r.verb} ${r.resource}`] = (counts[`${r.verb} ${r.resource}`] ?? 0) + 1;
  return counts;
}

describe('Angular example in Chromium', () => {
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
    userDataDir = await mkdtemp(join(tmpdir(), 'rxkube-e2e-angular-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      // The injected faults make requests fail (reset watches, 410): that is the point.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    example.server.clearRequests();
    await page.goto(example.url);
  });

  afterAll(async () => {
    await context?.close();
    await example?.close();
    if (userDataDir !== undefined) await rm(userDataDir, { recursive: true, force: true });
  });

  it("shows the status banner and the server's exact pod count per node", async () => {
    await expect.poll(() => pagePodsPerNode(page), { timeout: 30_000, interval: 100 }).toEqual(serverPodsPerNode(example));
    expect(Number(await page.textContent('[data-testid="total"]'))).toBe(PODS);
    const status = await waitForStatus(page, (s) => s.phase === 'watching');
    expect(status.synced).toBe(true);
    expect(status.log.map((e) => e.phase)).toEqual(expect.arrayContaining(['listing', 'synced', 'watching']));
    expect(await page.getAttribute('[data-testid="nodes-status"]', 'data-phase')).toBe('watching');
    // The simulated server lists in key order: its first item is the pod whose key sorts first.
    expect(await page.textContent('[data-testid="first-pod"]')).toBe(example.server.list('pods').items[0]?.metadata?.name);
  });

  it('makes one list and one live watch per informer, however many signals bind to it', async () => {
    // NodeList binds four signals to pods (snapshot, two selects, object) and one to nodes; the
    // banner binds status signals. One request of each kind per informer.
    expect(requestCounts(example)).toEqual({ 'list pods': 1, 'watch pods': 1, 'list nodes': 1, 'watch nodes': 1 });
    expect(example.server.openWatches).toBe(2);
  });

  it('shows a live change on the right node', async () => {
    const before = await pagePodsPerNode(page);
    example.server.create('pods', { ...generatePod(mulberry32(99), 10_000, { namespace: 'default' }), spec: { nodeName: 'node-3' } });
    await expect.poll(() => pagePodsPerNode(page), { timeout: 10_000, interval: 50 }).toEqual({ ...before, 'node-3': before['node-3']! + 1 });
    expect(Number(await page.textContent('[data-testid="total"]'))).toBe(PODS + 1);
    await mkdir(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'angular.png'), fullPage: true });
  });

  it('wires its "Compact (410)" button: the banner shows the 410, a relist and the recovery', async () => {
    const before = lastSeq(await readStatus(page));
    await page.getByRole('button', { name: 'Compact (410)' }).click();

    await waitForStatus(page, (s) => s.log.some((e) => e.seq > before && e.phase === 'relisting'));
    const recovered = await waitForStatus(page, (s) => s.phase === 'watching' && s.log.some((e) => e.seq > before && e.phase === 'watching'));
    expect(recovered.synced).toBe(true);
    expect(recovered.log.find((e) => e.seq > before && e.phase === 'relisting')?.text).toMatch(/relisting \((expired|error)\)/);
    expect(recovered.failure).toMatch(/^informer pods: watch from resourceVersion \d+ failed: /);
    await expect.poll(() => pagePodsPerNode(page), { timeout: 10_000, interval: 50 }).toEqual(serverPodsPerNode(example));
    expect(example.server.openWatches).toBe(2);
  });

  it('tears the informers down when the components are destroyed, and starts them again when shown', async () => {
    example.server.clearRequests();
    await page.getByRole('button', { name: 'Hide cluster' }).click();
    // The banner's status signals alone do not hold the informers.
    await expect.poll(() => example.server.openWatches, { timeout: 10_000, interval: 50 }).toBe(0);
    await waitForStatus(page, (s) => s.phase === 'idle');
    expect(await page.isVisible('[data-testid="hidden"]')).toBe(true);

    await page.getByRole('button', { name: 'Show cluster' }).click();
    await expect.poll(() => pagePodsPerNode(page), { timeout: 20_000, interval: 100 }).toEqual(serverPodsPerNode(example));
    await waitForStatus(page, (s) => s.phase === 'watching');
    expect(requestCounts(example)).toEqual({ 'list pods': 1, 'watch pods': 1, 'list nodes': 1, 'watch nodes': 1 });
    expect(example.server.openWatches).toBe(2);
  });

  it('closes every watch when the application is destroyed', async () => {
    await page.evaluate(() => (window as unknown as { rxkubeExample: { destroy(): void } }).rxkubeExample.destroy());
    await expect.poll(() => example.server.openWatches, { timeout: 10_000, interval: 50 }).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
