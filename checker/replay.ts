// Rebuilds the concrete states of a counterexample path by replaying its step indices.

import type { Model, Path } from './model.js';

/** Replays `path` from `model.initial()[path.init]`: `states` has `path.steps.length + 1` entries (the initial
 *  state first), `actions[i]` leads from `states[i]` to `states[i + 1]`. Throws if an index is out of range,
 *  which means the model is not deterministic (or the path comes from another model). */
export function replayPath<S, A>(model: Model<S, A>, path: Path): { states: S[]; actions: A[] } {
  const inits = model.initial();
  if (!Number.isInteger(path.init) || path.init < 0 || path.init >= inits.length) {
    throw new Error(
      `replayPath: initial state index ${path.init} is out of range: the model has ${inits.length} initial ` +
        `state(s). The model's initial() is not deterministic, or the path belongs to another model.`,
    );
  }
  let s = inits[path.init] as S;
  const states: S[] = [s];
  const actions: A[] = [];
  for (let i = 0; i < path.steps.length; i++) {
    const k = path.steps[i]!;
    const acts = model.steps(s);
    if (!Number.isInteger(k) || k < 0 || k >= acts.length) {
      throw new Error(
        `replayPath: step ${i + 1} of ${path.steps.length} asks for action index ${k}, but state ${i} of the ` +
          `path has ${acts.length} enabled action(s). The model's steps() is not deterministic (the same state ` +
          `must give the same actions in the same order), or the path belongs to another model.`,
      );
    }
    const a = acts[k] as A;
    s = model.next(s, a);
    actions.push(a);
    states.push(s);
  }
  return { states, actions };
}
