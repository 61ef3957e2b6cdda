/**
 * Debian's Chromium for the browser tests: one headless, persistent-profile page per suite, with
 * the page's errors collected.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** The flags every suite runs Chromium with; a suite may add its own. */
export const CHROMIUM_ARGS: readonly string[] = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A running Chromium with its first page. */
export interface ChromiumPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /**
   * The page's uncaught errors and `console.error` messages, except "Failed to load resource"
   * (the suites inject faults that make requests fail: that is the point).
   */
  readonly pageErrors: string[];
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Fails with how to install Chromium when it is missing (a suite may check before its slow set-up). */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}. Install Debian's Chromium: apt-get update && apt-get install -y chromium`);
}

/**
 * Launches Chromium on a fresh profile and returns its first page, collecting the page's errors.
 * Fails with how to install Chromium when it is missing.
 */
export async function launchChromium(options: { readonly args?: readonly string[]; readonly viewport?: { width: number; height: number } } = {}): Promise<ChromiumPage> {
  requireChromium();
  const userDataDir = await mkdtemp(join(tmpdir(), 'rxkube-e2e-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...(options.args ?? CHROMIUM_ARGS)],
      ...(options.viewport === undefined ? {} : { viewport: options.viewport }),
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });
  return {
    context,
    page,
    pageErrors,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
