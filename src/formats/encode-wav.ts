import wavefile from 'wavefile';

/** Sample formats `encodeWav` writes: PCM 8 (unsigned), 16, 24, 32 bit, or float32 ('32f'). */
export type WavBitDepth = '8' | '16' | '24' | '32' | '32f';

/**
 * Writes a WAV file with wavefile's `fromScratch`, the inverse of `decodeWav` (for tests and
 * fixtures). Samples are in [−1, 1); PCM rounds x·2^(bits−1) to the nearest integer and clips
 * to the format's range, so a round trip is exact to half an LSB, 2^−bits (8-bit adds 128).
 * '32f' stores Math.fround(x). More than two channels get an extensible fmt chunk.
 */
export function encodeWav(
  samples: readonly Float64Array[],
  sampleRate: number,
  format: { bitDepth: WavBitDepth },
): Uint8Array {
  const first = samples[0];
  if (first === undefined) throw new RangeError('encodeWav: at least one channel is needed, got 0');
  samples.forEach((channel, c) => {
    if (channel.length !== first.length) {
      throw new RangeError(
        `encodeWav: channel ${c} has ${channel.length} samples, channel 0 has ${first.length}`,
      );
    }
  });
  if (!Number.isInteger(sampleRate) || sampleRate < 1) {
    throw new RangeError(`encodeWav: sampleRate must be a positive integer, got ${sampleRate}`);
  }
  const { bitDepth } = format;
  const channels = samples.map((channel) => {
    if (bitDepth === '32f') return Float32Array.from(channel);
    const bits = Number(bitDepth);
    const full = 2 ** (bits - 1);
    const offset = bits === 8 ? full : 0;
    const out = new Float64Array(channel.length);
    for (let n = 0; n < channel.length; n++) {
      const q = Math.round(channel[n]! * full);
      out[n] = Math.min(full - 1, Math.max(-full, q)) + offset;
    }
    return out;
  });
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels.length, sampleRate, bitDepth, channels);
  return wav.toBuffer();
}
