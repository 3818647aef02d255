// What a property of the kernel world is: a checker Property plus the words `inflight explain` prints.
// The built-in properties (properties/*.ts) and a user's own (properties/user.ts) have this one form.
import type { Property } from '../checker/model.js';
import type { Design } from '../model/design.js';
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
  /** Why the property cannot apply to this design at all (graph-accounting on a 2007 GC): verdicts then
   *  print `n/a` instead of a `holds` that says nothing. Never asked of a violated property or a found
   *  witness: what fired applies. */
  inapplicable?(design: Design): string | undefined;
  /** For a witness: the properties whose `holds` may be vacuous when it is not found (`*`: every one). */
  readonly guards?: readonly string[] | '*';
  /** A user's property: where it comes from (its module, or the design that carries it), for `explain` and
   *  for blaming it when it throws. Built-in properties have none. */
  readonly origin?: string;
}
