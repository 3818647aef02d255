// The 6.10 graph GC (Kuniyuki Iwashima's rewrite of net/unix/garbage.c). Being written.
import type { Draft } from 'immer';
import type { Kernel } from '../kernel.js';
import type { World } from '../world.js';

export function gcStepGraph(_w: Draft<World>, _k: Kernel): void {
  throw new Error('the graph GC is not implemented yet');
}
