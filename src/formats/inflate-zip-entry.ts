import { Inflate } from 'fflate';
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
/**
 * Compressed bytes pushed to the inflater at a time: one push yields at most 1032 times as many
 * bytes (deflate's largest ratio), so an entry lying about its size is stopped within ~8 MB.
 */
const CHUNK_BYTES = 8192;

/**
 * The uncompressed bytes of one zip entry (of listZipEntries), as hostile input: the declared
 * size must be at most `maxBytes` (the API passes MAX_BODY_BYTES: an .npz may not hold more than
 * a .npy body could be) and at most MAX_INFLATE_RATIO times the compressed size, checked before
 * anything is allocated; inflation (fflate, streaming) stops as soon as the output passes the
 * declared size; the output must have exactly that size and its CRC-32.
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
    out = new Uint8Array(declared);
    let filled = 0;
    const inflater = new Inflate((chunk) => {
      if (filled + chunk.length > declared) {
        throw new FormatError(
          400,
          `.npz entry '${name}' inflates to more than the ${declared} bytes it declares`,
        );
      }
      out.set(chunk, filled);
      filled += chunk.length;
    });
    try {
      for (let at = 0; at === 0 || at < data.length; at += CHUNK_BYTES) {
        inflater.push(data.subarray(at, at + CHUNK_BYTES), at + CHUNK_BYTES >= data.length);
      }
    } catch (error) {
      if (error instanceof FormatError) throw error;
      const why = error instanceof Error ? error.message : 'unreadable';
      throw new FormatError(400, `.npz entry '${name}' holds corrupt deflate data (${why})`);
    }
    if (filled !== declared) {
      throw new FormatError(
        400,
        `.npz entry '${name}' inflates to ${filled} bytes, but declares ${declared}`,
      );
    }
  }
  const actual = crc32(out);
  if (actual !== entry.crc32) {
    throw new FormatError(
      400,
      `.npz entry '${name}' has CRC-32 0x${actual.toString(16).padStart(8, '0')}, but declares 0x${entry.crc32.toString(16).padStart(8, '0')}: the data is corrupt`,
    );
  }
  return out;
}
