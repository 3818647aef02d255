// Flat typed-array storage for the search: the set of visited fingerprints and the parent links.

/** At most 2^30 slots (8 GiB, about 805 M fingerprints at load 0.75), so slot * 2 stays an int32. */
const MAX_SLOTS = 2 ** 30;

/** A set of 64-bit fingerprints given as (hi, lo) uint32 halves: open addressing over one interleaved
 *  `Uint32Array` [hi0, lo0, hi1, lo1, ...], power-of-two capacity, linear probing, doubling at load 0.75.
 *  (0, 0) marks an empty slot; it is stored as (0, 1) (the engine's `fingerprint` never produces (0, 0)). */
export class FingerprintSet {
  private table: Uint32Array;
  private mask: number; // capacity - 1 (capacity in slots)
  private count = 0;
  private limit: number; // grow when count reaches this

  /** `capacity`: initial number of slots (rounded up to a power of two, at least 16). */
  constructor(capacity = 1 << 12) {
    let cap = 16;
    while (cap < capacity && cap < MAX_SLOTS) cap *= 2;
    this.table = new Uint32Array(cap * 2);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * 0.75);
  }

  /** Number of fingerprints in the set. */
  get size(): number {
    return this.count;
  }

  /** Number of slots. */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Bytes used by the table. */
  get bytes(): number {
    return this.table.byteLength;
  }

  /** Adds (hi, lo); returns true if it was not in the set. */
  insert(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if ((hi | lo) === 0) lo = 1;
    const table = this.table;
    const mask = this.mask;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const p = i << 1;
      const h = table[p]!;
      const l = table[p + 1]!;
      if ((h | l) === 0) {
        table[p] = hi;
        table[p + 1] = lo;
        if (++this.count >= this.limit) this.grow();
        return true;
      }
      if (h === hi && l === lo) return false;
      i = (i + 1) & mask;
    }
  }

  /** Is (hi, lo) in the set? */
  has(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if ((hi | lo) === 0) lo = 1;
    const table = this.table;
    const mask = this.mask;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const p = i << 1;
      const h = table[p]!;
      const l = table[p + 1]!;
      if ((h | l) === 0) return false;
      if (h === hi && l === lo) return true;
      i = (i + 1) & mask;
    }
  }

  /** A copy of the table, for a checkpoint. */
  snapshot(): { table: Uint32Array; count: number } {
    return { table: this.table.slice(), count: this.count };
  }

  /** A set with the given table (from `snapshot`). */
  static restore(table: Uint32Array, count: number): FingerprintSet {
    const slots = table.length / 2;
    if (!Number.isInteger(Math.log2(slots)) || slots < 16 || slots > MAX_SLOTS) throw new RangeError('FingerprintSet.restore: bad table size');
    const set = new FingerprintSet(16);
    set.table = table;
    set.mask = slots - 1;
    set.count = count;
    set.limit = Math.floor(slots * 0.75);
    return set;
  }

  /** Why `table` (with `count` entries) cannot be a table this class made, or undefined: its size, its
   *  count of entries, a load that would make probing endless, or an entry that probing from its home slot
   *  would never reach (a damaged word). For checkpoints read back from disk. */
  static problem(table: Uint32Array, count: number): string | undefined {
    const slots = table.length / 2;
    if (!Number.isInteger(Math.log2(slots)) || slots < 16 || slots > MAX_SLOTS) return `a table of ${table.length} words is no fingerprint table`;
    if (count >= Math.floor(slots * 0.75)) return `${count} entries in ${slots} slots is beyond the table's load`;
    const mask = slots - 1;
    let seen = 0;
    for (let s = 0; s < slots; s++) {
      const hi = table[s << 1]!;
      const lo = table[(s << 1) + 1]!;
      if ((hi | lo) === 0) continue;
      seen++;
      // Linear probing: every slot from the entry's home slot to the entry itself is occupied.
      for (let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask; i !== s; i = (i + 1) & mask) {
        if ((table[i << 1]! | table[(i << 1) + 1]!) === 0) return `fingerprint slot ${s} is not where its value puts it`;
      }
    }
    return seen === count ? undefined : `${seen} fingerprints in the table, ${count} states counted`;
  }

  private grow(): void {
    const old = this.table;
    const cap = (this.mask + 1) * 2;
    if (cap > MAX_SLOTS) throw new RangeError(`FingerprintSet: cannot grow beyond 2^30 slots (${this.count} entries)`);
    const table = new Uint32Array(cap * 2);
    const mask = cap - 1;
    for (let p = 0; p < old.length; p += 2) {
      const hi = old[p]!;
      const lo = old[p + 1]!;
      if ((hi | lo) === 0) continue;
      let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
      while ((table[i << 1]! | table[(i << 1) + 1]!) !== 0) i = (i + 1) & mask;
      table[i << 1] = hi;
      table[(i << 1) + 1] = lo;
    }
    this.table = table;
    this.mask = mask;
    this.limit = Math.floor(cap * 0.75);
  }
}

