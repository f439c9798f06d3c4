import wavefile from 'wavefile';
import { LIMITS } from '../experiments/common/limits.js';
import { FormatError } from './format-error.js';

/** A WAV file mixed down to one channel (docs/api.md "Signals"). */
export interface DecodedWav {
  /** Mono samples: the mean of the channels, PCM scaled to [−1, 1). */
  samples: Float64Array;
  sampleRate: number;
  /** Channels in the file, before the mix-down. */
  channels: number;
  /** wavefile's bit-depth code: '8', '16', '24', '32', '32f' or '64' (float64). */
  bitDepth: string;
  format: 'pcm' | 'float';
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Names of common compressed format codes, so the 415 says what the file is. */
const FORMAT_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0002, 'Microsoft ADPCM'],
  [0x0006, 'A-law'],
  [0x0007, 'μ-law'],
  [0x0011, 'IMA ADPCM'],
  [0x0031, 'GSM 6.10'],
  [0x0050, 'MPEG'],
  [0x0055, 'MP3'],
  [0x00ff, 'AAC'],
  [0x0161, 'WMA'],
  [0x1610, 'AAC'],
  [0xf1ac, 'FLAC'],
]);

/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID {0000XXXX-0000-0010-8000-00AA00389B71}. */
const SUBFORMAT_GUID_TAIL = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

interface Chunk {
  offset: number;
  size: number;
}

const ascii = (bytes: Uint8Array, start: number, end: number) =>
  String.fromCharCode(...bytes.subarray(start, end));
/** For messages: printable ASCII as is, anything else as \xNN. */
const printable = (text: string) =>
  JSON.stringify(text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
const hex4 = (code: number) => `0x${code.toString(16).padStart(4, '0')}`;
const formatName = (code: number) =>
  `${hex4(code)}${FORMAT_NAMES.has(code) ? ` (${FORMAT_NAMES.get(code)})` : ''}`;

/**
 * Decodes a WAV file for `POST /v1/signals` (docs/api.md "Signals"): PCM 8 (unsigned), 16, 24 or
 * 32 bit, or IEEE float 32/64, plain or WAVE_FORMAT_EXTENSIBLE, any number of channels,
 * averaged to mono. PCM is scaled by 2^(bits−1) (8-bit after removing its offset of 128).
 *
 * The RIFF structure and the fmt chunk are checked here first, since wavefile trusts the
 * header (it reads past lying sizes, and decodes compressed or extensible-float data as PCM).
 * wavefile then decodes only the samples, from a canonical 44-byte-header copy.
 *
 * @throws FormatError 415 for a file that is not RIFF/WAVE or a format other than PCM/float;
 *   400 for a truncated or lying header, zero channels or sample rate, empty data, or NaN/Inf
 *   samples; 413 for more than LIMITS.maxSignalLength frames.
 */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { fmt, data } = readChunks(bytes, view);

  if (fmt.size < 16) {
    throw new FormatError(400, `the fmt chunk is ${fmt.size} bytes; a WAV fmt chunk needs at least 16`);
  }
  const f = fmt.offset;
  const audioFormat = view.getUint16(f, true);
  const channels = view.getUint16(f + 2, true);
  const sampleRate = view.getUint32(f + 4, true);
  const blockAlign = view.getUint16(f + 12, true);
  const bits = view.getUint16(f + 14, true);

  let code = audioFormat;
  if (audioFormat === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.size < 40) {
      throw new FormatError(
        400,
        `the fmt chunk is ${fmt.size} bytes; WAVE_FORMAT_EXTENSIBLE needs 40 (with its subformat GUID)`,
      );
    }
    const cbSize = view.getUint16(f + 16, true);
    if (cbSize < 22) {
      throw new FormatError(400, `WAVE_FORMAT_EXTENSIBLE with cbSize ${cbSize}; it must be at least 22`);
    }
    code = view.getUint16(f + 24, true);
    const tail = bytes.subarray(f + 26, f + 40);
    if (SUBFORMAT_GUID_TAIL.some((b, i) => tail[i] !== b)) {
      throw new FormatError(
        415,
        'unsupported WAVE_FORMAT_EXTENSIBLE subformat: not a standard WAVE format GUID',
      );
    }
  }
  const where = audioFormat === WAVE_FORMAT_EXTENSIBLE ? 'WAVE_FORMAT_EXTENSIBLE subformat' : 'format code';
  if (code !== WAVE_FORMAT_PCM && code !== WAVE_FORMAT_IEEE_FLOAT) {
    throw new FormatError(
      415,
      `unsupported WAV ${where} ${formatName(code)}: only PCM (0x0001) and IEEE float (0x0003) are supported`,
    );
  }
  const format = code === WAVE_FORMAT_PCM ? 'pcm' : 'float';
  if (channels === 0) throw new FormatError(400, 'the fmt chunk declares 0 channels');
  if (sampleRate === 0) throw new FormatError(400, 'the fmt chunk declares a sample rate of 0 Hz');
  if (bits === 0) throw new FormatError(400, 'the fmt chunk declares 0 bits per sample');
  const supportedBits = format === 'pcm' ? [8, 16, 24, 32] : [32, 64];
  if (!supportedBits.includes(bits)) {
    throw new FormatError(
      415,
      `unsupported ${format === 'pcm' ? 'PCM' : 'IEEE float'} bit depth ${bits}: supported are ${supportedBits.join(', ')}`,
    );
  }
  const frameBytes = channels * (bits / 8);
  if (blockAlign !== frameBytes) {
    throw new FormatError(
      400,
      `the fmt chunk's blockAlign ${blockAlign} does not match ${channels} channels × ${bits / 8} bytes = ${frameBytes}`,
    );
  }
  if (data.size === 0) throw new FormatError(400, 'the data chunk is empty: the file has no samples');
  if (data.size % frameBytes !== 0) {
    throw new FormatError(
      400,
      `the data chunk's ${data.size} bytes are not a whole number of ${frameBytes}-byte frames`,
    );
  }
  const frames = data.size / frameBytes;
  if (frames > LIMITS.maxSignalLength) {
    throw new FormatError(
      413,
      `the file has ${frames} frames; at most ${LIMITS.maxSignalLength} are accepted`,
    );
  }

  const wav = new wavefile.WaveFile();
  let interleaved: Float64Array;
  try {
    wav.fromBuffer(canonicalWav(bytes, data, format, channels, sampleRate, bits));
    interleaved = wav.getSamples(true, Float64Array);
  } catch (error) {
    // The checks above should leave wavefile nothing to reject; never leak its raw errors.
    throw new FormatError(400, `the WAV samples cannot be decoded: ${(error as Error).message}`);
  }
  if (interleaved.length !== frames * channels) {
    throw new FormatError(400, `decoded ${interleaved.length} samples, expected ${frames * channels}`);
  }

  const offset = format === 'pcm' && bits === 8 ? 128 : 0;
  const scale = format === 'pcm' ? 1 / (2 ** (bits - 1) * channels) : 1 / channels;
  const samples = new Float64Array(frames);
  for (let n = 0, i = 0; n < frames; n++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, i++) {
      const v = interleaved[i]!;
      if (!Number.isFinite(v)) {
        throw new FormatError(400, `sample ${n} of channel ${c} is ${v}; float samples must be finite`);
      }
      // Scaling each term first keeps float64 extremes from overflowing the sum.
      sum += (v - offset) * scale;
    }
    samples[n] = sum;
  }
  return { samples, sampleRate, channels, bitDepth: wav.bitDepth, format };
}

