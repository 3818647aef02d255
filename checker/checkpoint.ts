// A snapshot of a search between two expansions, and its file format. The model's states are not stored:
// the frontier is a list of state indices, rebuilt on resume from the parent links, so the format knows
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
import * as v from 'valibot';
import { check, count, jsonPath, obj } from '../model/schema-kit.js';
import type { Model, Path, Property } from './model.js';
import { fingerprint, fp } from './hash.js';
import { FingerprintSet } from './visited.js';

// The header line, once: decodeSnapshot reads it by this schema and the published JSON Schema
// (schemas/checkpoint.schema.json, with the CLI's `meta`) is made from it. Types only: how the fields fit
// together (and with the arrays) is snapshotProblem's.
const COUNT = 'not a whole number >= 0';
const counter = (what: string) => v.pipe(count(COUNT), v.description(what));
const VerdictSchema = v.nullable(obj({
  path: obj({ init: count(COUNT), steps: v.pipe(v.array(count(COUNT), 'not a list of step indices'), v.readonly()) }, 'not an object'),
  message: v.string('not a string'),
}, 'not an object or null'));
const CoverageSchema = obj({ label: v.string('not a string'), generated: count(COUNT), distinct: count(COUNT) }, 'not an object');

export const HEADER_ENTRIES = {
  meta: v.pipe(v.unknown(), v.description("the caller's description of the model (design, bounds …): resume refuses another")),
  version: v.pipe(v.literal(1, 'snapshot version'), v.description('the version of the snapshot (1)')),
  distinct: counter('distinct states found'),
  generated: counter('states generated'),
  pruned: counter('states cut by a fired property'),
  level: counter('the level being expanded'),
  depth: counter('the depth reached (the level)'),
  skip: counter('how many actions of the first frontier state were already taken'),
  properties: v.pipe(v.array(VerdictSchema, 'not a list'), v.readonly(), v.description('per property, in order: its verdict so far (null = undecided)')),
  coverage: v.pipe(v.array(CoverageSchema, 'not a list'), v.readonly(), v.description('per action label: transitions generated and distinct states they found')),
  exactKeys: v.exactOptional(v.pipe(v.array(v.string('not a string'), 'not a list'), v.readonly(), v.description('in an exact run: every state\'s key, in discovery order'))),
  lengths: v.pipe(v.strictTuple([count(COUNT), count(COUNT), count(COUNT), count(COUNT), count(COUNT)], 'array lengths'),
    v.description('the lengths (in 32-bit words) of the arrays that follow: visited (fingerprints, hi and lo), parents, stepTaken, cur, nxt')),
};
const HeaderSchema = obj(HEADER_ENTRIES, 'the header is not an object');

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
  readonly properties: v.InferOutput<typeof HEADER_ENTRIES.properties>;
  readonly coverage: v.InferOutput<typeof HEADER_ENTRIES.coverage>;
  readonly exactKeys?: v.InferOutput<typeof HEADER_ENTRIES.exactKeys>;
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
  let parsed: unknown;
  try { parsed = JSON.parse(body.subarray(0, nl).toString('utf8')); } catch { return 'damaged checkpoint (bad header)'; }
  const r = check(HeaderSchema, parsed);
  if (!r.ok) return `damaged checkpoint (${r.path.length ? `${jsonPath(r.path)}: ` : ''}${r.message})`;
  const h = r.value;
  const lengths = h.lengths;
  let at = nl + 1;
  at += (4 - (at % 4)) % 4;
  const total = at + lengths.reduce((x, n) => x + n * 4, 0);
  if (body.length !== total) return `damaged checkpoint (${body.length} bytes after the first line, the header says ${total})`;
  const words = new Uint8Array(body.length - at);
  words.set(body.subarray(at));
  let off = 0;
  const take = <T>(n: number, make: (b: ArrayBuffer, o: number, n: number) => T): T => { const t = make(words.buffer, off, n); off += n * 4; return t; };
  const [lv, lp, ls, lc, ln] = lengths;
  const visited = take(lv, (b, o, n) => new Uint32Array(b, o, n));
  const parents = take(lp, (b, o, n) => new Int32Array(b, o, n));
  const stepTaken = take(ls, (b, o, n) => new Int32Array(b, o, n));
  const cur = take(lc, (b, o, n) => new Int32Array(b, o, n));
  const nxt = take(ln, (b, o, n) => new Int32Array(b, o, n));
  const snapshot: Snapshot = {
    version: 1, distinct: h.distinct, generated: h.generated, pruned: h.pruned, level: h.level, depth: h.depth,
    skip: h.skip, visited, parents, stepTaken, cur, nxt, properties: h.properties, coverage: h.coverage,
    ...(h.exactKeys !== undefined ? { exactKeys: h.exactKeys } : {}),
  };
  const bad = snapshotProblem(snapshot);
  return bad === undefined ? { snapshot, meta: h.meta } : `inconsistent checkpoint (${bad})`;
}

/** Why `s` cannot be a snapshot the search took, or undefined. Model-free: see `snapshotProblemsWithModel`.
 *  The types of the header's fields are the schema's (decodeSnapshot); this is how they fit together. */
