// A 64-bit fingerprint of a vector of 32-bit words, in plain JS (no BigInt, no allocation per call).
//
// Two 32-bit lanes absorb every word, each with its own multiply/rotate mix; after each word the lanes are
// added into each other, so the 64-bit state is one state, not two independent 32-bit hashes. Each word
// step is a bijection of the (h1, h2) state for a fixed word, so no information is lost along the way. The
// length is folded in at the end and both lanes go through a murmur3-style `fmix32` with cross-adds before
// and after, so every output bit depends on every input bit.
//
// The result is written into `fp` (fp[0] = hi, fp[1] = lo, both uint32). (0, 0) is never produced: it is
// mapped to (0, 1), because the visited table uses (0, 0) to mark empty slots.

/** The result of the last `fingerprint` call: `fp[0]` = high 32 bits, `fp[1]` = low 32 bits. */
export const fp = new Uint32Array(2);

const SEED1 = 0x9e3779b9 | 0;
const SEED2 = 0x7f4a7c15 | 0;

/** Fingerprints `words` (each read as a 32-bit integer, ToInt32 semantics) into `fp`. Returns `fp[0]`. */
export function fingerprint(words: ArrayLike<number>): number {
  const n = words.length;
  let h1 = SEED1;
  let h2 = SEED2 ^ n;
  for (let i = 0; i < n; i++) {
    const w = words[i] as number;
    // lane 1
    let k1 = Math.imul(w, 0x239b961b);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, 0xab0e9789);
    h1 ^= k1;
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    // lane 2: other constants and rotations
    let k2 = Math.imul(w, 0x38b34ae5);
    k2 = (k2 << 16) | (k2 >>> 16);
    k2 = Math.imul(k2, 0xa1e38b93);
    h2 ^= k2;
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    // cross-feed the lanes
    h1 = (h1 + h2) | 0;
    h2 = (h2 + h1) | 0;
  }
  // fold the length in, cross-mix, finalize each lane, cross-mix again
  h1 ^= n;
  h2 ^= Math.imul(n, 0x27d4eb2f);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;

  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;

  h2 ^= h2 >>> 15;
  h2 = Math.imul(h2, 0x2c1b3c6d);
  h2 ^= h2 >>> 12;
  h2 = Math.imul(h2, 0x297a2d39);
  h2 ^= h2 >>> 15;

  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;

  fp[0] = h1;
  fp[1] = (h1 | h2) === 0 ? 1 : h2;
  return fp[0];
}

/** Convenience (allocates): the fingerprint of `words` as `[hi, lo]`. Not for hot loops. */
export function fingerprintPair(words: ArrayLike<number>): [hi: number, lo: number] {
  fingerprint(words);
  return [fp[0]!, fp[1]!];
}
