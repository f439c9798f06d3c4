import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStream } from '../core/random/stream-seed.js';
import { LIMITS } from '../experiments/common/limits.js';
import { decodeWav } from './decode-wav.js';
import { encodeWav, type WavBitDepth } from './encode-wav.js';
import { FormatError } from './format-error.js';

const latin = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const u16 = (v: number) => Uint8Array.of(v & 0xff, (v >> 8) & 0xff);
const u32 = (v: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v, true);
  return out;
};
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** A chunk with its size field (the true size unless `declared` lies), padded to even length. */
const chunk = (id: string, body: Uint8Array, declared = body.length) =>
  concat(latin(id), u32(declared), body, body.length % 2 === 1 ? new Uint8Array(1) : new Uint8Array(0));

/** RIFF/WAVE around the chunks; the RIFF size is the true one unless `declared` lies. */
const riff = (chunks: Uint8Array[], declared?: number) => {
  const body = concat(latin('WAVE'), ...chunks);
  return concat(latin('RIFF'), u32(declared ?? body.length), body);
};

interface FmtFields {
  code?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  blockAlign?: number;
  /** WAVE_FORMAT_EXTENSIBLE with this subformat code (and optionally a non-standard GUID tail). */
  subformat?: number;
  guidTail?: number[];
}

const STANDARD_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function fmt({ code = 1, channels = 1, rate = 8000, bits = 16, blockAlign, subformat, guidTail }: FmtFields) {
  const align = blockAlign ?? (channels * bits) / 8;
  // Fields in file order: format, channels, sampleRate, byteRate, blockAlign, bits.
  const tag = subformat === undefined ? code : 0xfffe;
  const plain = concat(u16(tag), u16(channels), u32(rate), u32(rate * align), u16(align), u16(bits));
  if (subformat === undefined) return chunk('fmt ', plain);
  return chunk(
    'fmt ',
    concat(plain, u16(22), u16(bits), u32(0), u16(subformat), Uint8Array.from(guidTail ?? STANDARD_TAIL)),
  );
}

const pcm16 = (...values: number[]) => {
  const out = new Uint8Array(2 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setInt16(2 * i, v, true));
  return out;
};
const float32 = (...values: number[]) => {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
};

