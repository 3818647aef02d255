// The kernel world as a Model of the generic checker.
import type { Model } from '../checker/model.js';
import { applyMutable, enabledSteps, makeCtx } from './apply.js';
import type { Bounds } from './bounds.js';
import type { Design } from './design.js';
import { canonicalKey } from './key.js';
import type { Ctx, Transition } from './step.js';
import { initialWorld, type World } from './world.js';

export interface KernelModelOptions {
  /** Treat live tasks as interchangeable in the key (default true). */
  readonly symmetry?: boolean;
}

export interface KernelModel extends Model<World, Transition> {
  readonly ctx: Ctx;
}

export function kernelModel(design: Design, bounds: Bounds, opts: KernelModelOptions = {}): KernelModel {
  const ctx = makeCtx(design, bounds);
  const symmetry = opts.symmetry ?? true;
  const init = [initialWorld(bounds.tasks, bounds.fds)];
  return {
    ctx,
    initial: () => init,
    steps: (w) => enabledSteps(w, ctx),
    next: (w, tr) => applyMutable(w, tr, ctx),
    key: (w) => canonicalKey(w, symmetry),
    actionKey: (tr) => JSON.stringify(tr.step),
    label: (tr) => (tr.step.syscall === 'recvmsg' && (tr.step.args as { peek: boolean }).peek ? 'recvmsg(MSG_PEEK)' : tr.step.syscall),
  };
}
