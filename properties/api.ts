// `inflight/property`: what a module of the user's own properties imports (docs/patch-designs.md).
//   import { always, sometimes, fileName } from 'inflight/property';
//   export default [always({ name, title, explain, check: (w, ctx) => ... }), ...];
// A check returns a string when the property fires (an `always` is violated, a `sometimes` is witnessed)
// and undefined otherwise. Worlds are plain read-only data (model/world.ts); a check must not change them.
export { always, sometimes, defineProperty } from './user.js';
export type { PropertySpec, StateCheck, StepCheck } from './user.js';
export type { PropertyDef } from './property.js';
export type { Property } from '../checker/model.js';
export type { Ctx, Transition, Step, Result, Errno } from '../model/step.js';
export type { World, File, FileId, FileKind, Task, TaskId, UnixSock, Skb, Ring, Req, GcState } from '../model/world.js';
export type { Holder } from '../model/holders.js';
// Helpers the built-in properties use, for messages in kernel words and for reachability.
export { FD_BASE, fdNumber, fileName } from '../model/world.js';
export { describeHolder, holdersOf, reachable } from '../model/holders.js';
export { settle } from '../model/settle.js';