/** Walks the RIFF chunks, checking every size against the file, and returns fmt and data. */
function readChunks(bytes: Uint8Array, view: DataView): { fmt: Chunk; data: Chunk } {
  const id = ascii(bytes, 0, Math.min(4, bytes.length));
  if (id === 'RIFX' || id === 'RF64') {
    throw new FormatError(415, `unsupported WAV container ${id}: only little-endian RIFF is supported`);
  }
  if (id !== 'RIFF') {
    throw new FormatError(415, `not a WAV file: it starts with ${printable(id)}, not "RIFF"`);
  }
  if (bytes.length < 12) {
    throw new FormatError(400, `truncated WAV header: ${bytes.length} bytes, the RIFF/WAVE header needs 12`);
  }
  const form = ascii(bytes, 8, 12);
  if (form !== 'WAVE') throw new FormatError(415, `not a WAV file: a RIFF file of form ${printable(form)}`);
  const riffEnd = 8 + view.getUint32(4, true);
  const end = Math.min(riffEnd, bytes.length);
  let fmt: Chunk | undefined;
  let data: Chunk | undefined;
  let offset = 12;
  while (offset < end) {
    if (end - offset < 8) {
      throw new FormatError(
        400,
        `truncated chunk header at byte ${offset}: ${end - offset} bytes left, 8 needed`,
      );
    }
    const chunkId = ascii(bytes, offset, offset + 4);
    const size = view.getUint32(offset + 4, true);
    const left = end - offset - 8;
    if (size > left) {
      throw new FormatError(
        400,
        `the ${printable(chunkId)} chunk at byte ${offset} declares ${size} bytes, but only ${left} remain in the ${end < bytes.length ? 'RIFF chunk' : 'file'}`,
      );
    }
    if (chunkId === 'fmt ' && fmt === undefined) fmt = { offset: offset + 8, size };
    if (chunkId === 'data' && data === undefined) data = { offset: offset + 8, size };
    offset += 8 + size + (size & 1);
  }
  // Checked after the walk, so a lying data size is named as such. One byte of slack: some
  // writers count the final pad byte without writing it.
  if (riffEnd > bytes.length + 1) {
    throw new FormatError(
      400,
      `truncated WAV file: the RIFF header declares ${riffEnd} bytes, the file has ${bytes.length}`,
    );
  }
  if (fmt === undefined) throw new FormatError(400, 'the WAV file has no fmt chunk');
  if (data === undefined) throw new FormatError(400, 'the WAV file has no data chunk');
  return { fmt, data };
}

/** A plain 44-byte-header WAV of the same samples, for wavefile to decode. */
function canonicalWav(
  bytes: Uint8Array,
  data: Chunk,
  format: 'pcm' | 'float',
  channels: number,
  sampleRate: number,
  bits: number,
): Uint8Array {
  const out = new Uint8Array(44 + data.size);
  const view = new DataView(out.buffer);
  const blockAlign = channels * (bits / 8);
  out.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  view.setUint32(4, 36 + data.size, true);
  out.set([0x57, 0x41, 0x56, 0x45, 0x66, 0x6d, 0x74, 0x20], 8); // WAVEfmt␠
  view.setUint32(16, 16, true);
  view.setUint16(20, format === 'pcm' ? WAVE_FORMAT_PCM : WAVE_FORMAT_IEEE_FLOAT, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bits, true);
  out.set([0x64, 0x61, 0x74, 0x61], 36); // data
  view.setUint32(40, data.size, true);
  out.set(bytes.subarray(data.offset, data.offset + data.size), 44);
  return out;
}
