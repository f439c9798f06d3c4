// fbstab/client in headless Chromium (docs/api.md "Client": "for browsers and Node ≥ 22"): the
// compiled dist/src/client modules, served as they ship, imported by a page on another origin
// that the API allows (CORS_ORIGINS), talk to the real API and workers.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startStack, type Stack } from '../api/helpers.js';
import { openHeadlessPage, skipWithoutChromium } from '../support/headless-chromium.js';

const CLIENT_DIR = new URL('../../dist/src/client/', import.meta.url);
const skip = skipWithoutChromium;

/**
 * Runs in the page (a string: tsx would wrap a function's helpers in `__name`, which the page
 * lacks): submits, waits with progress, then sends a bad request, and reports what it saw.
 */
const SCRIPT = (base: string) => `(async () => {
  const { FbstabClient, FbstabProblemError } = await import('/client/index.js');
  const client = new FbstabClient({ baseUrl: ${JSON.stringify(base)} });
  const submitted = await client.submit({
    type: 'frame-bounds', seed: 3, trials: 2000, signalLength: 128,
    filterbank: { numFilters: 8, filterLengths: [8, 16, 32] },
  });
  const progress = [];
  let fallback = null;
  const done = await client.wait(submitted.id, {
    onProgress: (p) => progress.push(p.completedTrials),
    onFallback: (reason) => (fallback = String(reason)),
  });
  const svg = await client.plot(submitted.id, 'condition-number');
  let problem = null;
  try {
    await client.submit({ type: 'frame-bounds', filterbank: { numFilters: 0, filterLengths: [4] } });
  } catch (error) {
    problem = { isProblem: error instanceof FbstabProblemError, isError: error instanceof Error, status: error.status, paths: error.errors.map((e) => e.path) };
  }
  return { id: submitted.id, status: done.status, result: done.result, progress, fallback, svgStart: svg.slice(0, 4), problem };
})()`;

describe('fbstab/client in a browser', { skip }, () => {
  let stack: Stack;
  let files: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    // The page's origin: index.html and the client's modules, exactly as npm ships them.
    files = createServer((req, res) => {
      const path = req.url ?? '/';
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>client</title>');
        return;
      }
      if (path === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      const match = /^\/client\/([a-z-]+\.js)$/.exec(path);
      if (match === null) {
        res.writeHead(404).end();
        return;
      }
      readFile(new URL(match[1]!, CLIENT_DIR)).then(
        (body) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    stack = await startStack({ workers: true, env: { CORS_ORIGINS: origin } });
    ({ browser, page } = await openHeadlessPage({ width: 800, height: 600 }, problems));
    await page.goto(`${origin}/`);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    files?.close();
  });

  it('submits, follows the event stream, reads a plot and reports a problem with its fields', async () => {
    const seen = (await page.evaluate(SCRIPT(stack.base))) as {
      id: string;
      status: string;
      result: unknown;
      progress: number[];
      fallback: string | null;
      svgStart: string;
      problem: { isProblem: boolean; isError: boolean; status: number; paths: string[] } | null;
    };
    assert.equal(seen.status, 'succeeded');
    assert.equal(seen.fallback, null, 'the event stream worked across origins');
    assert.equal(seen.progress.at(-1), 6000);
    const served = (await (await fetch(`${stack.base}/v1/experiments/${seen.id}`)).json()) as {
      result: unknown;
    };
    assert.deepEqual(seen.result, served.result);
    assert.equal(seen.svgStart, '<svg');
    assert.deepEqual(seen.problem, {
      isProblem: true,
      isError: true,
      status: 400,
      paths: ['filterbank.numFilters'],
    });
    // The browser logs the one refused request; nothing else went wrong.
    assert.deepEqual(problems, [
      'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  });
});
