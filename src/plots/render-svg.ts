/**
 * Headless Vega-Lite → SVG rendering on Node, with no browser, no canvas package and no
 * network access. Every plot module in this folder builds a Vega-Lite spec with inline data
 * and hands it here.
 *
 * @module
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { installTextMetrics } from './text-metrics.js';

/** Options of {@link renderVegaLiteSvg}. */
export interface RenderOptions {
  /**
   * Receives every warning of the Vega-Lite compiler and of the Vega runtime. By default they
   * go to `console.warn`; tests pass a collector to insist on a warning-free spec.
   */
  readonly onWarning?: (message: string) => void;
}

/**
 * A loader that refuses every request and records it. The plots carry their data inline, so
 * any attempt to load a URL or a file (a `data.url`, an image mark) is a bug or an injection,
 * never a need. vega only logs a failed load and renders on without the data, so the caller
 * checks `refused` afterwards and fails loudly.
 */
function offlineLoader(): { loader: vega.Loader; refused: string[] } {
  const refused: string[] = [];
  const refuse = (what: string, uri: string): Promise<never> => {
    refused.push(uri);
    return Promise.reject(new Error(`plots are offline: refusing to ${what} ${JSON.stringify(uri)}`));
  };
  const loader: vega.Loader = {
    load: (uri) => refuse('load', uri),
    sanitize: (uri) => refuse('resolve', uri),
    http: (uri) => refuse('fetch', uri),
    file: (name) => refuse('read', name),
  };
  return { loader, refused };
}

/** A vega-util logger at warning level whose messages go to `onWarning` (errors too). */
function makeLogger(onWarning: (message: string) => void): vega.LoggerInterface {
  return vega.logger(vega.Warn, undefined, (_method, level, args) => {
    onWarning(`${level} ${args.map(String).join(' ')}`);
  });
}

/**
 * Renders a Vega-Lite spec to a standalone SVG document.
 *
 * The spec is compiled with vega-lite, parsed by vega and run in a `renderer: 'none'` view,
 * whose `toSVG()` walks the scenegraph into SVG text. Without the `canvas` package vega cannot
 * measure text; {@link installTextMetrics} gives it font-metric estimates that are upper bounds
 * for the common sans-serif fonts, so labels are not clipped and layouts are not bloated.
 *
 * @param spec - a complete Vega-Lite spec whose data are all inline (`data.values`).
 * @param options - see {@link RenderOptions}.
 * @returns the SVG text, starting with `<svg`.
 * @throws if the spec does not compile, or if it tries to load anything.
 */
export async function renderVegaLiteSvg(spec: TopLevelSpec, options: RenderOptions = {}): Promise<string> {
  const onWarning = options.onWarning ?? ((message: string) => console.warn(`[plots] ${message}`));
  installTextMetrics();
  const logger = makeLogger(onWarning);
  const compiled = compile(spec, { logger });
  const { loader, refused } = offlineLoader();
  const view = new vega.View(vega.parse(compiled.spec), {
    renderer: 'none',
    loader,
    logger,
    logLevel: vega.Warn,
  });
  try {
    const svg = await view.toSVG();
    if (refused.length > 0)
      throw new Error(`plots are offline, but the spec tried to load ${refused.join(', ')}`);
    return svg;
  } finally {
    // Releases timers and dataflow listeners; a server renders many plots in one process.
    view.finalize();
  }
}
