// /docs in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core, as the
// dashboard test does): swagger-ui renders openapi.yaml with every operation under its tag,
// with its summary and operation id, and no console errors. Saves test-output/api-docs.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'yaml';
import { startStack, type Stack } from '../api/helpers.js';
import { openHeadlessPage, skipWithoutChromium } from '../support/headless-chromium.js';

const SCREENSHOT_DIR = new URL('../../test-output/', import.meta.url);
/** Generous for a loaded CI machine; swagger-ui renders in well under a second. */
const STEP_MS = 30_000;
const skip = skipWithoutChromium;

interface Section {
  tag: string;
  operations: { method: string; path: string; summary: string; operationId: string }[];
}

/**
 * Runs in the page: each tag section and its operations. A string, not a function: tsx would
 * wrap the function's inner helpers in a `__name` call that the page does not define.
 */
const READ_SECTIONS = `(() => {
  const text = (el) => (el?.textContent ?? '').trim();
  return [...document.querySelectorAll('.opblock-tag-section')].map((section) => ({
    tag: section.querySelector('.opblock-tag')?.getAttribute('data-tag') ?? '',
    operations: [...section.querySelectorAll('.opblock')].map((op) => ({
      method: text(op.querySelector('.opblock-summary-method')).toLowerCase(),
      path: op.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '',
      summary: text(op.querySelector('.opblock-summary-description')),
      operationId: text(op.querySelector('.opblock-summary-operation-id')),
    })),
  }));
})()`;

describe('/docs', { skip }, () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    stack = await startStack();
    ({ browser, page } = await openHeadlessPage({ width: 1280, height: 2400 }, problems));
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows every operation under its tag, with its summary and operation id', async () => {
    await page.goto(`${stack.base}/docs`, { waitUntil: 'load', timeout: STEP_MS });
    await page.waitForSelector('.opblock-tag-section .opblock', { timeout: STEP_MS });
    const sections = (await page.evaluate(READ_SECTIONS)) as Section[];

    const document = parse(await (await fetch(`${stack.base}/openapi.yaml`)).text()) as {
      tags: { name: string }[];
      paths: Record<string, Record<string, { tags: string[]; summary: string; operationId: string }>>;
    };
    assert.deepEqual(sections.map((s) => s.tag).sort(), document.tags.map((t) => t.name).sort());
    const shown = new Map(
      sections.flatMap((s) =>
        s.operations.map((o) => [`${o.method} ${o.path}`, { ...o, tag: s.tag }] as const),
      ),
    );
    let count = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        count++;
        const seen = shown.get(`${method} ${path}`);
        assert.ok(seen, `${method} ${path} is not shown`);
        assert.equal(seen.tag, operation.tags[0]);
        assert.equal(seen.summary, operation.summary);
        assert.equal(seen.operationId, operation.operationId);
      }
    }
    assert.equal(shown.size, count);
    assert.deepEqual(problems, []);

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: new URL('api-docs.png', SCREENSHOT_DIR).pathname, fullPage: true });
  });
});
