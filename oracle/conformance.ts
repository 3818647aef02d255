// The conformance suite (issue 4, part 4): traces drawn from the model of linux-6.18 itself —
// every distinct state's first path in a breadth-first exploration at small bounds (a deterministic
// pick among them), plus seeded random walks at larger depth — to be replayed on the kernel.
import { applyMutable, enabledSteps, makeCtx } from '../model/apply.js';
import { DEFAULT_BOUNDS, type Bounds } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import { canonicalKey } from '../model/key.js';
import type { Transition } from '../model/step.js';
import { initialWorld, type World } from '../model/world.js';
import { toTraceStep } from '../traces/build.js';
import type { TraceStep } from '../traces/format.js';

export interface SuiteTrace { readonly name: string; readonly bounds: Bounds; readonly steps: readonly TraceStep[] }

/** Bounds of the breadth-first part (depth 4: about 10^4 states, a second). */
export const SUITE_BOUNDS: Bounds = { ...DEFAULT_BOUNDS, tasks: 2, files: 3, fds: 3, skbs: 2, msgFds: 2, depth: 0 };
/** Bounds of the random walks: wider tables, more files. */
export const WALK_BOUNDS: Bounds = { ...DEFAULT_BOUNDS, tasks: 3, files: 5, fds: 5, skbs: 2, msgFds: 2, depth: 0 };

const keyOf = (w: World): string => Buffer.from(canonicalKey(w, false).buffer).toString('base64');
const toSteps = (path: readonly Transition[]): TraceStep[] => path.map((tr) => toTraceStep(tr.step, tr.result));

/** Breadth-first to `depth`; the first path to each distinct state, in discovery order. */
export function explorePaths(design: Design, bounds: Bounds, depth: number, maxStates = 200_000): Transition[][] {
  const ctx = makeCtx(design, bounds);
  const seen = new Set<string>();
  const w0 = initialWorld(bounds.tasks, bounds.fds);
  seen.add(keyOf(w0));
  let frontier: { w: World; path: Transition[] }[] = [{ w: w0, path: [] }];
  const out: Transition[][] = [];
  for (let d = 0; d < depth && frontier.length > 0 && seen.size < maxStates; d++) {
    const next: typeof frontier = [];
    for (const { w, path } of frontier) {
      for (const tr of enabledSteps(w, ctx)) {
        const w2 = applyMutable(w, tr, ctx);
        const k = keyOf(w2);
        if (seen.has(k) || seen.size >= maxStates) continue;
        seen.add(k);
        const p = [...path, tr];
        out.push(p);
        next.push({ w: w2, path: p });
      }
    }
    frontier = next;
  }
  return out;
}

/** mulberry32: a small seeded PRNG, so the walks are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomWalk(design: Design, bounds: Bounds, seed: number, length: number): Transition[] {
  const ctx = makeCtx(design, bounds);
  const next = rng(seed);
  let w = initialWorld(bounds.tasks, bounds.fds);
  const path: Transition[] = [];
  for (let i = 0; i < length; i++) {
    const steps = enabledSteps(w, ctx);
    if (steps.length === 0) break;
    const tr = steps[Math.floor(next() * steps.length)]!;
    w = applyMutable(w, tr, ctx);
    path.push(tr);
  }
  return path;
}

/** The suite: `explored` paths picked evenly (deterministically) among every state's first path
 *  within `depth`, then `walks` random walks of `walkLength` steps (seeds 1..walks). */
export function conformanceSuite(design: Design, opts: { depth?: number; explored?: number; walks?: number; walkLength?: number; bounds?: Bounds } = {}): SuiteTrace[] {
  const bounds = opts.bounds ?? SUITE_BOUNDS;
  const depth = opts.depth ?? 4;
  const explored = opts.explored ?? 400;
  const walks = opts.walks ?? 100;
  const walkLength = opts.walkLength ?? 16;
  const paths = explorePaths(design, bounds, depth);
  const out: SuiteTrace[] = [];
  const picks = Math.min(explored, paths.length);
  for (let i = 0; i < picks; i++) {
    const idx = Math.floor((i * paths.length) / picks);
    out.push({ name: `bfs-${idx}`, bounds, steps: toSteps(paths[idx]!) });
  }
  // Distinct traces only: a walk equal to an earlier trace is skipped (the seed moves on).
  const seen = new Set(out.map((x) => JSON.stringify(x.steps)));
  for (let s = 1, n = 0; n < walks && s < walks * 10; s++) {
    const steps = toSteps(randomWalk(design, WALK_BOUNDS, s, walkLength));
    const k = JSON.stringify(steps);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ name: `walk-${s}`, bounds: WALK_BOUNDS, steps });
    n++;
  }
  return out;
}
