import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (or CHROMIUM_PATH), driven by playwright-core: no downloaded browsers. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The `skip` option of a browser test: skipped on a developer machine without Chromium; in CI
 * (.ci/run sets CI=true) a missing browser fails the test instead of hiding it.
 */
export const skipWithoutChromium =
  existsSync(CHROMIUM) || process.env.CI === 'true' ? false : `no Chromium at ${CHROMIUM}`;

/**
 * Launches headless Chromium with the flags this sandbox needs (no background networking: the
 * machine's closed network would refuse it) and opens one page whose console errors and page
 * errors are pushed onto `problems`.
 */
export async function openHeadlessPage(
  viewport: { width: number; height: number },
  problems: string[],
): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return { browser, page };
}
