/**
 * The Angular example's worker mode (examples/angular/worker.html) in a real browser: Debian's
 * Chromium driven by playwright-core, against the example served on loopback (12 nodes, 600
 * pods). The pods informer runs in a Web Worker (`rxkube/worker`); the components bind
 * `statusSignal`, `snapshotSignal` and `selectSignal` to the worker's views, unchanged.
 *
 * The steps share one page and run in order: sync, a live change, a pod by key, the 410 button,
 * teardown on destroy.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AngularExample } from '../../examples/angular/serve.ts';
import { generatePod, mulberry32 } from '../../src/testing/index.ts';
import { destroyApplication, openAngularExample, requestCounts, type AngularPage } from './angular-page.ts';
import { lastSeq, readStatus, waitForStatus } from './status-panel.ts';

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

describe('Angular example, worker mode, in Chromium', () => {
  let opened: AngularPage | undefined;
  let example: AngularExample;
  let page: Page;

  beforeAll(async () => {
    opened = await openAngularExample('workerUrl', { pods: PODS, nodes: NODES });
    ({ example, page } = opened);
  });

  afterAll(async () => {
    await opened?.close();
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
    await destroyApplication(page);
    await expect.poll(() => example.server.openWatches, { timeout: 10_000, interval: 50 }).toBe(0);
    expect(opened!.pageErrors).toEqual([]);
  });
});
