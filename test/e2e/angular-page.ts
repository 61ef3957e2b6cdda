/**
 * The Angular example (examples/angular) opened in Chromium, for its two browser suites: the page
 * with the informers on the main thread (`url`) and the worker-mode page (`workerUrl`).
 */
import type { Page } from 'playwright-core';
import { startAngularExample, type AngularExample } from '../../examples/angular/serve.ts';
import { launchChromium, type ChromiumPage } from './chromium.ts';

/** The example served and open in Chromium. */
export interface AngularPage extends ChromiumPage {
  readonly example: AngularExample;
}

/**
 * Serves the example with `pods` pods on `nodes` nodes, opens `which` of its pages in Chromium
 * (1280×900) and counts the server's requests from the page's load on.
 */
export async function openAngularExample(which: 'url' | 'workerUrl', options: { readonly pods: number; readonly nodes: number }): Promise<AngularPage> {
  const example = await startAngularExample(options);
  let browser: ChromiumPage;
  try {
    browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
  } catch (error) {
    await example.close();
    throw error;
  }
  example.server.clearRequests();
  const opened: AngularPage = {
    ...browser,
    example,
    close: async () => {
      await browser.close();
      await example.close();
    },
  };
  try {
    await browser.page.goto(example[which]);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}

/** Requests the page made since the last `clearRequests()`, as `verb resource` → count. */
export function requestCounts(example: AngularExample): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of example.server.requests) counts[`${r.verb} ${r.resource}`] = (counts[`${r.verb} ${r.resource}`] ?? 0) + 1;
  return counts;
}

/** Destroys the page's Angular application (`window.rxkubeExample.destroy()`). */
export function destroyApplication(page: Page): Promise<void> {
  return page.evaluate(() => (window as unknown as { rxkubeExample: { destroy(): void } }).rxkubeExample.destroy());
}
