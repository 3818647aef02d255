// Random simulation: seeded random walks far beyond what breadth-first search can reach, checking the
// `always` properties on every state and step. A walk is a list of choices (each picks one of the
// enabled actions, modulo their number), drawn by fast-check; a failing walk is shrunk by fast-check
// (fewer, smaller choices), then by a greedy pass of our own that deletes or changes one choice at a time
// while the same property still fails sooner (fast-check's notion of "smaller" is about the choice list,
// not the path). Last, a breadth-first search of at most `shortcutStates` states looks for the same
// property violated in fewer steps than that: when it finds it, that path is shortest. Otherwise the
// counterexample is short but not necessarily shortest.
// The same seed gives the same walks, the same violation and the same shrunk path.
import fc from 'fast-check';
import type { Model, Path, Property } from './model.js';
import { check } from './bfs.js';

export interface SimulateOptions<S, A> {
  readonly properties: readonly Property<S, A>[];
  /** Steps per walk at most. */
  readonly depth: number;
  readonly runs: number;
  readonly seed: number;
  /** States the final breadth-first shortcut may explore (default 100,000; 0 = no shortcut). */
  readonly shortcutStates?: number;
  /** Which enabled action a choice picks: `order` 0 takes choice mod n, odd orders count from the last
   *  action, and order k is rotated by k >> 1 (a swarm gives each part its own: fast-check shrinks choices
   *  towards 0, so each part's shrinking prefers other actions). Default 0. */
  readonly order?: number;
}

/** Part `index` of a swarm of `count` over (seed, depth): its own seed, walk length and step order. */
export function swarmPart(seed: number, depth: number, index: number): { seed: number; depth: number; order: number } {
  const scale = [1, 0.5, 1.5, 0.75, 2][index % 5]!;
  return {
    seed: index === 0 ? seed : (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(index, 0x9e3779b1)) | 0,
    depth: Math.min(10000, Math.max(1, Math.round(depth * scale))),
    order: index,
  };
}

type Pick = (c: number, n: number) => number;
const pickFor = (order: number): Pick => {
  const shift = order >> 1;
  return order % 2 === 0 ? (c, n) => (c + shift) % n : (c, n) => n - 1 - ((c + shift) % n);
};
const plainPick: Pick = (c, n) => c % n;

export interface SimulationViolation {
  readonly property: string;
  readonly message: string;
  /** The shrunk walk, as a path the checker's `replayPath` understands. */
  readonly path: Path;
  /** Length of the walk before shrinking. */
  readonly originalLength: number;
}

export interface SimulationResult {
  readonly seed: number;
  /** Walks run (fewer than asked when one failed). */
  readonly runs: number;
  /** Steps taken over all walks (shrinking not counted). */
  readonly steps: number;
  /** The longest walk (a walk ends early at a state with no enabled action). */
  readonly longest: number;
  readonly seconds: number;
  readonly violation?: SimulationViolation;
}

interface Walk { path: number[]; property?: string; message?: string }

/** Walks from the first initial state, following `choices`; stops at the first violation or dead end. */
function walk<S, A>(model: Model<S, A>, props: readonly Property<S, A>[], choices: readonly number[], pick: Pick = plainPick): Walk {
  let s = model.initial()[0] as S;
  const path: number[] = [];
  const stateCheck = (x: S): Walk | undefined => {
    for (const p of props) {
      if (p.kind !== 'always' || p.on !== 'state') continue;
      const m = p.check(x);
      if (m !== undefined) return { path, property: p.name, message: m };
    }
    return undefined;
  };
  const first = stateCheck(s);
  if (first) return first;
  for (const c of choices) {
    const acts = model.steps(s);
    if (acts.length === 0) break;
    const k = pick(c, acts.length);
    const a = acts[k] as A;
    const t = model.next(s, a);
    path.push(k);
    for (const p of props) {
      if (p.kind !== 'always' || p.on !== 'step') continue;
      const m = p.check(s, a, t);
      if (m !== undefined) return { path, property: p.name, message: m };
    }
    const bad = stateCheck(t);
    if (bad) return bad;
    s = t;
  }
  return { path };
}

/** Greedy minimization: from the shorter of the candidates, delete one choice or change one choice to
 *  another enabled action, keeping any change after which `property` fails after fewer steps. */
