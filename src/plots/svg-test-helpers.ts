/**
 * Assertions shared by the plot tests: the SVG is well-formed XML, is an `<svg>` document,
 * and shows the expected texts (axis titles, legend entries).
 *
 * @module
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';

/** Decodes the XML entities vega writes in text nodes, so texts compare as plain strings. */
function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The contents of every `<text>` element, entity-decoded. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([\s\S]*?)<\/text>/g)].map((m) =>
    decodeEntities((m[1] ?? '').replace(/<[^>]+>/g, '')),
  );
}

/** Asserts well-formed XML starting with `<svg`, containing each of `texts` as a text element. */
export function assertSvg(svg: string, texts: readonly string[]): void {
  assert.ok(svg.startsWith('<svg'), `SVG should start with <svg, got ${JSON.stringify(svg.slice(0, 40))}`);
  assert.equal(XMLValidator.validate(svg), true, 'SVG should be well-formed XML');
  const shown = svgTexts(svg);
  for (const text of texts) {
    assert.ok(
      shown.includes(text),
      `SVG should show the text ${JSON.stringify(text)}; it shows ${JSON.stringify(shown)}`,
    );
  }
}

/** Writes the SVG to $FBSTAB_PLOT_DIR/<name>.svg when that variable is set, for a visual check. */
export function savePlot(name: string, svg: string): void {
  const dir = process.env.FBSTAB_PLOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.svg`), svg);
}

/** Collects render warnings, so a test can insist the spec compiles without any. */
export function warningCollector(): { warnings: string[]; onWarning: (message: string) => void } {
  const warnings: string[] = [];
  return { warnings, onWarning: (message) => warnings.push(message) };
}