export function snapshotProblem(s: Snapshot): string | undefined {
  const { distinct, generated, pruned, level, depth } = s;
  const skip = s.skip ?? 0;
  if (distinct > generated) return `${distinct} distinct states but only ${generated} generated`;
  if (pruned > distinct) return `${pruned} pruned states of ${distinct}`;
  if (depth !== level) return `depth ${depth}, level ${level}`;  // the search sets depth to the level it is in
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
  if (s.cur.length === 0 && s.nxt.length > 0) return 'a next level but no current one';
  if (s.cur.length > 0) {
    const first = s.cur[0]!;
    for (let i = 0; i < distinct; i++) {
      const p = s.parents[i]!;
      if (lvl[i] === level + 1 && (skip > 0 ? p > first : p >= first)) return `state ${i} was found from state ${p}, which is not expanded yet`;
    }
  }

  // Verdicts and coverage.
  for (const [i, p] of s.properties.entries()) {
    if (p !== null && p.path.steps.length > level + 1) return `verdict ${i}: a path of ${p.path.steps.length} steps at level ${level}`;
  }
  const labels = new Set<string>();
  let covGenerated = 0;
  let covDistinct = 0;
  for (const c of s.coverage) {
    if (labels.has(c.label) || c.distinct > c.generated) return 'coverage entry';
    labels.add(c.label);
    covGenerated += c.generated;
    covDistinct += c.distinct;
  }
  // Coverage counts every transition but not the initial states.
  if (s.coverage.length > 0 && (covDistinct !== distinct - initials || covGenerated > generated - initials)) return 'coverage does not add up to the counters';

  if (s.exactKeys !== undefined) {
    if (s.exactKeys.length !== distinct) return 'exact keys';
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

/** The states of the unexpanded region (the rest of level `level` from `cur[0]`, and level `level + 1`)
 *  that are in neither frontier list: only states left out as violating can be. */
function unlisted(s: Snapshot, lvl: Int32Array): Set<number> {
  const listed = new Set<number>([...s.cur, ...s.nxt]);
  const first = s.cur.length > 0 ? s.cur[0]! : s.distinct;
  const out = new Set<number>();
  for (let i = 0; i < s.distinct; i++) {
    if (((lvl[i] === s.level && i >= first) || lvl[i] === s.level + 1) && !listed.has(i)) out.add(i);
  }
  return out;
}

const levelsOf = (s: Snapshot): Int32Array => {
  const lvl = new Int32Array(s.distinct);
  for (let i = 0; i < s.distinct; i++) if (s.parents[i]! >= 0) lvl[i] = lvl[s.parents[i]!]! + 1;
  return lvl;
};

/** What can be checked of a (model-free consistent) snapshot only with the model: every state is
 *  re-derived from its parent link (each once, depth-first: one `steps` per expanded state and one `next`
 *  per state; `onFrontier` gets the frontier's states, so that resume need not replay their paths) and
 *  must be in the visited set, once: so the set holds exactly
 *  the states the links describe. The frontier holds no state a fired `always` property would have cut
 *  (with `prune`), and only such states are missing from it. Each recorded verdict fires with its
 *  message at the end of its path. */
export function snapshotProblemsWithModel<S, A>(model: Model<S, A>, props: readonly Property<S, A>[], s: Snapshot, opts: { exact: boolean; prune: boolean },
  onFrontier?: (idx: number, state: S) => void): string | undefined {
  if (s.properties.length !== props.length) return `${s.properties.length} verdicts for ${props.length} properties`;
  if (opts.exact !== (s.exactKeys !== undefined)) return opts.exact ? 'no exact keys in an exact run' : 'exact keys in a fingerprint run';
  try {
    return verdictProblem(model, props, s) ?? statesProblem(model, props, s, opts, onFrontier);
  } catch {
    return 'the model throws on a path the checkpoint describes';
  }
}

function verdictProblem<S, A>(model: Model<S, A>, props: readonly Property<S, A>[], s: Snapshot): string | undefined {
  for (const [i, v] of s.properties.entries()) {
    if (v === null) continue;
    const p = props[i]!;
    const run = replay(model, v.path);
    if (run === undefined) return `the path of ${p.name}'s verdict does not replay`;
    const n = run.states.length - 1;
    const msg = p.on === 'state' ? p.check(run.states[n]!) : n > 0 ? p.check(run.states[n - 1]!, run.actions[n - 1]!, run.states[n]!) : undefined;
    if (msg !== v.message) return `${p.name}'s recorded verdict does not fire at the end of its path`;
  }
  return undefined;
}

function statesProblem<S, A>(model: Model<S, A>, props: readonly Property<S, A>[], s: Snapshot, opts: { exact: boolean; prune: boolean },
  onFrontier?: (idx: number, state: S) => void): string | undefined {
  const inits = model.initial();
  const n = s.distinct;
  // Children lists (counting sort by parent).
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if (s.parents[i]! >= 0) start[s.parents[i]! + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const children = new Int32Array(start[n]!);
  const fill = start.slice();
  for (let i = 0; i < n; i++) if (s.parents[i]! >= 0) children[fill[s.parents[i]!]!++] = i;

  const lvl = levelsOf(s);
  const first = s.cur.length > 0 ? s.cur[0]! : n;
  const skip = s.skip ?? 0;
  /** How many actions of state i the search took: all for an expanded (or probed) state, `skip` for the
   *  first of the frontier, none for the others. */
  const taken = (i: number, all: number): number => (lvl[i]! < s.level || (lvl[i] === s.level && i < first) ? all : i === first ? skip : 0);

  const table = opts.exact ? undefined : FingerprintSet.restore(s.visited.slice(), n);
  const keys = opts.exact ? new Set(s.exactKeys) : undefined;
  const again = new FingerprintSet();
  const againKeys = new Set<string>();
  const firedAlways = props.filter((p, i) => s.properties[i] !== null && p.kind === 'always' && p.on === 'state') as Extract<Property<S, A>, { on: 'state' }>[];
  // A state that violates a fired `always` property was cut (when pruning): it was the first to violate
  // it, or came later and was checked against it. No other state was cut.
  const violates = (st: S): boolean => opts.prune && firedAlways.some((p) => p.check(st) !== undefined);
  const inFrontier = new Set<number>([...s.cur, ...s.nxt]);
  const missing = unlisted(s, lvl);
  let pruned = 0;
  // What the counters must be: each initial entry and each transition taken counts as generated, and per
  // action label the transitions taken and the states they discovered (the coverage).
  let generated = inits.length;
  const cover = new Map<string, [number, number]>();
  const label = model.label?.bind(model);
  /** Counts an action taken (`isNew` false) or the discovery of a state by it (true). */
  const count = (a: A, isNew: boolean): void => {
    if (!label) return;
    const l = label(a);
    const c = cover.get(l) ?? [0, 0];
    if (isNew) c[1]++; else c[0]++;
    cover.set(l, c);
  };

  /** The actions of the state `visit` saw last (empty when neither counted nor needed for children). */
  let acts: readonly A[] = [];
  /** Checks state i (reached as `st`) and counts the actions it took; undefined when fine. */
  const visit = (i: number, st: S): string | undefined => {
    const k = model.key(st);
    if (keys) {
      const text = Array.prototype.join.call(k, ',');
      if (!keys.has(text)) return `state ${i} is not among the exact keys`;
      if (againKeys.has(text)) return `state ${i} is another state's`;
      againKeys.add(text);
    } else {
      fingerprint(k);
      if (!table!.has(fp[0]!, fp[1]!)) return `state ${i} is not in the visited set`;
      if (!again.insert(fp[0]!, fp[1]!)) return `state ${i} is another state's`;
    }
    const cut = violates(st);
    if (cut) pruned++;
    if (cut && inFrontier.has(i)) return `state ${i} violates a property but waits to be expanded`;
    if (missing.has(i) && !cut) return `state ${i} is missing from the frontier`;
    if (cut && start[i + 1] !== start[i]) return `state ${i} violates a property but was expanded`;
    if (inFrontier.has(i)) onFrontier?.(i, st);
    acts = !cut && (taken(i, 1) > 0 || start[i + 1] !== start[i]) ? model.steps(st) : [];
    if (!cut) {
      if (i === first && skip > acts.length) return `state ${i}: ${skip} of its ${acts.length} actions taken`;
      const t = taken(i, acts.length);
      generated += t;
      for (let a = 0; a < t; a++) count(acts[a] as A, false);
    }
    return undefined;
  };

  const stack: { state: S; idx: number; acts: readonly A[] }[] = [];
  for (let i = 0; i < n && s.parents[i]! < 0; i++) {
    const init = -s.parents[i]! - 1;
    if (init >= inits.length) return `state ${i} names initial state ${init} of ${inits.length}`;
    const bad = visit(i, inits[init] as S);
    if (bad) return bad;
    stack.push({ state: inits[init] as S, idx: i, acts });
    while (stack.length > 0) {
      const { state, idx, acts: its } = stack.pop()!;
      const limit = taken(idx, its.length);
      for (let c = start[idx]!; c < start[idx + 1]!; c++) {
        const child = children[c]!;
        const k = s.stepTaken[child]!;
        if (k >= limit) return `state ${child}: step ${k} of the ${limit} state ${idx} took`;
        const t = model.next(state, its[k] as A);
        count(its[k] as A, true);
        const b = visit(child, t);
        if (b) return b;
        if (start[child + 1] !== start[child]) stack.push({ state: t, idx: child, acts });
      }
    }
  }
  if (pruned !== s.pruned) return `${s.pruned} states counted as cut, ${pruned} violate a property`;
  if (generated !== s.generated) return `${s.generated} generated, the states taken account for ${generated}`;
  if (label) {
    if (cover.size !== s.coverage.length) return `coverage of ${s.coverage.length} actions, the states taken use ${cover.size}`;
    for (const c of s.coverage) {
      const [all, fresh] = cover.get(c.label) ?? [0, 0];
      if (c.generated !== all || c.distinct !== fresh) return `coverage of ${c.label}: ${c.generated}/${c.distinct}, the states taken say ${all}/${fresh}`;
    }
  }
  return undefined;
}
