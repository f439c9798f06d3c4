// The dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no
// downloaded browsers): a private redis-server, the app and in-process workers; submit a preset
// with few trials, watch it reach 100 % and show its plots, cancel a bigger one, and no console
// errors on the way. Saves test-output/dashboard.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { smallRequest, startStack, type Stack } from '../api/helpers.js';
import { openHeadlessPage, skipWithoutChromium } from '../support/headless-chromium.js';

const SCREENSHOT_DIR = new URL('../../test-output/', import.meta.url);
/** Generous for a loaded CI machine; the small experiments take well under a second of work. */
const STEP_MS = 30_000;
/** Runs in the page (tsconfig has no DOM types, hence the cast): every plot image decoded. */
const PLOTS_LOADED = () => {
  const page = globalThis as unknown as {
    document: { querySelectorAll(selector: string): Iterable<{ complete: boolean; naturalWidth: number }> };
  };
  const images = [...page.document.querySelectorAll('[data-testid=plot]')];
  return images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0);
};

const skip = skipWithoutChromium;

describe('dashboard', { skip }, () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    // The cost limit is raised so that the big experiment to cancel is accepted.
    stack = await startStack({ workers: true, env: { MAX_EXPERIMENT_COST: '1000000' } });
    ({ browser, page } = await openHeadlessPage({ width: 1366, height: 768 }, problems));
    page.on('requestfailed', (request) => {
      // Streams the page aborts itself (on delete or key change) are not failures.
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') {
        problems.push(`requestfailed: ${request.url()} ${request.failure()?.errorText}`);
      }
    });
    page.setDefaultTimeout(STEP_MS);
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('runs a preset to 100 % with its plots, cancels a bigger one, and logs no errors', async () => {
    await page.goto(`${stack.base}/`);
    const select = page.getByTestId('preset-select');
    // The presets come from GET /v1/presets: the paper's three figures, plus "custom".
    await assert.doesNotReject(select.locator('option[value="frame-bounds"]').waitFor({ state: 'attached' }));
    const options = await select
      .locator('option')
      .evaluateAll((list) => list.map((o) => (o as unknown as { value: string }).value));
    assert.deepEqual(options, ['energy', 'frame-bounds', 'condition-number', 'custom']);

    // The energy figure at 40 trials: about a second of work on two threads.
    await select.selectOption('energy');
    await page.getByLabel('Trials').fill('40');
    await page.getByTestId('submit').click();
    const row = page.getByTestId('experiment-row').filter({ hasText: 'Energy' });
    await row.waitFor();

    // Then a big one, the condition-number figure at 200 000 trials (minutes of work), to cancel.
    // Its tasks queue behind the small one's, so they do not delay it.
    await select.selectOption('condition-number');
    await page.getByLabel('Trials').fill('200000');
    await page.getByTestId('submit').click();
    const bigRow = page.getByTestId('experiment-row').filter({ hasText: 'J 5, 10, 40' });
    await bigRow.waitFor();
    await row.locator('.exp-title').click();
    await row.locator('[data-testid=progress][aria-valuenow="100"]').waitFor();
    await row.locator('.badge', { hasText: 'succeeded' }).waitFor();

    // Selected, its plots load as images (blob: URLs fetched with fetch()).
    const plots = page.getByTestId('plot');
    await page.waitForFunction(PLOTS_LOADED);
    const count = await plots.count();
    assert.equal(count, 4, 'deviation and one histogram per signal');
    for (const width of await plots.evaluateAll((list) =>
      list.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth),
    )) {
      assert.ok(width > 0);
    }
    assert.ok((await page.locator('table.numbers tbody tr').count()) === 24, '3 signals × 8 T');
    assert.match(
      (await page.getByRole('link', { name: /^JSON/ }).getAttribute('href')) ?? '',
      /^\/v1\/experiments\//,
    );

    // Cancel the big one: its row says so (status over the event stream).
    await bigRow.getByRole('button', { name: /^Cancel/ }).click();
    await bigRow.locator('.badge', { hasText: 'cancelled' }).waitFor();
    assert.equal(await bigRow.getByRole('button', { name: /^Cancel/ }).isVisible(), false);

    // Keyboard: the first row's title is a button that selects it.
    await bigRow.locator('.exp-title').focus();
    await page.keyboard.press('Enter');
    await page.locator('#detail-heading', { hasText: 'J 5, 10, 40' }).waitFor();
    await row.locator('.exp-title').click();
    await page.locator('#detail-heading', { hasText: 'Energy' }).waitFor();
    await page.waitForFunction(PLOTS_LOADED);

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: new URL('dashboard.png', SCREENSHOT_DIR).pathname });
    assert.deepEqual(problems, []);
  });

  it('shows the problem+json errors of a bad custom request next to the form', async () => {
    await page.getByTestId('preset-select').selectOption('custom');
    await page.getByLabel('Request body (JSON)').fill(
      JSON.stringify({
        type: 'frame-bounds',
        trials: 0,
        filterbank: { numFilters: 4, filterLengths: [8] },
      }),
    );
    // A 400 answer is expected here; Chromium logs it as a failed resource load.
    const before = problems.length;
    await page.getByTestId('submit').click();
    const alert = page.getByRole('alert').filter({ hasText: 'trials' });
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /Invalid request/);
    const logged = problems.splice(before);
    assert.ok(
      logged.every((p) => /status of 400/.test(p)),
      JSON.stringify(logged),
    );

    await page.getByLabel('Request body (JSON)').fill('{ not json');
    await page.getByTestId('submit').click();
    await page.getByRole('alert').filter({ hasText: 'Not valid JSON' }).waitFor();
    assert.deepEqual(problems, []);
  });
  it('asks for an API key when the server has keys, then sends it in headers only', async () => {
    const keyed = await stack.extraApp({ API_KEYS: 'dashboard-key', MAX_EXPERIMENT_COST: '1000000' });
    await keyed.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(keyed.server.address() as AddressInfo).port}`;
    const keyPage = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const logged: string[] = [];
    const urls: string[] = [];
    keyPage.on('console', (m) => void (m.type() === 'error' && logged.push(m.text())));
    keyPage.on('pageerror', (error) => logged.push(`pageerror: ${error.message}`));
    keyPage.on('request', (r) => urls.push(r.url()));
    try {
      await keyPage.goto(`${base}/`);
      await keyPage.getByText('This server needs an API key').waitFor();
      await keyPage.getByLabel('API key').fill('dashboard-key');
      await keyPage.getByRole('button', { name: 'Use key' }).click();
      const select = keyPage.getByTestId('preset-select');
      await select.locator('option[value="frame-bounds"]').waitFor({ state: 'attached' });
      await select.selectOption('frame-bounds');
      await keyPage.getByLabel('Trials').fill('20');
      await keyPage.getByTestId('submit').click();
      const row = keyPage.getByTestId('experiment-row').first();
      await row.locator('[data-testid=progress][aria-valuenow="100"]').waitFor();
      await keyPage.waitForFunction(PLOTS_LOADED);
      assert.equal(await keyPage.getByTestId('plot').count(), 3);
      assert.equal(
        await keyPage.evaluate(() =>
          (
            globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }
          ).sessionStorage.getItem('fbstab.apiKey'),
        ),
        'dashboard-key',
      );
      assert.ok(!urls.some((u) => u.includes('dashboard-key')), 'the key never appears in a URL');
      // Only the 401s of the first load, before the key was given.
      assert.ok(logged.length > 0 && logged.every((t) => /status of 401/.test(t)), JSON.stringify(logged));
    } finally {
      await keyPage.close();
    }
  });

  it('idle, with several experiments stored, asks only for what changed (no answer over a few KB); opening one fetches its result', async () => {
    // Several finished experiments, submitted through the API while no page is open.
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${stack.base}/v1/experiments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(smallRequest(20, i)),
      });
      ids.push(((await res.json()) as { id: string }).id);
    }
    const idle = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    try {
      await idle.goto(`${stack.base}/`);
      for (const id of ids) {
        await idle
          .locator(`[data-testid=experiment-row][data-id="${id}"] .badge`, { hasText: 'succeeded' })
          .waitFor();
      }
      // Then an idle window of three polls, recording the size of every answer.
      const answers: { url: string; bytes: number }[] = [];
      idle.on('response', (response) => {
        void response
          .body()
          .then((body) => answers.push({ url: response.url(), bytes: body.length }))
          .catch(() => answers.push({ url: response.url(), bytes: 0 }));
      });
      const polls = () => answers.filter((a) => a.url.includes('changedSince=')).length;
      for (;;) {
        if (polls() >= 3) break;
        await idle.waitForResponse((r) => r.url().includes('changedSince='));
      }
      assert.ok(answers.length >= 3);
      for (const answer of answers) assert.ok(answer.bytes < 4096, `${answer.url}: ${answer.bytes} bytes`);
      assert.ok(
        answers.every(
          (a) => !a.url.includes('view=full') && !/\/v1\/experiments\/[0-9a-f-]{36}$/.test(a.url),
        ),
        'no result is fetched while nothing is opened',
      );

      // Opening one fetches its full resource, with its result.
      const opened = idle.waitForResponse((r) => r.url().endsWith(`/v1/experiments/${ids[0]}`));
      await idle.locator(`[data-testid=experiment-row][data-id="${ids[0]}"] .exp-title`).click();
      const full = (await (await opened).json()) as { id: string; result?: unknown };
      assert.equal(full.id, ids[0]);
      assert.ok(full.result !== undefined);
      await idle.waitForFunction(PLOTS_LOADED);
    } finally {
      await idle.close();
    }
  });
});
