// What a property of the kernel world is: a checker Property plus the words `inflight explain` prints.
import type { Property } from '../checker/model.js';
import type { Ctx, Transition } from '../model/step.js';
import type { World } from '../model/world.js';

export interface PropertyDef {
  readonly name: string;
  readonly kind: 'always' | 'sometimes';
  /** One line. */
  readonly title: string;
  /** A paragraph in kernel words: what is checked, where, and which historic bug it catches. */
  readonly explain: string;
  /** The checker property for a design (some properties ask the design who owns a reference). */
  make(ctx: Ctx): Property<World, Transition>;
}
