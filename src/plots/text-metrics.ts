/**
 * Text-width estimates for headless vega, from a table of font metrics instead of vega's
 * fallback of 0.8 em per character.
 *
 * Without the `canvas` package vega cannot measure text, so it guesses every character to be
 * 0.8 em wide. Real sans-serif text averages about 0.55 em, so layouts come out far too roomy:
 * a rotated 30-character axis title is taken to be taller than its 180-pixel panel and pushes
 * the facets apart, and legend columns get wide gaps. vega provides for this: a user-defined
 * `textMetrics.width` is used for layout, label truncation and overlap removal (vl-convert does
 * the same).
 *
 * The table holds the advance widths of DejaVu Sans, the widest of the usual fallbacks of
 * `Helvetica, Arial, sans-serif` (Arial, Helvetica and Liberation Sans are 5–15 % narrower),
 * so an estimate is an upper bound for whichever of them the viewer has, and text is not clipped.
 *
 * @module
 */
import * as vega from 'vega';

/** DejaVu Sans advance widths in thousandths of an em, for U+0020 (space) … U+007E (~). */
const ASCII_WIDTHS = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636,
  636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
  295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838,
  500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
  392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];

/** The non-ASCII characters the fbstab plots use (Greek, math), same units. */
const EXTRA_WIDTHS: Readonly<Record<string, number>> = {
  α: 659,
  κ: 589,
  λ: 592,
  μ: 636,
  σ: 634,
  χ: 578,
  Φ: 787,
  θ: 612,
  '‖': 500,
  '²': 401,
  '·': 318,
  '−': 838,
  '–': 500,
  '—': 1000,
  '…': 1000,
  '≤': 838,
  '≥': 838,
  '√': 637,
  '∞': 833,
  '×': 838,
  '±': 838,
  '≈': 838,
};

/** Bold DejaVu Sans is about 10 % wider; 12 % covers the widest letters. */
const BOLD_FACTOR = 1.12;

/** Width in em of one character (a code point). */
function charWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0x20 && code <= 0x7e) return (ASCII_WIDTHS[code - 0x20] ?? 600) / 1000;
  const extra = EXTRA_WIDTHS[char];
  if (extra !== undefined) return extra / 1000;
  if (code >= 0x300 && code <= 0x36f) return 0; // combining marks (the tilde of κ̃)
  if (code >= 0x1100) return 1; // CJK, emoji and the like: full width
  return 0.7; // other Latin, Greek, Cyrillic: a generous average
}

/** Estimated width in em of a string in DejaVu Sans (an upper bound for Helvetica/Arial). */
export function estimateTextWidthEm(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** The fields of a vega text item that decide its width. */
interface TextItem {
  readonly fontSize?: number | string | null;
  readonly fontWeight?: number | string | null;
  readonly limit?: number | null;
}

function isBold(weight: TextItem['fontWeight']): boolean {
  if (weight === null || weight === undefined) return false;
  if (typeof weight === 'number') return weight >= 600;
  return weight === 'bold' || weight === 'bolder' || Number(weight) >= 600;
}

/**
 * Width in pixels of `text` drawn by `item`, as vega's `textMetrics.width` expects. A text over
 * the item's `limit` is truncated by vega to fit the limit, so the limit itself is its width;
 * vega calls this function during truncation, so truncating here would recurse.
 */
function textWidth(item: TextItem, text: unknown): number {
  const value = text === null || text === undefined ? '' : String(text).trim();
  const size = item.fontSize === null || item.fontSize === undefined ? 11 : Number(item.fontSize) || 0;
  const width = estimateTextWidthEm(value) * size * (isBold(item.fontWeight) ? BOLD_FACTOR : 1);
  const limit = Number(item.limit ?? 0);
  return limit > 0 && width > limit ? limit : width;
}

/** The part of vega-scenegraph's `textMetrics` that vega-typings leaves out. */
interface TextMetrics {
  width: (item: TextItem, text: unknown) => number;
  estimateWidth: (item: TextItem, text: unknown) => number;
}

/**
 * Makes vega estimate text widths from the table above, unless a canvas is available to
 * measure them (vega then uses it, and this does nothing). Idempotent; it changes the shared
 * vega module, which in this service only renders these plots.
 */
export function installTextMetrics(): void {
  const metrics = (vega as unknown as { textMetrics?: TextMetrics }).textMetrics;
  if (metrics && metrics.width === metrics.estimateWidth) metrics.width = textWidth;
}
