// Pictures of reference graphs on the command line:
//   inflight render TRACE.json [--design NAME|FILE.ts] [--format dot|svg] [--step N] [--out FILE]
//   inflight check … --dot DIR      one DOT file per step of each violation and witness
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCtx } from '../model/apply.js';
import type { Design } from '../model/design.js';
import type { World } from '../model/world.js';
import { walkSteps } from '../traces/build.js';
import { namedInViolation, refGraph, stepCaption, traceDot, traceToDots } from '../traces/dot.js';
import type { TraceFile, TraceStep } from '../traces/format.js';
import { dotToSvg } from '../traces/svg.js';
import { loadDesign, traceDesign } from './designs.js';
import { oneLine, UserError } from './errors.js';
import type { Parsed } from './command.js';
import type { Io } from './kit.js';
import type { Report } from './run.js';
import { designWithPropertiesFlag } from './properties.js';
import { cannotMakeStep, readTraceFile, traceProperty } from './trace-file.js';

export function writeText(file: string, text: string): void {
  try { writeFileSync(file, text); } catch (e) {
    throw new UserError('E_OUTPUT', `cannot write ${file}: ${oneLine((e as Error).message)}`);
  }
}

export function makeDir(dir: string): void {
  try { mkdirSync(dir, { recursive: true }); } catch (e) {
    throw new UserError('E_OUTPUT', `cannot create directory ${dir}: ${oneLine((e as Error).message)}`);
  }
}

/** A trace file read, validated, and re-run against a design (the trace's own unless one is given). */
export interface LoadedTrace {
  readonly trace: TraceFile;
  readonly design: Design;
  /** The steps with the results the design gives (they may differ from the recorded ones). */
  readonly steps: readonly TraceStep[];
  /** The worlds `keepWorld` asked for, by index (0 = the initial world, i = after step i). */
  readonly worlds: ReadonlyMap<number, World>;
}

/** How a command reads a trace beyond what every command checks: `properties` is a --properties flag
 *  (repro, like replay, holds a trace's property to the design's and the module's: traceProperty);
 *  `cannotMake` is the code for a step this design rules out that the trace's own design can make. */
export interface LoadOptions {
  readonly properties?: unknown;
  readonly checkProperty?: boolean;
  readonly cannotMake?: 'E_TRACE_INVALID' | 'E_REPRO_UNSUPPORTED';
  /** Which worlds to keep (none unless asked: a long trace's worlds fill memory); `steps` is the trace's length. */
  readonly keepWorld?: (i: number, steps: number) => boolean;
}

export async function loadTrace(file: string, designArg: string | undefined, opts: LoadOptions = {}): Promise<LoadedTrace> {
  const trace = readTraceFile(file);
  const given = designArg !== undefined ? await loadDesign(designArg) : await traceDesign(trace.design);
  const { design } = await designWithPropertiesFlag(given, opts.properties);
  if (opts.checkProperty === true) traceProperty(file, trace, design);
  const worlds = new Map<number, World>();
  const keep = opts.keepWorld;
  const run = walkSteps(trace.steps, makeCtx(design, trace.bounds), (i, _before, after) => {
    if (keep?.(i + 1, trace.steps.length) === true) worlds.set(i + 1, after);
  });
  if (run.impossible !== undefined) {
    const { invalid, message } = cannotMakeStep(file, trace, design, run.impossible + 1);
    throw new UserError(invalid ? 'E_TRACE_INVALID' : opts.cannotMake ?? 'E_TRACE_INVALID', message);
  }
  const steps = trace.steps.map((s, i) => ({ ...s, result: run.results[i]! }));
  return { trace, design, steps, worlds };
}

const FORMATS = ['dot', 'svg'] as const;

