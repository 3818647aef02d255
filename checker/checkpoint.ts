// A snapshot of a search between two expansions, and its file format. The model's states are not stored:
// the frontier is a list of state indices, rebuilt on resume by replaying their paths, so the format knows
// nothing of the model.
//
// The file: a first line `inflight-checkpoint/2 sha256:<hex>`, then a JSON header line, spaces up to a
// multiple of 4, and the typed arrays, raw. The SHA-256 covers every byte after the first line, and the
// first line is read exactly, so that no bit of the file can change unnoticed. A checksum only guards
// against accidents (a forger recomputes it), so the decoded snapshot is then checked for consistency:
// counters, parent links, levels, frontier indices, the fingerprint table, verdicts and coverage must
// fit together as the search leaves them. What needs the model (step indices, initial states, whether a
// recorded violation really fires) is checked on resume by `snapshotProblemsWithModel`.
import { createHash } from 'node:crypto';
import type { Model, Path, Property } from './model.js';
import { FingerprintSet } from './visited.js';

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
  /** How many actions of `cur[0]` were already taken (a search stopped inside an expansion by
   *  `maxStates`); 0 or absent between two expansions. */
  readonly skip?: number;
  /** Per property, in order: its verdict so far (null = undecided). */
  readonly properties: readonly ({ readonly path: Path; readonly message: string } | null)[];
  readonly coverage: readonly { readonly label: string; readonly generated: number; readonly distinct: number }[];
  readonly exactKeys?: readonly string[];
}

/** A checkpoint that does not fit the model it is resumed with (thrown by the search on resume). */
export class CheckpointError extends Error {}

const MAGIC = 'inflight-checkpoint/2';
const FIRST_LINE = new RegExp(`^${MAGIC.replace('/', '\\/')} sha256:([0-9a-f]{64})$`);

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** `meta` is the caller's description of the model (design, bounds …): resume refuses another. */
export function encodeSnapshot(s: Snapshot, meta: unknown): Buffer {
  const arrays = [s.visited, s.parents, s.stepTaken, s.cur, s.nxt] as const;
  const header = {
    meta,
    version: s.version, distinct: s.distinct, generated: s.generated, pruned: s.pruned, level: s.level, depth: s.depth,
    skip: s.skip ?? 0,
    properties: s.properties, coverage: s.coverage, ...(s.exactKeys ? { exactKeys: s.exactKeys } : {}),
    lengths: arrays.map((a) => a.length),
  };
  const head = Buffer.from(JSON.stringify(header) + '\n', 'utf8');
  // Pad so that the arrays start at a multiple of 4 within the body.
  const pad = (4 - (head.length % 4)) % 4;
  const body = Buffer.concat([head, Buffer.alloc(pad, 0x20), ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))]);
  return Buffer.concat([Buffer.from(`${MAGIC} sha256:${sha256(body)}\n`, 'ascii'), body]);
}

