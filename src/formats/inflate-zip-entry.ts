import { inflateRawSync } from 'node:zlib';
import { crc32 } from './crc32.js';
import { FormatError } from './format-error.js';
import type { ZipEntry } from './list-zip-entries.js';

/**
 * Largest accepted ratio of declared uncompressed to compressed size, beyond MIN_RATIO_CHECK_BYTES.
 * Float weights deflate by about 1.1 : 1 (random mantissas); 100 : 1 takes a file that is over
 * 99 % zeros, while zip bombs run at deflate's 1032 : 1.
 */
export const MAX_INFLATE_RATIO = 100;
/** Small entries (headers, tiny arrays) may compress far better than 100 : 1; below this size they may. */
const MIN_RATIO_CHECK_BYTES = 1 << 20;

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * The uncompressed bytes of one zip entry (of listZipEntries), as hostile input: the declared
 * size must be at most `maxBytes` (the API passes MAX_BODY_BYTES: an .npz may not hold more than
 * a .npy body could be) and at most MAX_INFLATE_RATIO times the compressed size, checked before
 * anything is allocated; inflation (node:zlib, that is zlib itself) stops as soon as the output
 * passes the declared size (`maxOutputLength`, checked chunk by chunk inside zlib's loop); the
 * output must have exactly that size and its CRC-32.
 *
 * @throws FormatError 413 for a declared size over a cap; 400 for corrupt deflate data, an actual
 *   size that differs from the declared one, or a CRC-32 mismatch.
 */
export function inflateZipEntry(bytes: Uint8Array, entry: ZipEntry, maxBytes: number): Uint8Array {
  const { name, uncompressedSize: declared, compressedSize } = entry;
  if (declared > maxBytes) {
    throw new FormatError(
      413,
      `.npz entry '${name}' declares ${declared} bytes uncompressed; at most ${maxBytes} are inflated (MAX_BODY_BYTES)`,
    );
  }
  if (declared > MIN_RATIO_CHECK_BYTES && declared > MAX_INFLATE_RATIO * compressedSize) {
    throw new FormatError(
      413,
      `.npz entry '${name}' declares ${declared} bytes from ${compressedSize} compressed, a ratio over ${MAX_INFLATE_RATIO} : 1; refused as a likely zip bomb`,
    );
  }
  const data = bytes.subarray(entry.dataStart, entry.dataStart + compressedSize);
  let out: Uint8Array;
  if (entry.method === 0) {
    out = data;
  } else {
    try {
      // maxOutputLength must be at least 1; an entry declaring 0 bytes must then inflate to 0.
      out = inflateRawSync(data, { maxOutputLength: Math.max(1, declared) });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new FormatError(
          400,
          `.npz entry '${name}' inflates to more than the ${declared} bytes it declares`,
        );
      }
      // zlib's own words: 'unexpected end of file', 'invalid block type', 'invalid distance too far back'…
      const why = error instanceof Error ? error.message : 'unreadable';
      throw new FormatError(400, `.npz entry '${name}' holds corrupt deflate data (${why})`);
    }
    if (out.length !== declared) {
      throw new FormatError(
        400,
        `.npz entry '${name}' inflates to ${out.length} bytes, but declares ${declared}`,
      );
    }
  }
  const actual = crc32(out);
  if (actual !== entry.crc32) {
    throw new FormatError(
      400,
      `.npz entry '${name}' has CRC-32 ${hex(actual)}, but declares ${hex(entry.crc32)}: the data is corrupt`,
    );
  }
  return out;
}