const CHUNK_BITS = 18; // 256 Ki elements = 1 MiB per chunk
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

/** A growable list of int32. The first chunk grows by doubling up to 1 MiB; after that whole 1 MiB chunks are
 *  added, so growing never copies a large array (no old + new copy alive at once). */
export class Int32List {
  private chunks: Int32Array[];
  private last: Int32Array; // chunks[chunks.length - 1]
  private len = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity && cap < CHUNK) cap *= 2;
    this.last = new Int32Array(cap);
    this.chunks = [this.last];
  }

  get length(): number {
    return this.len;
  }

  /** Bytes allocated. */
  get bytes(): number {
    let b = 0;
    for (const c of this.chunks) b += c.byteLength;
    return b;
  }

  push(v: number): void {
    const j = this.len & CHUNK_MASK;
    if (j === 0 && this.len > 0) {
      // the last chunk is full (a full chunk has CHUNK elements)
      this.last = new Int32Array(CHUNK);
      this.chunks.push(this.last);
    } else if (j === this.last.length) {
      // only the first chunk can be short: double it
      const bigger = new Int32Array(Math.min(CHUNK, this.last.length * 2));
      bigger.set(this.last);
      this.last = bigger;
      this.chunks[0] = bigger;
    }
    this.last[j] = v;
    this.len++;
  }

  /** Appends every element of `values`. */
  pushAll(values: ArrayLike<number>): void {
    for (let k = 0; k < values.length; k++) this.push(values[k]!);
  }

  /** Copies elements [from, to) into `out` (from 0). */
  copyOut(from: number, to: number, out: Int32Array): void {
    let at = 0;
    while (from < to) {
      const chunk = this.chunks[from >>> CHUNK_BITS]!;
      const off = from & CHUNK_MASK;
      const n = Math.min(to - from, chunk.length - off);
      out.set(chunk.subarray(off, off + n), at);
      at += n;
      from += n;
    }
  }

  /** The elements as one array (a copy), for a checkpoint. */
  toArray(): Int32Array {
    const out = new Int32Array(this.len);
    for (let c = 0, at = 0; at < this.len; c++) {
      const chunk = this.chunks[c]!;
      const n = Math.min(chunk.length, this.len - at);
      out.set(chunk.subarray(0, n), at);
      at += n;
    }
    return out;
  }

  static from(values: ArrayLike<number>): Int32List {
    const list = new Int32List(Math.min(values.length, CHUNK));
    for (let i = 0; i < values.length; i++) list.push(values[i]!);
    return list;
  }

  /** The element at `i` (0 <= i < length; not checked). */
  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & CHUNK_MASK]!;
  }

  set(i: number, v: number): void {
    this.chunks[i >>> CHUNK_BITS]![i & CHUNK_MASK] = v;
  }
}
