// The kernel world as a Model of the generic checker.
import type { Model } from '../checker/model.js';
import { applyMutable, enabledSteps, makeCtx } from './apply.js';
import type { Bounds } from './bounds.js';
import type { Design } from './design.js';
import { canonicalKey } from './key.js';
import { decodeWorld, encodeWorld } from './codec.js';
import type { Ctx, ProgramStep, Transition } from './step.js';
import { initialWorld, type World } from './world.js';

export interface KernelModelOptions {
  /** Treat live tasks as interchangeable in the key (default true; never in a scenario, where each task
   *  runs its own program). */
  readonly symmetry?: boolean;
  /** A scenario's programs: task t makes programs[t], in order. */
  readonly programs?: readonly (readonly ProgramStep[])[];
}

export interface KernelModel extends Model<World, Transition> {
  readonly ctx: Ctx;
}

export function kernelModel(design: Design, bounds: Bounds, opts: KernelModelOptions = {}): KernelModel {
  const ctx = makeCtx(design, bounds, opts.programs);
  const symmetry = opts.programs ? false : opts.symmetry ?? true;
  const inflightOrder = bounds.gc === 'phased' || ctx.k.gcAlgorithm === 'graph';
  // A pending ECONNRESET is seen only by a read of an empty queue: in a scenario's programs, or after
  // an OOB skb (model/key.ts).
  const resetSeen = opts.programs !== undefined || bounds.oob;
  const init = [initialWorld(bounds.tasks, bounds.fds)];
  return {
    ctx,
    initial: () => init,
    steps: (w) => enabledSteps(w, ctx),
    next: (w, tr) => applyMutable(w, tr, ctx),
    key: (w) => canonicalKey(w, symmetry, inflightOrder, resetSeen),
    actionKey: (tr) => JSON.stringify(tr.step),
    // The compact codec (model/codec.ts): the frontier arena and the worker threads carry worlds as words.
    encode: encodeWorld,
    decode: decodeWorld,
    label: (tr) => (tr.step.syscall === 'recvmsg' && (tr.step.args as { peek: boolean }).peek ? 'recvmsg(MSG_PEEK)' : tr.step.syscall),
  };
}

