// A BFS level's states waiting to be expanded, each with its state index. Two ways to keep them:
//  - objects: the states as the model made them (any model);
//  - compact: each state encoded (Model.encode) into one chunked Int32Array arena, decoded again when it is
//    expanded — no object per waiting state, a few words each, so a wide level costs megabytes, not
//    gigabytes. Which one a search uses is CheckOptions.compact.
import { Int32List } from './visited.js';

export interface Frontier<S> {
  readonly length: number;
  push(s: S, idx: number): void;
  /** The state at position i (a fresh object in compact mode). */
  state(i: number): S;
  /** Its state index (for parent links and paths). */
  index(i: number): number;
  /** Bytes held (compact mode: the arena; objects: not known, 0). */
  readonly bytes: number;
}

export class ObjectFrontier<S> implements Frontier<S> {
  private readonly states: S[] = [];
  private readonly idx: number[] = [];
  get length(): number { return this.states.length; }
  get bytes(): number { return 0; }
  push(s: S, idx: number): void { this.states.push(s); this.idx.push(idx); }
  state(i: number): S { return this.states[i]!; }
  index(i: number): number { return this.idx[i]!; }
}

export class CompactFrontier<S> implements Frontier<S> {
  private readonly words = new Int32List(1 << 16);
  /** Where each state's words start; state i ends where i + 1 starts (or at words.length). */
  private readonly starts = new Int32List(1 << 12);
  private readonly idx = new Int32List(1 << 12);
  private scratch = new Int32Array(64);

  constructor(private readonly encode: (s: S) => Int32Array, private readonly decode: (w: Int32Array) => S) {}

  get length(): number { return this.idx.length; }
  get bytes(): number { return this.words.bytes + this.starts.bytes + this.idx.bytes; }

  push(s: S, idx: number): void {
    this.starts.push(this.words.length);
    this.words.pushAll(this.encode(s));
    this.idx.push(idx);
  }

  state(i: number): S {
    const from = this.starts.get(i);
    const to = i + 1 < this.starts.length ? this.starts.get(i + 1) : this.words.length;
    const n = to - from;
    if (this.scratch.length < n) this.scratch = new Int32Array(n * 2);
    this.words.copyOut(from, to, this.scratch);
    return this.decode(this.scratch.subarray(0, n));
  }

  index(i: number): number { return this.idx.get(i); }
}
