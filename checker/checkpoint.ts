// A snapshot of a search between two expansions, and its file format: a JSON header line followed by
// the typed arrays, raw. The model's states are not stored: the frontier is a list of state indices,
// rebuilt on resume by replaying their paths, so the format knows nothing of the model.
import type { Path } from './model.js';

export interface Snapshot {
  readonly version: 1;
  readonly distinct: number;
  readonly generated: number;
  readonly pruned: number;
  readonly level: number;
  readonly depth: number;
  /** The fingerprint table (interleaved hi, lo). */
  readonly visited: Uint32Array;
  readonly parents: Int32Array;
  readonly stepTaken: Int32Array;
  /** Indices of the states of the current level still to expand, then of the next level so far. */
  readonly cur: Int32Array;
  readonly nxt: Int32Array;
  /** Per property, in order: its verdict so far (null = undecided). */
  readonly properties: readonly ({ readonly path: Path; readonly message: string } | null)[];
  readonly coverage: readonly { readonly label: string; readonly generated: number; readonly distinct: number }[];
  readonly exactKeys?: readonly string[];
}

const MAGIC = 'inflight-checkpoint/1';

/** `meta` is the caller's description of the model (design, bounds …): resume refuses another. */
export function encodeSnapshot(s: Snapshot, meta: unknown): Buffer {
  const arrays = [s.visited, s.parents, s.stepTaken, s.cur, s.nxt] as const;
  const header = {
    magic: MAGIC, meta,
    version: s.version, distinct: s.distinct, generated: s.generated, pruned: s.pruned, level: s.level, depth: s.depth,
    properties: s.properties, coverage: s.coverage, ...(s.exactKeys ? { exactKeys: s.exactKeys } : {}),
    lengths: arrays.map((a) => a.length),
  };
  const head = Buffer.from(JSON.stringify(header) + '\n', 'utf8');
  // Pad so that the arrays start at a multiple of 4.
  const pad = (4 - (head.length % 4)) % 4;
  return Buffer.concat([head, Buffer.alloc(pad, 0x20), ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))]);
}

/** Reads a checkpoint; returns a one-line reason when the bytes are not one. */
export function decodeSnapshot(buf: Buffer): { snapshot: Snapshot; meta: unknown } | string {
  const nl = buf.indexOf(0x0a);
  if (nl < 0) {
    return buf.subarray(0, 40).toString('utf8').startsWith(`{"magic":"${MAGIC}"`)
      ? 'damaged checkpoint (the header is cut short: truncated?)' : 'not an inflight checkpoint (no header)';
  }
  let h: Record<string, unknown>;
  try { h = JSON.parse(buf.subarray(0, nl).toString('utf8')) as Record<string, unknown>; } catch { return 'not an inflight checkpoint (bad header)'; }
  if (h['magic'] !== MAGIC) return 'not an inflight checkpoint (wrong magic or version)';
  const lengths = h['lengths'];
  if (!Array.isArray(lengths) || lengths.length !== 5 || lengths.some((n) => !Number.isInteger(n) || n < 0)) return 'damaged checkpoint (array lengths)';
  let at = nl + 1;
  at += (4 - (at % 4)) % 4;
  const total = at + (lengths as number[]).reduce((x, n) => x + n * 4, 0);
  if (buf.length !== total) return `damaged checkpoint (${buf.length} bytes, expected ${total}: truncated?)`;
  const body = new Uint8Array(buf.length - at);
  body.set(buf.subarray(at));
  let off = 0;
  const take = <T>(n: number, make: (b: ArrayBuffer, o: number, n: number) => T): T => { const t = make(body.buffer, off, n); off += n * 4; return t; };
  const [lv, lp, ls, lc, ln] = lengths as number[];
  const visited = take(lv!, (b, o, n) => new Uint32Array(b, o, n));
  const parents = take(lp!, (b, o, n) => new Int32Array(b, o, n));
  const stepTaken = take(ls!, (b, o, n) => new Int32Array(b, o, n));
  const cur = take(lc!, (b, o, n) => new Int32Array(b, o, n));
  const nxt = take(ln!, (b, o, n) => new Int32Array(b, o, n));
  const num = (k: string): number => (Number.isInteger(h[k]) ? (h[k] as number) : NaN);
  const snapshot: Snapshot = {
    version: 1, distinct: num('distinct'), generated: num('generated'), pruned: num('pruned'), level: num('level'), depth: num('depth'),
    visited, parents, stepTaken, cur, nxt,
    properties: h['properties'] as Snapshot['properties'], coverage: h['coverage'] as Snapshot['coverage'],
    ...(Array.isArray(h['exactKeys']) ? { exactKeys: h['exactKeys'] as string[] } : {}),
  };
  if ([snapshot.distinct, snapshot.generated, snapshot.pruned, snapshot.level, snapshot.depth].some(Number.isNaN)) return 'damaged checkpoint (counters)';
  if (parents.length !== snapshot.distinct || stepTaken.length !== snapshot.distinct) return 'damaged checkpoint (parent links)';
  if (!Array.isArray(snapshot.properties) || !Array.isArray(snapshot.coverage)) return 'damaged checkpoint (verdicts)';
  return { snapshot, meta: h['meta'] };
}
