// The kernel world as a Model of the generic checker.
import { deserialize, serialize } from 'node:v8';
import type { Model } from '../checker/model.js';
import { applyMutable, enabledSteps, makeCtx } from './apply.js';
import type { Bounds } from './bounds.js';
import type { Design } from './design.js';
import { canonicalKey } from './key.js';
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
  const inflightOrder = bounds.gc === 'phased' || design.switches.gc === 'graph';
  const init = [initialWorld(bounds.tasks, bounds.fds)];
  return {
    ctx,
    initial: () => init,
    steps: (w) => enabledSteps(w, ctx),
    next: (w, tr) => applyMutable(w, tr, ctx),
    key: (w) => canonicalKey(w, symmetry, inflightOrder),
    actionKey: (tr) => JSON.stringify(tr.step),
    encode: encodeWorld,
    decode: decodeWorld,
    label: (tr) => (tr.step.syscall === 'recvmsg' && (tr.step.args as { peek: boolean }).peek ? 'recvmsg(MSG_PEEK)' : tr.step.syscall),
  };
}

// The codec of the parallel search (checker/parallel.ts: states cross worker threads). The World goes
// through v8.serialize, packed into 32-bit words: word 0 is the byte length, the bytes follow. Slow (a few
// µs per state) but correct for any World, whatever fields are added to it; a compact codec comes later.
function encodeWorld(w: World): Int32Array {
  const bytes = serialize(w);
  const out = new Int32Array(1 + ((bytes.length + 3) >> 2));
  out[0] = bytes.length;
  new Uint8Array(out.buffer, 4, bytes.length).set(bytes);
  return out;
}

function decodeWorld(words: Int32Array): World {
  return deserialize(new Uint8Array(words.buffer, words.byteOffset + 4, words[0]!)) as World;
}
