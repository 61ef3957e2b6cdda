/**
 * The informer status panel the examples draw (`[data-testid="status"]` with `data-phase` and
 * `data-synced`, a log of `<li data-seq data-phase>`), read back from the page.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** What the status panel shows. */
export interface StatusView {
  readonly phase: string;
  readonly synced: boolean;
  /** `[data-testid="status-detail"]`'s text ('' where the page has none). */
  readonly detail: string;
  /** `[data-testid="last-failure"]`'s text ('' where the page has none). */
  readonly failure: string;
  readonly log: readonly { seq: number; phase: string; text: string }[];
}

/** Reads the status panel once. */
export function readStatus(page: Page): Promise<StatusView> {
  return page.evaluate(() => {
    const panel = document.querySelector<HTMLElement>('[data-testid="status"]');
    return {
      phase: panel?.dataset['phase'] ?? '',
      synced: panel?.dataset['synced'] === 'true',
      detail: document.querySelector('[data-testid="status-detail"]')?.textContent ?? '',
      failure: document.querySelector('[data-testid="last-failure"]')?.textContent ?? '',
      log: [...document.querySelectorAll<HTMLElement>('[data-testid="status-log"] li')].map((li) => ({
        seq: Number(li.dataset['seq']),
        phase: li.dataset['phase'] ?? '',
        text: li.textContent ?? '',
      })),
    };
  });
}

/** Polls the page until `predicate` holds for its status panel, and returns that status. */
export async function waitForStatus(page: Page, predicate: (s: StatusView) => boolean, timeout = 20_000): Promise<StatusView> {
  let last: StatusView | undefined;
  await expect.poll(async () => predicate((last = await readStatus(page))), { timeout, interval: 50 }).toBe(true);
  return last!;
}

/** The sequence number of the newest log entry (0 when the log is empty). */
export const lastSeq = (s: StatusView): number => Math.max(0, ...s.log.map((e) => e.seq));
