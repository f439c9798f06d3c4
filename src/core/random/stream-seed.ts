import { Xoshiro128StarStar } from './xoshiro128.js';

// One lane per state word. Each lane is a complete MurmurHash3 (x86, 32-bit) of the same word
// sequence under a different hash seed (hexadecimal digits of π), so the four words are
// four independent 32-bit hashes: the state has 128 bits of entropy in (seed, keys), and two
// different key tuples collide only with probability ~2^-128 rather than the ~2^-32 of a single
// 32-bit hash (which would already give birthday collisions among ~10^5 trials).
const LANE0 = 0x243f6a88;
const LANE1 = 0x85a308d3;
const LANE2 = 0x13198a2e;
const LANE3 = 0x03707344;

/** MurmurHash3 block step: scramble one 32-bit word into the running hash `h`. */
function mixWord(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3 finaliser (fmix32): full avalanche, every input bit affects every output bit. */
function finish(h: number, wordCount: number): number {
  h ^= wordCount * 4; // length in bytes, as in MurmurHash3, so (s) and (s, 0) differ
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function checkWord(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`createStream: ${what} must be an integer in [0, 2^32), got ${value}`);
  }
}

/**
 * An independent xoshiro128** generator (docs/theory.md §10.1) for the tuple `(seed, ...keys)`, for example
 * `(seed, kind, J, T, trial)`: each Monte Carlo trial draws from its own stream, so results are
 * reproducible whatever the scheduling across cells and worker threads.
 *
 * The same tuple always gives the same stream. The state is four MurmurHash3 hashes of the tuple
 * under different hash seeds; the hash avalanches, so tuples that differ in one bit (trial 7 vs 8,
 * or a key appended) give unrelated states, and xoshiro128** has no known correlations between
 * streams started from unrelated states. Cheap: O(number of keys) integer operations and one
 * generator object.
 *
 * @param seed the user's 32-bit seed, an integer in [0, 2^32).
 * @param keys non-negative integers in [0, 2^32) identifying the stream.
 * @throws RangeError if the seed or a key is outside [0, 2^32) or not an integer.
 */
export function createStream(seed: number, ...keys: number[]): Xoshiro128StarStar {
  checkWord('seed', seed);
  let h0 = mixWord(LANE0, seed);
  let h1 = mixWord(LANE1, seed);
  let h2 = mixWord(LANE2, seed);
  let h3 = mixWord(LANE3, seed);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    checkWord(`key ${i}`, key);
    h0 = mixWord(h0, key);
    h1 = mixWord(h1, key);
    h2 = mixWord(h2, key);
    h3 = mixWord(h3, key);
  }
  const words = keys.length + 1;
  const s0 = finish(h0, words);
  const s1 = finish(h1, words);
  const s2 = finish(h2, words);
  const s3 = finish(h3, words);
  // The all-zero state (probability 2^-128) is the generator's fixed point; nudge it.
  return new Xoshiro128StarStar(s0, s1, s2, (s0 | s1 | s2 | s3) === 0 ? 1 : s3);
}
