// The next sub-step of a syscall that the kernel runs in several steps (MSG_PEEK's install after the dup,
// a stream read's consume or dup after its copy, a datagram read's detach after its dequeue, connect's peer
// and queue stages; docs/atomicity.md says why each is a step of its own). The semantics live in each
// syscall's file, as its Continuation; this only dispatches on the task's `pending`.
import type { Continuation, Syscall } from '../step.js';
import type { Pending } from '../world.js';
import { recvmsgContinuation } from './recvmsg.js';
import { connectContinuation } from './connect.js';

type ByKind = { [K in Pending['kind']]: Continuation<Extract<Pending, { kind: K }>> };
const continuations: ByKind = { recvmsg: recvmsgContinuation, connect: connectContinuation };
const of = (p: Pending): Continuation<Pending> => continuations[p.kind] as Continuation<Pending>;

/** Every kind of syscall in progress, with the sub-steps its continuation can name. */
export const RESUME_STAGES: { readonly [K in Pending['kind']]: readonly string[] } = {
  recvmsg: recvmsgContinuation.stages, connect: connectContinuation.stages,
};

export const resume: Syscall<'resume'> = {
  name: 'resume',
  actor: 'task',
  explore(w, t) {
    const p = w.tasks[t]!.pending;
    return p ? [{ call: of(p).call(p), stage: of(p).stage(p, w) }] : [];
  },
  guard(w, t, { call, stage }, ctx) {
    const p = w.tasks[t]?.alive ? w.tasks[t]!.pending : null;
    if (!p || of(p).call(p) !== call || of(p).stage(p, w) !== stage) return undefined;
    return of(p).guard(w, t, p, ctx);
  },
  recipe(w, t, _a, r, ctx) {
    const p = w.tasks[t]!.pending!;
    of(p).recipe(w, t, p as Pending, r, ctx);
  },
  format: ({ call, stage }) => `… ${call}: ${stage}`,
};
