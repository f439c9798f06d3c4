import { FormatError } from './format-error.js';

/** One file of a zip archive, as its central directory and local header agree on it. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate: the only methods numpy's savez / savez_compressed write. */
  method: 0 | 8;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the first byte of the (compressed) data, after the local header. */
  dataStart: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_BYTES = 22;
const CENTRAL_BYTES = 46;
const LOCAL_BYTES = 30;

const bad = (why: string) => new FormatError(400, `malformed .npz (zip archive): ${why}`);

/**
 * The entries of a zip archive held in memory (PKWARE APPNOTE 6.3: the end-of-central-directory
 * record, its zip64 form, the central directory, each entry's local header). Every offset and
 * size is checked against the bytes before it is used, and against the other copies of it:
 * the central directory must sit before its end record and hold exactly its declared entries;
 * each local header must agree with its central entry (name, method, and CRC and sizes unless a
 * data descriptor follows); entries' bytes may not overlap each other (the trick of overlapping
 * zip bombs) or the central directory. Nothing is inflated here (inflateZipEntry does that).
 *
 * @throws FormatError 400 for any inconsistency; 415 for encrypted entries, compression methods
 *   other than stored and deflate, and multi-disk archives.
 */
export function listZipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number, what: string) => {
    const value = view.getBigUint64(at, true);
    if (value > BigInt(bytes.length))
      throw bad(`${what} is ${value}, more than a ${bytes.length}-byte file can hold`);
    return Number(value);
  };
  if (bytes.length < EOCD_BYTES) {
    throw bad(`${bytes.length} bytes, shorter than an end-of-central-directory record (22)`);
  }
  // The end record is the last 22 bytes plus its comment: the one whose comment ends the file.
  let eocd = -1;
  for (let at = bytes.length - EOCD_BYTES; at >= Math.max(0, bytes.length - EOCD_BYTES - 0xffff); at--) {
    if (u32(at) === EOCD && at + EOCD_BYTES + u16(at + 20) === bytes.length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw bad('no end-of-central-directory record at its end: truncated, or not a zip file');
  let count = u16(eocd + 10);
  let directorySize = u32(eocd + 12);
  let directoryStart = u32(eocd + 16);
  let directoryLimit = eocd;
  let multiDisk = u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0 || u16(eocd + 8) !== count;
  const locator = eocd - 20;
  if (locator >= 0 && u32(locator) === ZIP64_LOCATOR) {
    const record = u64(locator + 8, 'the zip64 end record offset');
    if (record + 56 > locator) throw bad(`the zip64 end record at ${record} does not fit before its locator`);
    if (u32(record) !== ZIP64_EOCD) throw bad(`no zip64 end record signature at ${record}`);
    multiDisk ||=
      u32(locator + 4) !== 0 || u32(locator + 16) !== 1 || u32(record + 16) !== 0 || u32(record + 20) !== 0;
    count = u64(record + 32, 'the zip64 entry count');
    multiDisk ||= u64(record + 24, 'the zip64 entry count on this disk') !== count;
    directorySize = u64(record + 40, 'the zip64 central directory size');
    directoryStart = u64(record + 48, 'the zip64 central directory offset');
    directoryLimit = record;
  }
  if (multiDisk) throw new FormatError(415, 'multi-disk (split) zip archives are not supported');
  const directoryEnd = directoryStart + directorySize;
  if (directoryEnd > directoryLimit) {
    throw bad(
      `the central directory [${directoryStart}, ${directoryEnd}) runs past its end record at ${directoryLimit}`,
    );
  }
  if (count * CENTRAL_BYTES > directorySize) {
    throw bad(`${count} entries cannot fit in a central directory of ${directorySize} bytes`);
  }

  const entries: (ZipEntry & { headerStart: number; dataEnd: number })[] = [];
  let at = directoryStart;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_BYTES > directoryEnd)
      throw bad(`central directory entry ${i} runs past the central directory`);
    if (u32(at) !== CENTRAL) throw bad(`central directory entry ${i} at ${at} has no entry signature`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const next = at + CENTRAL_BYTES + nameLength + extraLength + u16(at + 32);
    if (next > directoryEnd) throw bad(`central directory entry ${i} runs past the central directory`);
    const nameBytes = bytes.subarray(at + CENTRAL_BYTES, at + CENTRAL_BYTES + nameLength);
    const name = decodeName(nameBytes, flags, i);
    const extra = bytes.subarray(
      at + CENTRAL_BYTES + nameLength,
      at + CENTRAL_BYTES + nameLength + extraLength,
    );
    const [uncompressedSize, compressedSize, headerStart] = zip64Values(
      extra,
      [u32(at + 24), u32(at + 20), u32(at + 42)],
      name,
    );
    if (flags & 0x41)
      throw new FormatError(415, `entry '${name}' is encrypted; encrypted archives are not supported`);
    if (method !== 0 && method !== 8) {
      throw new FormatError(
        415,
        `entry '${name}' uses compression method ${method}; only stored (0) and deflate (8) are supported`,
      );
    }
    if (method === 0 && compressedSize !== uncompressedSize) {
      throw bad(
        `entry '${name}' is stored, but declares ${compressedSize} bytes stored and ${uncompressedSize} uncompressed`,
      );
    }

    // The local header: it must agree with the central directory, and its data end before it.
    if (headerStart + LOCAL_BYTES > directoryStart) {
      throw bad(
        `entry '${name}': its local header at ${headerStart} does not fit before the central directory`,
      );
    }
    if (u32(headerStart) !== LOCAL) throw bad(`entry '${name}': no local header signature at ${headerStart}`);
    const localNameLength = u16(headerStart + 26);
    const localExtraLength = u16(headerStart + 28);
    const dataStart = headerStart + LOCAL_BYTES + localNameLength + localExtraLength;
    const dataEnd = dataStart + compressedSize;
    if (dataEnd > directoryStart) {
      throw bad(
        `entry '${name}': its data [${dataStart}, ${dataEnd}) runs into the central directory at ${directoryStart}`,
      );
    }
    const localName = bytes.subarray(headerStart + LOCAL_BYTES, headerStart + LOCAL_BYTES + localNameLength);
    if (Buffer.compare(localName, nameBytes) !== 0) {
      throw bad(`entry '${name}': its local header names it ${JSON.stringify(decodeName(localName, 0, i))}`);
    }
    if (u16(headerStart + 8) !== method) {
      throw bad(
        `entry '${name}': the local header says compression method ${u16(headerStart + 8)}, the central directory ${method}`,
      );
    }
    if ((u16(headerStart + 6) & 0x08) === 0) {
      // No data descriptor: the local header carries CRC and sizes (zip64 ones in its extra field).
      const localExtra = bytes.subarray(dataStart - localExtraLength, dataStart);
      const [localUncompressed, localCompressed] = zip64Values(
        localExtra,
        [u32(headerStart + 22), u32(headerStart + 18)],
        name,
      );
      if (
        u32(headerStart + 14) !== crc ||
        localUncompressed !== uncompressedSize ||
        localCompressed !== compressedSize
      ) {
        throw bad(
          `entry '${name}': the local header says CRC ${hex(u32(headerStart + 14))}, ${localCompressed} → ${localUncompressed} bytes; ` +
            `the central directory ${hex(crc)}, ${compressedSize} → ${uncompressedSize}`,
        );
      }
    }
    entries.push({
      name,
      method,
      crc32: crc,
      compressedSize,
      uncompressedSize,
      dataStart,
      headerStart,
      dataEnd,
    });
    at = next;
  }
  if (at !== directoryEnd) {
    throw bad(
      `the central directory declares ${directorySize} bytes, but its ${count} entries take ${at - directoryStart}`,
    );
  }
  const byOffset = [...entries].sort((a, b) => a.headerStart - b.headerStart);
  for (let i = 1; i < byOffset.length; i++) {
    const before = byOffset[i - 1]!;
    const after = byOffset[i]!;
    if (after.headerStart < before.dataEnd) {
      throw bad(
        `entries '${before.name}' and '${after.name}' overlap; each entry must have bytes of its own`,
      );
    }
  }
  return entries.map(({ name, method, crc32, compressedSize, uncompressedSize, dataStart }) => ({
    name,
    method,
    crc32,
    compressedSize,
    uncompressedSize,
    dataStart,
  }));
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** UTF-8 when the entry says so (flag bit 11), else CP437, read as latin-1 (numpy writes ASCII). */
function decodeName(bytes: Uint8Array, flags: number, index: number): string {
  try {
    return new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1', { fatal: true }).decode(bytes);
  } catch {
    throw bad(`the name of entry ${index} is not valid UTF-8`);
  }
}

/**
 * The 32-bit values of a header with those that are 0xFFFFFFFF replaced by the 64-bit ones of its
 * zip64 extra field (id 0x0001), which holds them in that order (uncompressed, compressed, offset).
 */
function zip64Values<T extends number[]>(extra: Uint8Array, values: [...T], name: string): T {
  if (!values.includes(0xffffffff)) return values;
  const view = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  for (let at = 0; at + 4 <= extra.length;) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (at + 4 + size > extra.length) break;
    if (id === 0x0001) {
      let read = at + 4;
      return values.map((value): number => {
        if (value !== 0xffffffff) return value;
        if (read + 8 > at + 4 + size) throw bad(`entry '${name}': its zip64 extra field is too short`);
        const wide = view.getBigUint64(read, true);
        read += 8;
        // Offsets and stored sizes are checked against the file later, uncompressed sizes capped.
        if (wide > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw bad(
            `entry '${name}': its zip64 extra field declares ${wide}, beyond any size this file can have`,
          );
        }
        return Number(wide);
      }) as T;
    }
    at += 4 + size;
  }
  throw bad(`entry '${name}': a size or offset is 0xFFFFFFFF, but it has no zip64 extra field`);
}
