/**
 * The Angular example (examples/angular) in a real browser: Debian's Chromium driven by
 * playwright-core, against the example served on loopback (production build with the JIT
 * compiler, zoneless, same-origin proxy to the simulated API server with 12 nodes and 600 pods).
 * The informers run in the page, over fetch; the components bind to them with `rxkube/angular`.
 *
 * The steps share one page and run in order: sync, sharing, a live change, the fault button,
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

describe('Angular example in Chromium', () => {
  let opened: AngularPage | undefined;
  let example: AngularExample;
  let page: Page;

  beforeAll(async () => {
    opened = await openAngularExample('url', { pods: PODS, nodes: NODES });
    ({ example, page } = opened);
  });

  afterAll(async () => {
    await opened?.close();
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
    await destroyApplication(page);
    await expect.poll(() => example.server.openWatches, { timeout: 10_000, interval: 50 }).toBe(0);
    expect(opened!.pageErrors).toEqual([]);
  });
});