/** decodeWav must throw a FormatError with this status and a message matching `pattern`. */
function assertFormatError(bytes: Uint8Array, status: number, pattern: RegExp) {
  assert.throws(
    () => decodeWav(bytes),
    (error: unknown) => {
      assert.ok(error instanceof FormatError, `expected a FormatError, got ${String(error)}`);
      assert.equal(error.status, status, error.message);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test('round trip: every format × 1, 2, 3 channels decodes to the channel mean', () => {
  const frames = 257;
  const formats: WavBitDepth[] = ['8', '16', '24', '32', '32f'];
  for (const bitDepth of formats) {
    for (const channels of [1, 2, 3]) {
      const random = createStream(5, channels, Number.parseInt(bitDepth, 10));
      const bits = Number.parseInt(bitDepth, 10);
      const lsb = 2 ** (1 - bits);
      const samples = Array.from({ length: channels }, () => {
        // In [−1, 1 − LSB], the range PCM holds without clipping; both ends included.
        const x = Float64Array.from({ length: frames }, () => -1 + random.nextFloat64() * (2 - lsb));
        x[0] = -1;
        x[1] = 1 - lsb;
        return bitDepth === '32f' ? Float64Array.from(x, Math.fround) : x;
      });
      const decoded = decodeWav(encodeWav(samples, 22050, { bitDepth }));
      const label = `${bitDepth} bit, ${channels} channels`;
      assert.equal(decoded.sampleRate, 22050, label);
      assert.equal(decoded.channels, channels, label);
      assert.equal(decoded.bitDepth, bitDepth, label);
      assert.equal(decoded.format, bitDepth === '32f' ? 'float' : 'pcm', label);
      assert.equal(decoded.samples.length, frames, label);
      for (let n = 0; n < frames; n++) {
        let mean = 0;
        for (const x of samples) mean += x[n]! * (1 / channels);
        if (bitDepth === '32f') {
          // float32 holds float32-representable values exactly; the mean is summed the same way.
          assert.equal(decoded.samples[n], mean, `${label}, frame ${n}`);
        } else {
          // Rounding to the nearest level errs by at most half an LSB per channel, so also
          // their mean; 1e-12 LSB covers the float64 scaling.
          const error = Math.abs(decoded.samples[n]! - mean);
          assert.ok(error <= lsb * (0.5 + 1e-12), `${label}, frame ${n}: error ${error} > ½ LSB`);
        }
      }
    }
  }
});

test('PCM scaling: full scale is −1 and 1 − 2^(1−bits); 8-bit is unsigned with offset 128', () => {
  const d16 = decodeWav(riff([fmt({ bits: 16 }), chunk('data', pcm16(-32768, 32767, 0, 16384))]));
  assert.deepEqual([...d16.samples], [-1, 32767 / 32768, 0, 0.5]);
  const d8 = decodeWav(riff([fmt({ bits: 8 }), chunk('data', Uint8Array.of(0, 255, 128, 192))]));
  assert.deepEqual([...d8.samples], [-1, 127 / 128, 0, 0.5]);
  // Stereo: (L + R)/2.
  const stereo = decodeWav(
    riff([fmt({ bits: 16, channels: 2 }), chunk('data', pcm16(16384, -16384, 32767, 32767))]),
  );
  assert.deepEqual([...stereo.samples], [0, 32767 / 32768]);
});

test('WAVE_FORMAT_EXTENSIBLE PCM and float, float64, odd-sized chunks with pad bytes', () => {
  const ext16 = riff([fmt({ bits: 16, channels: 2, subformat: 1 }), chunk('data', pcm16(8192, 8192))]);
  assert.deepEqual([...decodeWav(ext16).samples], [0.25]);
  const extFloat = decodeWav(riff([fmt({ bits: 32, subformat: 3 }), chunk('data', float32(0.75, -2.5))]));
  assert.deepEqual([...extFloat.samples], [0.75, -2.5]);
  assert.equal(extFloat.format, 'float');
  const f64 = new Uint8Array(16);
  new DataView(f64.buffer).setFloat64(0, 0.1, true);
  new DataView(f64.buffer).setFloat64(8, -1e-300, true);
  const d64 = decodeWav(riff([fmt({ code: 3, bits: 64 }), chunk('data', f64)]));
  assert.deepEqual([...d64.samples], [0.1, -1e-300]);
  assert.equal(d64.bitDepth, '64');
  // A LIST chunk of odd size (padded) before fmt, and an 8-bit data chunk of odd size.
  const odd = riff([
    chunk('LIST', latin('INFOabc')),
    fmt({ bits: 8 }),
    chunk('data', Uint8Array.of(128, 0, 255)),
  ]);
  assert.deepEqual([...decodeWav(odd).samples], [0, -1, 127 / 128]);
});

test('hostile: not RIFF/WAVE → 415; truncated header or chunk → 400', () => {
  assertFormatError(latin('OggS\0\x02\0\0\0\0\0\0'), 415, /not a WAV file: it starts with "OggS"/);
  assertFormatError(new Uint8Array(0), 415, /not a WAV file/);
  assertFormatError(
    riff([]).map((b, i) => (i >= 8 && i < 12 ? latin('AVI ')[i - 8]! : b)),
    415,
    /form "AVI "/,
  );
  assertFormatError(concat(latin('RIFX'), u32(4), latin('WAVE')), 415, /RIFX/);
  assertFormatError(latin('RIFF\x24\0\0'), 400, /truncated WAV header: 7 bytes/);
  const good = riff([fmt({}), chunk('data', pcm16(1, 2, 3))]);
  // Cut inside the fmt chunk header: 6 bytes of its 8 remain.
  assertFormatError(good.subarray(0, 18), 400, /truncated chunk header at byte 12|declares/);
  // Cut inside the data: the data chunk now claims more than the file holds.
  assertFormatError(
    good.subarray(0, good.length - 2),
    400,
    /"data" chunk at byte 36 declares 6 bytes, but only 4 remain/,
  );
  // Chunks intact, but the RIFF header counts bytes that are not there.
  assertFormatError(
    riff([fmt({}), chunk('data', pcm16(1, 2))], 1000),
    400,
    /RIFF header declares 1008 bytes/,
  );
  assertFormatError(riff([chunk('data', pcm16(1))]), 400, /no fmt chunk/);
  assertFormatError(riff([fmt({})]), 400, /no data chunk/);
});

test('hostile: headers whose sizes lie → 400', () => {
  assertFormatError(
    riff([fmt({}), chunk('data', pcm16(1, 2), 1_000_000)]),
    400,
    /"data" chunk at byte 36 declares 1000000 bytes, but only 4 remain/,
  );
  assertFormatError(
    riff([fmt({}), chunk('data', pcm16(1, 2), 0xffffffff)]),
    400,
    /declares 4294967295 bytes/,
  );
  assertFormatError(
    riff([chunk('fmt ', new Uint8Array(14)), chunk('data', pcm16(1))]),
    400,
    /fmt chunk is 14 bytes/,
  );
  assertFormatError(
    riff([
      fmt({ subformat: 1 })
        .subarray(0, 8 + 18)
        .map((b, i) => (i === 4 ? 18 : b)),
      chunk('data', pcm16(1)),
    ]),
    400,
    /EXTENSIBLE needs 40/,
  );
  assertFormatError(
    riff([fmt({ blockAlign: 3 }), chunk('data', pcm16(1))]),
    400,
    /blockAlign 3 does not match/,
  );
  assertFormatError(
    riff([fmt({ channels: 2 }), chunk('data', pcm16(1, 2, 3))]),
    400,
    /not a whole number of 4-byte frames/,
  );
});

test('hostile: compressed and unknown formats → 415, naming the format', () => {
  const data = chunk('data', new Uint8Array(64));
  assertFormatError(
    riff([fmt({ code: 2, bits: 4, blockAlign: 256 }), data]),
    415,
    /0x0002 \(Microsoft ADPCM\)/,
  );
  assertFormatError(riff([fmt({ code: 6, bits: 8 }), data]), 415, /0x0006 \(A-law\)/);
  assertFormatError(riff([fmt({ code: 7, bits: 8 }), data]), 415, /0x0007 \(μ-law\)/);
  assertFormatError(riff([fmt({ code: 0x55, bits: 0, blockAlign: 1 }), data]), 415, /0x0055 \(MP3\)/);
  assertFormatError(riff([fmt({ code: 0x1234 }), data]), 415, /format code 0x1234: only PCM/);
  assertFormatError(
    riff([fmt({ subformat: 2 }), data]),
    415,
    /EXTENSIBLE subformat 0x0002 \(Microsoft ADPCM\)/,
  );
  assertFormatError(
    riff([fmt({ subformat: 1, guidTail: STANDARD_TAIL.map((b) => b ^ 1) }), data]),
    415,
    /not a standard WAVE format GUID/,
  );
  assertFormatError(riff([fmt({ bits: 12, blockAlign: 2 }), data]), 415, /PCM bit depth 12/);
  assertFormatError(riff([fmt({ code: 3, bits: 16 }), data]), 415, /IEEE float bit depth 16/);
});

test('hostile: zero channels, zero sample rate, zero bits, empty data, NaN/Inf → 400', () => {
  const data = chunk('data', pcm16(1, 2));
  assertFormatError(riff([fmt({ channels: 0, blockAlign: 2 }), data]), 400, /0 channels/);
  assertFormatError(riff([fmt({ rate: 0 }), data]), 400, /sample rate of 0 Hz/);
  assertFormatError(riff([fmt({ bits: 0, blockAlign: 2 }), data]), 400, /0 bits per sample/);
  assertFormatError(riff([fmt({}), chunk('data', new Uint8Array(0))]), 400, /data chunk is empty/);
  assertFormatError(
    riff([fmt({ code: 3, bits: 32 }), chunk('data', float32(0.5, Number.NaN))]),
    400,
    /sample 1 of channel 0 is NaN/,
  );
  assertFormatError(
    riff([fmt({ code: 3, bits: 32, channels: 2 }), chunk('data', float32(0, 0, 0.5, -Infinity))]),
    400,
    /sample 1 of channel 1 is -Infinity/,
  );
});

test('more frames than LIMITS.maxSignalLength → 413 before any decoding', () => {
  const frames = LIMITS.maxSignalLength + 1;
  assertFormatError(riff([fmt({ bits: 8 }), chunk('data', new Uint8Array(frames))]), 413, /at most 16777216/);
});

test('fuzz: mutated and cut WAVs decode or throw a FormatError, never anything else', () => {
  const base = encodeWav([Float64Array.from({ length: 40 }, (_, n) => Math.sin(n) / 2)], 8000, {
    bitDepth: '16',
  });
  const random = createStream(11, 12);
  for (let trial = 0; trial < 400; trial++) {
    let bytes = Uint8Array.from(base);
    // Mutate 1–3 header bytes (the first 44), then maybe cut the file.
    for (let m = 0; m <= trial % 3; m++)
      bytes[Math.floor(random.nextFloat64() * 44)] = Math.floor(random.nextFloat64() * 256);
    if (trial % 4 === 0) bytes = bytes.subarray(0, Math.floor(random.nextFloat64() * bytes.length));
    try {
      decodeWav(bytes);
    } catch (error) {
      assert.ok(error instanceof FormatError, `trial ${trial}: ${String(error)}`);
    }
  }
});
