// What a property of the kernel world is: a checker Property plus the words `inflight explain` prints.
// The built-in properties (properties/*.ts) and a user's own (properties/user.ts) have this one form.
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
  /** A user's property: where it comes from (its module, or the design that carries it), for `explain` and
   *  for blaming it when it throws. Built-in properties have none. */
  readonly origin?: string;
}