/** Reads a checkpoint; returns a one-line reason when the bytes are not a whole, consistent one. */
export function decodeSnapshot(buf: Buffer): { snapshot: Snapshot; meta: unknown } | string {
  const nl1 = buf.indexOf(0x0a);
  const first = buf.subarray(0, nl1 < 0 ? Math.min(buf.length, 100) : nl1).toString('latin1');
  if (first.startsWith('{"magic":"inflight-checkpoint/1"')) return 'a checkpoint of an older format (inflight-checkpoint/1, no checksum): start the run again';
  if (!first.startsWith(MAGIC)) return 'not an inflight checkpoint (wrong magic or version)';
  const m = FIRST_LINE.exec(first);
  if (nl1 < 0 || !m) return 'damaged checkpoint (the first line is not a checksum line)';
  const body = buf.subarray(nl1 + 1);
  if (sha256(body) !== m[1]) return 'damaged checkpoint (checksum mismatch: the file was changed or truncated)';

  const nl = body.indexOf(0x0a);
  if (nl < 0) return 'damaged checkpoint (no header)';
  let h: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(body.subarray(0, nl).toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'damaged checkpoint (the header is not an object)';
    h = parsed as Record<string, unknown>;
  } catch { return 'damaged checkpoint (bad header)'; }
  const lengths = h['lengths'];
  if (!Array.isArray(lengths) || lengths.length !== 5 || lengths.some((n) => !Number.isSafeInteger(n) || n < 0)) return 'damaged checkpoint (array lengths)';
  let at = nl + 1;
  at += (4 - (at % 4)) % 4;
  const total = at + (lengths as number[]).reduce((x, n) => x + n * 4, 0);
  if (body.length !== total) return `damaged checkpoint (${body.length} bytes after the first line, the header says ${total})`;
  const words = new Uint8Array(body.length - at);
  words.set(body.subarray(at));
  let off = 0;
  const take = <T>(n: number, make: (b: ArrayBuffer, o: number, n: number) => T): T => { const t = make(words.buffer, off, n); off += n * 4; return t; };
  const [lv, lp, ls, lc, ln] = lengths as number[];
  const visited = take(lv!, (b, o, n) => new Uint32Array(b, o, n));
  const parents = take(lp!, (b, o, n) => new Int32Array(b, o, n));
  const stepTaken = take(ls!, (b, o, n) => new Int32Array(b, o, n));
  const cur = take(lc!, (b, o, n) => new Int32Array(b, o, n));
  const nxt = take(ln!, (b, o, n) => new Int32Array(b, o, n));
  const num = (k: string): number => (Number.isSafeInteger(h[k]) && (h[k] as number) >= 0 ? (h[k] as number) : NaN);
  if (h['version'] !== 1) return 'damaged checkpoint (snapshot version)';
  const snapshot: Snapshot = {
    version: 1, distinct: num('distinct'), generated: num('generated'), pruned: num('pruned'), level: num('level'), depth: num('depth'),
    skip: num('skip'), visited, parents, stepTaken, cur, nxt,
    properties: h['properties'] as Snapshot['properties'], coverage: h['coverage'] as Snapshot['coverage'],
    ...(h['exactKeys'] !== undefined ? { exactKeys: h['exactKeys'] as string[] } : {}),
  };
  const bad = snapshotProblem(snapshot);
  return bad === undefined ? { snapshot, meta: h['meta'] } : `inconsistent checkpoint (${bad})`;
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** Why `s` cannot be a snapshot the search took, or undefined. Model-free: see `snapshotProblemsWithModel`. */
export function snapshotProblem(s: Snapshot): string | undefined {
  const { distinct, generated, pruned, level, depth } = s;
  const skip = s.skip ?? 0;
  if (![distinct, generated, pruned, level, depth, skip].every(isCount)) return 'a counter is not a whole number >= 0';
  if (distinct > generated) return `${distinct} distinct states but only ${generated} generated`;
  if (pruned > distinct) return `${pruned} pruned states of ${distinct}`;
  if (depth > level) return `depth ${depth} beyond the level ${level}`;
  if (level >= Math.max(distinct, 1)) return `level ${level} with only ${distinct} states`;
  if (s.parents.length !== distinct || s.stepTaken.length !== distinct) return 'parent links: not one per state';

  // Parent links: the initial states first (parent -(init + 1), init increasing, no step), then every state
  // after its parent, by a step index >= 0. The level of each state follows.
  const lvl = new Int32Array(distinct);
  let initials = 0;
  for (let i = 0; i < distinct; i++) {
    const p = s.parents[i]!;
    const k = s.stepTaken[i]!;
    if (p < 0) {
      if (i !== initials) return `state ${i} is an initial state after a discovered one`;
      if (k !== -1 || (i > 0 && -p - 1 <= -s.parents[i - 1]! - 1)) return `initial state ${i}: bad link`;
      initials++;
    } else {
      if (p >= i || k < 0) return `state ${i}: parent ${p}, step ${k}`;
      lvl[i] = lvl[p]! + 1;
      if (lvl[i]! > level + 1) return `state ${i} at level ${lvl[i]}, beyond the frontier's ${level + 1}`;
    }
  }
  if (distinct > 0 && initials === 0) return 'no initial state';

  // The frontier: the rest of level `level` in discovery order, then the next level so far. A state of
  // the next level was found by expanding a state before the rest (or the partly expanded first one).
  const frontier = (name: string, list: Int32Array, want: number): string | undefined => {
    for (let j = 0; j < list.length; j++) {
      const i = list[j]!;
      if (i < 0 || i >= distinct) return `${name}[${j}] = ${i} is no state`;
      if (j > 0 && i <= list[j - 1]!) return `${name} is not in discovery order`;
      if (lvl[i] !== want) return `${name}[${j}]: state ${i} is at level ${lvl[i]}, not ${want}`;
    }
    return undefined;
  };
  const f = frontier('cur', s.cur, level) ?? frontier('nxt', s.nxt, level + 1);
  if (f) return f;
  if (skip > 0 && s.cur.length === 0) return 'a partly expanded state but no frontier';
  if (s.cur.length > 0) {
    const first = s.cur[0]!;
    for (let i = 0; i < distinct; i++) {
      const p = s.parents[i]!;
      if (lvl[i] === level + 1 && (skip > 0 ? p > first : p >= first)) return `state ${i} was found from state ${p}, which is not expanded yet`;
    }
  }

  // Verdicts and coverage.
  if (!Array.isArray(s.properties)) return 'verdicts';
  for (const [i, v] of s.properties.entries()) {
    if (v === null) continue;
    if (typeof v !== 'object' || typeof v.message !== 'string' || typeof v.path !== 'object' || v.path === null
      || !isCount(v.path.init) || !Array.isArray(v.path.steps) || !v.path.steps.every(isCount)) return `verdict ${i}`;
    if (v.path.steps.length > level + 1) return `verdict ${i}: a path of ${v.path.steps.length} steps at level ${level}`;
  }
  if (!Array.isArray(s.coverage)) return 'coverage';
  const labels = new Set<string>();
  let covGenerated = 0;
  let covDistinct = 0;
  for (const c of s.coverage) {
    if (typeof c !== 'object' || c === null || typeof c.label !== 'string' || labels.has(c.label) || !isCount(c.generated) || !isCount(c.distinct) || c.distinct > c.generated) return 'coverage entry';
    labels.add(c.label);
    covGenerated += c.generated;
    covDistinct += c.distinct;
  }
  // Coverage counts every transition but not the initial states.
  if (s.coverage.length > 0 && (covDistinct !== distinct - initials || covGenerated > generated - initials)) return 'coverage does not add up to the counters';

  if (s.exactKeys !== undefined) {
    if (!Array.isArray(s.exactKeys) || s.exactKeys.length !== distinct || s.exactKeys.some((k) => typeof k !== 'string')) return 'exact keys';
    if (new Set(s.exactKeys).size !== distinct) return 'exact keys repeat';
    return FingerprintSet.problem(s.visited, 0);
  }
  return FingerprintSet.problem(s.visited, distinct);
}

/** Replays `path` from the model's initial states; undefined when an index is out of range. */
function replay<S, A>(model: Model<S, A>, path: Path): { states: S[]; actions: A[] } | undefined {
  const inits = model.initial();
  if (path.init >= inits.length) return undefined;
  let st = inits[path.init] as S;
  const states = [st];
  const actions: A[] = [];
  for (const k of path.steps) {
    const acts = model.steps(st);
    if (k >= acts.length) return undefined;
    actions.push(acts[k] as A);
    st = model.next(st, acts[k] as A);
    states.push(st);
  }
  return { states, actions };
}

/** What the search can check of a (model-free consistent) snapshot only with the model: the initial
 *  states named by parent links exist, and each recorded verdict fires with its message at the end of its
 *  path. The frontier's own paths are checked as the search rebuilds them. */
export function snapshotProblemsWithModel<S, A>(model: Model<S, A>, props: readonly Property<S, A>[], s: Snapshot): string | undefined {
  if (s.properties.length !== props.length) return `${s.properties.length} verdicts for ${props.length} properties`;
  const inits = model.initial().length;
  for (let i = 0; i < s.distinct && s.parents[i]! < 0; i++) if (-s.parents[i]! - 1 >= inits) return `state ${i} names initial state ${-s.parents[i]! - 1} of ${inits}`;
  for (const [i, v] of s.properties.entries()) {
    if (v === null) continue;
    const p = props[i]!;
    let msg: string | undefined;
    try {
      const run = replay(model, v.path);
      if (run === undefined) return `the path of ${p.name}'s verdict does not replay`;
      const n = run.states.length - 1;
      msg = p.on === 'state' ? p.check(run.states[n]!) : n > 0 ? p.check(run.states[n - 1]!, run.actions[n - 1]!, run.states[n]!) : undefined;
    } catch {
      return `the model throws on the path of ${p.name}'s verdict`;
    }
    if (msg !== v.message) return `${p.name}'s recorded verdict does not fire at the end of its path`;
  }
  return undefined;
}