function minimize<S, A>(model: Model<S, A>, props: readonly Property<S, A>[], property: string, candidates: readonly (readonly number[])[]): Walk {
  let best: Walk | undefined;
  let bestChoices: number[] = [];
  const consider = (cs: number[]): boolean => {
    const w = walk(model, props, cs);
    if (w.property !== property || (best !== undefined && w.path.length >= best.path.length)) return false;
    best = w;
    bestChoices = w.path.slice();   // the path's indices are themselves choices that replay it
    return true;
  };
  for (const c of candidates) consider(c.slice());
  for (let improved = true; improved;) {
    improved = false;
    for (let i = 0; i < bestChoices.length && !improved; i++) {
      if (consider([...bestChoices.slice(0, i), ...bestChoices.slice(i + 1)])) { improved = true; break; }
      // Try every other action at position i.
      let s = model.initial()[0] as S;
      for (let j = 0; j < i; j++) s = model.next(s, model.steps(s)[bestChoices[j]!] as A);
      const n = model.steps(s).length;
      for (let k = 0; k < n && !improved; k++) {
        if (k !== bestChoices[i] && consider([...bestChoices.slice(0, i), k, ...bestChoices.slice(i + 1)])) improved = true;
      }
    }
    // Delete one step but keep the later steps as the same actions (their indices may have moved).
    const keyOf = model.actionKey?.bind(model);
    if (keyOf !== undefined) {
      const keys: string[] = [];
      let s = model.initial()[0] as S;
      for (const c of bestChoices) { const a = model.steps(s)[c] as A; keys.push(keyOf(a)); s = model.next(s, a); }
      for (let i = 0; i < keys.length && !improved; i++) {
        const wanted = [...keys.slice(0, i), ...keys.slice(i + 1)];
        const cs: number[] = [];
        let u = model.initial()[0] as S;
        for (const k of wanted) {
          const acts = model.steps(u);
          const at = acts.findIndex((a) => keyOf(a as A) === k);
          if (at < 0) break;
          cs.push(at);
          u = model.next(u, acts[at] as A);
        }
        if (consider(cs)) improved = true;
      }
    }
    // Stuck: try deleting two choices at once (a step and the one that used what it made).
    for (let i = 0; i < bestChoices.length && !improved; i++) {
      for (let j = i + 1; j < bestChoices.length && !improved; j++) {
        if (consider(bestChoices.filter((_, x) => x !== i && x !== j))) improved = true;
      }
    }
  }
  return best!;
}

export function simulate<S, A>(model: Model<S, A>, opts: SimulateOptions<S, A>): SimulationResult {
  const t0 = performance.now();
  let steps = 0;
  let runs = 0;
  let longest = 0;
  let firstLength = 0;
  let counting = true;   // stop counting once fast-check starts shrinking
  let original: readonly number[] = [];
  // size 'max': lengths spread over 0..depth (fast-check would otherwise favour short arrays).
  const choices = fc.array(fc.nat({ max: 1 << 16 }), { minLength: 0, maxLength: opts.depth, size: 'max' });
  const pick = opts.order ? pickFor(opts.order) : plainPick;
  const details = fc.check(fc.property(choices, (cs) => {
    const w = walk(model, opts.properties, cs, pick);
    if (counting) {
      runs++;
      steps += w.path.length;
      if (w.path.length > longest) longest = w.path.length;
      if (w.property !== undefined) { counting = false; firstLength = w.path.length; original = cs; }
    }
    return w.property === undefined;
  }), { seed: opts.seed, numRuns: opts.runs });
  const seconds = (performance.now() - t0) / 1000;
  if (!details.failed || details.counterexample === null) return { seed: opts.seed, runs, steps, longest, seconds };
  const shrunk = walk(model, opts.properties, details.counterexample[0] as number[], pick);
  if (shrunk.property === undefined) throw new Error('simulate: the shrunk walk no longer fails (the model is not deterministic)');
  // From here on, choices are the actions' own indices (a path is its own list of choices).
  let w = minimize(model, opts.properties, shrunk.property, [shrunk.path, walk(model, opts.properties, original, pick).path]);
  const budget = opts.shortcutStates ?? 100_000;
  const prop = opts.properties.find((p) => p.name === w.property)!;
  if (budget > 0 && w.path.length > 1) {
    const bfs = check(model, { properties: [prop], maxDepth: w.path.length - 1, maxStates: budget });
    const v = bfs.properties[0];
    if (v?.status === 'violated' && v.path!.init === 0) w = { path: [...v.path!.steps], property: prop.name, message: v.message! };
  }
  return {
    seed: opts.seed, runs, steps, longest, seconds,
    violation: { property: w.property!, message: w.message!, path: { init: 0, steps: w.path }, originalLength: firstLength },
  };
}
