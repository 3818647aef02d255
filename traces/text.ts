// A trace as text: one line per step (number, actor, syscall, result) and under it what changed.
import { formatStep } from '../model/apply.js';
import { formatResult } from '../model/step.js';
import type { World } from '../model/world.js';
import { describeWorld, diffFacts, formatChange } from './describe.js';
import type { TraceStep } from './format.js';
import { traceStepToStep } from './build.js';

export interface TextOptions {
  /** Print the whole world after each step, not only the changes. */
  readonly full?: boolean;
  readonly indent?: string;
}

export const actorName = (task: number | 'kernel'): string => (task === 'kernel' ? 'kernel' : `T${task}`);

export function renderSteps(steps: readonly TraceStep[], worlds: readonly World[], opts: TextOptions = {}): string {
  const ind = opts.indent ?? '  ';
  const lines: string[] = [];
  const calls = steps.map((s) => formatStep(traceStepToStep(s)));
  const width = Math.max(10, ...calls.map((c) => c.length));
  steps.forEach((s, i) => {
    lines.push(`${ind}${String(i + 1).padStart(2)}  ${actorName(s.task).padEnd(6)} ${calls[i]!.padEnd(width)}  = ${formatResult(s.result)}`);
    const before = describeWorld(worlds[i]!);
    const after = describeWorld(worlds[i + 1]!);
    if (opts.full) for (const [k, v] of after) lines.push(`${ind}          ${k}: ${v}`);
    else for (const c of diffFacts(before, after)) lines.push(`${ind}          ${formatChange(c)}`);
  });
  return lines.join('\n');
}