export async function cmdRender({ values, positionals }: Parsed, io: Io): Promise<number> {
  const file = positionals[0];
  if (file === undefined) throw new UserError('E_USAGE', 'render needs a trace file: inflight render trace.json --format svg');
  const out = typeof values['out'] === 'string' ? values['out'] : undefined;
  const format = typeof values['format'] === 'string' ? values['format'] : out?.endsWith('.svg') ? 'svg' : 'dot';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UserError('E_USAGE', `unknown --format '${format}' (formats: ${FORMATS.join(', ')})`);
  // A name that says one format and a --format that says the other: refused rather than guessed.
  const named = out === undefined ? undefined : /\.svg$/i.test(out) ? 'svg' : /\.(dot|gv)$/i.test(out) ? 'dot' : undefined;
  if (named !== undefined && named !== format) throw new UserError('E_USAGE', `--out ${out} names a ${named.toUpperCase()} file but --format is ${format}: give --format ${named} or an --out name ending in .${format}`);
  const rawStep = values['step'];
  if (typeof rawStep === 'string' && !/^\d+$/.test(rawStep)) throw new UserError('E_USAGE', `--step expects a step number, got '${rawStep}'`);
  // Read as replay reads it, property included; a run this design cannot make has no picture.
  // Only the world drawn and the one before it (whose difference it marks) are kept.
  const wanted = (n: number): number => (typeof rawStep === 'string' ? Number(rawStep) : n);
  const t = await loadTrace(file, typeof values['design'] === 'string' ? values['design'] : undefined,
    { properties: values['properties'], checkProperty: true, keepWorld: (i, n) => i === wanted(n) || i === wanted(n) - 1 });
  const n = t.steps.length;
  const step = wanted(n);
  if (step > n) throw new UserError('E_USAGE', `--step ${step} is out of range: the trace has ${n} step${n === 1 ? '' : 's'} (0 = the initial world … ${n})`);
  // The violation's objects are highlighted only in the design that made the trace.
  const violation = t.design.name === t.trace.design ? t.trace.violation : undefined;
  const dot = traceDot(t.steps, step, t.worlds.get(step)!, step > 0 ? t.worlds.get(step - 1)! : undefined,
    { design: t.design, ...(violation !== undefined ? { violation } : {}) });
  // --json: the graph as data; the picture is made only when --out asks for it.
  if (values['json'] === true) {
    if (out !== undefined) writeText(out, format === 'svg' ? await dotToSvg(dot) : dot);
    io.out(JSON.stringify({ trace: file, design: t.design.name, ...(t.design.name !== t.trace.design ? { traceDesign: t.trace.design } : {}),
      property: t.trace.property, step, steps: n, caption: step === 0 ? 'the initial world' : stepCaption(t.steps[step - 1]!), format, ...(out !== undefined ? { out } : {}),
      ...graphJson(t.worlds.get(step)!, t.design, step > 0 ? t.worlds.get(step - 1)! : undefined, violation) }, null, 2));
    return 0;
  }
  const text = format === 'svg' ? await dotToSvg(dot) : dot;
  if (out !== undefined) writeText(out, text);
  else io.out(text);
  return 0;
}

const unescapeHtml = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** The text rows of a node's HTML-like label: one per <tr>, its cells joined by ' | '. */
function labelRows(label: string): string[] {
  return label.split(/<\/tr>/).map((row) => row.split(/<\/td>/).map((cell) => unescapeHtml(cell.replace(/<[^>]*>/g, '')).trim()).filter(Boolean).join(' | ')).filter(Boolean);
}

const endpoint = (end: string, key: 'from' | 'to'): Record<string, string> => {
  const [node, port] = end.split(':');
  return { [key]: node!, ...(port !== undefined ? { [`${key}Port`]: port } : {}) };
};

/** render --json: the reference graph of world w as data (the nodes and edges the DOT draws, with the same
 *  ids and classes: traces/dot.ts), and what is marked: the objects the violation names, the unreachable,
 *  the freed and released files, the dangling pointers ("from -> to"), what is new since `previous`. */
export function graphJson(w: World, design: Design, previous: World | undefined, violation: string | undefined): object {
  const g = refGraph(w, design, previous);
  const named = violation !== undefined ? namedInViolation(w, violation) : new Set<string>();
  const nodes = g.nodes.map((n) => {
    const rows = labelRows(n.label);
    return { id: n.id, kind: n.classes[0]!, title: rows[0] ?? '', rows: rows.slice(1), classes: [...n.classes, ...(named.has(n.id) ? ['named'] : [])] };
  });
  const edges = g.edges.map((e) => ({ ...endpoint(e.from, 'from'), ...endpoint(e.to, 'to'), kind: e.kind, classes: e.classes }));
  const withClass = (c: string): string[] => nodes.filter((n) => n.classes.includes(c)).map((n) => n.id);
  return {
    nodes, edges,
    marks: { named: withClass('named'), unreachable: withClass('unreachable'), freed: withClass('freed'), released: withClass('released'),
      dangling: g.edges.filter((e) => e.classes.includes('dangling')).map((e) => `${e.from} -> ${e.to}`), new: withClass('new') },
  };
}

/** check --dot DIR: DIR/<property>-step-<n>.dot for every step (0 = the initial world) of each trace. */
export function writeDotFiles(dir: string, report: Report): string[] {
  makeDir(dir);
  const written: string[] = [];
  for (const v of [...report.properties, ...report.witnesses]) {
    if (!v.trace || !v.worlds) continue;
    const dots = traceToDots(v.trace.steps, v.worlds, { design: report.design, violation: v.trace.violation });
    dots.forEach((dot, i) => {
      const f = join(dir, `${v.name}-step-${i}.dot`);
      writeText(f, dot);
      written.push(f);
    });
  }
  return written;
}
