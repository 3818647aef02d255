// A trace as text: one line per step (number, actor, syscall, result) and under it what changed.
// When several tasks act, each actor gets its own column (like a litmus test: T0 | T1 | kernel), and
// the changes of a step are printed under it, starting in its actor's column.
import { formatStep } from '../model/apply.js';
import { formatResult } from '../model/step.js';
import type { World } from '../model/world.js';
import { describeWorld, diffWorlds, formatChange, type Counter } from './describe.js';
import type { TraceStep } from './format.js';
import { traceStepToStep } from './build.js';

export interface TextOptions {
  /** Print the whole world after each step, not only the changes. */
  readonly full?: boolean;
  readonly indent?: string;
  /** struct file's reference count as the design's kernel names it (Design.refcount; default f_count). */
  readonly counter?: Counter;
}

export type Actor = number | 'kernel';
export const actorName = (task: Actor): string => (task === 'kernel' ? 'kernel' : `T${task}`);

/** The columns of a trace in which more than one task acts: the tasks that act, by number, then the
 *  kernel if it acts. Undefined when at most one task acts (the single-column layout). */
export function actorColumns(steps: readonly TraceStep[]): Actor[] | undefined {
  const tasks = [...new Set(steps.flatMap((s) => (s.task === 'kernel' ? [] : [s.task])))].sort((a, b) => a - b);
  if (tasks.length < 2) return undefined;
  return steps.some((s) => s.task === 'kernel') ? [...tasks, 'kernel'] : tasks;
}

/** What step i + 1 changed from `before` to `after` (or, with `full`, the whole world after it), as lines. */
export function stepDetails(before: World, after: World, full: boolean, counter: Counter = 'f_count'): string[] {
  if (full) return [...describeWorld(after, counter)].map(([k, v]) => `${k}: ${v}`);
  return diffWorlds(before, after, counter).map(formatChange);
}

export function renderSteps(steps: readonly TraceStep[], worlds: readonly World[], opts: TextOptions = {}): string {
  return renderStepLines(steps, (i) => stepDetails(worlds[i]!, worlds[i + 1]!, opts.full === true, opts.counter), opts);
}

/** renderSteps with each step's lines given (`details(i)` for step i + 1): a replay computes them as it
 *  goes, and keeps no world. */
export function renderStepLines(steps: readonly TraceStep[], details: (i: number) => readonly string[], opts: TextOptions = {}): string {
  const ind = opts.indent ?? '  ';
  const calls = steps.map((s) => formatStep(traceStepToStep(s)));
  const columns = actorColumns(steps);
  if (columns) return renderColumns(steps, details, calls, columns, ind);
  const lines: string[] = [];
  const width = Math.max(10, ...calls.map((c) => c.length));
  steps.forEach((s, i) => {
    lines.push(`${ind}${String(i + 1).padStart(2)}  ${actorName(s.task).padEnd(6)} ${calls[i]!.padEnd(width)}  = ${formatResult(s.result)}`);
    for (const d of details(i)) lines.push(`${ind}          ${d}`);
  });
  return lines.join('\n');
}

/**
 *      #  T0                                | T1
 *      1  socketpair(AF_UNIX, SOCK_DGRAM) = 0 [fds 3, 4]
 *           T0 fd 3: f0:unix/dgram
 *      2                                    | fork() = 1
 *                                           |   T1: running
 * A column is as wide as its widest call; the changes of a step start in its actor's column and may
 * run past it (nothing else is on their line). Separators are drawn left of the acting column only.
 */
function renderColumns(steps: readonly TraceStep[], details: (i: number) => readonly string[], calls: readonly string[], columns: readonly Actor[], ind: string): string {
  const SEP = ' | ';
  const text = steps.map((s, i) => `${calls[i]} = ${formatResult(s.result)}`);
  const col = (a: Actor): number => columns.indexOf(a);
  const widths = columns.map((a) => Math.max(actorName(a).length, ...steps.flatMap((s, i) => (s.task === a ? [text[i]!.length] : []))));
  const num = Math.max(2, String(steps.length).length);
  // The blank columns left of column c, with their separators.
  const before = (c: number): string => widths.slice(0, c).map((w) => ' '.repeat(w) + SEP).join('');
  const lines: string[] = [];
  lines.push(`${ind}${'#'.padStart(num)}  ${columns.map((a, c) => actorName(a).padEnd(widths[c]!)).join(SEP)}`.trimEnd());
  steps.forEach((s, i) => {
    const c = col(s.task);
    lines.push(`${ind}${String(i + 1).padStart(num)}  ${before(c)}${text[i]}`);
    for (const d of details(i)) lines.push(`${ind}${' '.repeat(num)}  ${before(c)}  ${d}`);
  });
  return lines.join('\n');
}
