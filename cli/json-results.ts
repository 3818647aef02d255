// The documents `check --json`, `matrix --json` (its rows in `report --json` too) and `replay --json` print, made in one place: the CLI
// prints them and the library (api/index.ts) returns them, so that both give the same objects.
import type { Coverage, Stats, StopReason } from '../checker/model.js';
import type { Bounds } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import type { Result } from '../model/step.js';
import type { Scenario } from '../model/scenario.js';
import type { TraceFile } from '../traces/format.js';
import type { Finding, ReplayOutcome } from '../traces/replay.js';
import { statusJson, vacuousJson } from './render.js';
import { surprises, type Report } from './run.js';

/** A property's verdict in `check --json`. */
export interface PropertyJson {
  readonly name: string;
  /** `holds`, `violated`, `bounded` (a limit stopped the search first), or `n/a` (the property cannot
   *  apply to the design; `why` says why). */
  readonly status: string;
  readonly why?: string;
  /** Every state within this many steps was checked (for an exhausted search, the full depth). */
  readonly checkedDepth: number;
  /** The witnesses guarding this property that were not found: it may hold vacuously. */
  readonly possiblyVacuous?: string[];
  readonly message?: string;
  /** The shortest violating trace (the format of `check --trace-out`). */
  readonly trace?: TraceFile;
}

/** A witness's verdict in `check --json`: a state that must be reachable (`sometimes`). */
export interface WitnessJson {
  readonly name: string;
  readonly found: boolean;
  readonly status: string;
  readonly why?: string;
  readonly checkedDepth: number;
  readonly message?: string;
  readonly trace?: TraceFile;
}

/** A verdict that is not the one the design (or the scenario) expects. */
export interface SurpriseJson { readonly name: string; readonly expected: string; readonly actual: string }

/** What `check --json` prints (without `--partition`). */
export interface CheckJson {
  readonly design: string;
  readonly summary: string;
  readonly bounds: Bounds;
  readonly stop: StopReason;
  readonly properties: readonly PropertyJson[];
  readonly witnesses: readonly WitnessJson[];
  readonly stats: Stats;
  readonly coverage: readonly Coverage[];
  readonly scenario?: string;
  readonly variant?: string;
  readonly expected: Readonly<Record<string, string>>;
  readonly surprises: readonly SurpriseJson[];
}

/** One design's row in `matrix --json`. */
export interface MatrixRowJson {
  readonly design: string;
  readonly stop: StopReason;
  readonly stats: Stats;
  readonly surprises: readonly SurpriseJson[];
  /** Per property and witness: its status (`why` for n/a), checkedDepth, possiblyVacuous, and the length
   *  of its trace (`steps`) when it has one. */
  readonly verdicts: Readonly<Record<string, { readonly status: string; readonly why?: string; readonly checkedDepth: number; readonly possiblyVacuous?: string[]; readonly steps?: number }>>;
}

/** What `matrix --json` prints. */
export interface MatrixJson {
  readonly bounds: Bounds;
  readonly scenario?: string;
  readonly variant?: string;
  readonly designs: readonly MatrixRowJson[];
}

/** The trace a replay re-ran. */
export interface ReplayedTraceJson { readonly design: string; readonly property: string; readonly steps: number }

/** What `replay --json` prints: each step's recorded and actual result, and what fired along the way. */
export interface ReplayJson {
  readonly design: string;
  readonly trace: ReplayedTraceJson;
  readonly steps: readonly { readonly step: number; readonly recorded: Result; readonly actual?: Result; readonly agrees: boolean }[];
  readonly findings: readonly Finding[];
  /** For a witness's trace: whether the witness is reached again, and after which step. */
  readonly witness?: { readonly property: string; readonly reached: boolean; readonly step?: number };
}

/** What `replay --json` prints when the design cannot make one of the trace's steps. */
export interface ReplayCannotMakeJson {
  readonly design: string;
  readonly trace: ReplayedTraceJson;
  readonly cannotMake: { readonly step: number; readonly message: string };
}

/** One design's row of `matrix --json` (and of `report --json`). */
export const matrixRowJson = (r: Report): MatrixRowJson => ({
  design: r.design.name, stop: r.stop, stats: r.stats, surprises: surprises(r),
  verdicts: Object.fromEntries([...r.properties, ...r.witnesses].map((v) => [v.name, { ...statusJson(r, v), checkedDepth: r.stats.depth,
    ...vacuousJson(r, v), ...(v.trace ? { steps: v.trace.steps.length } : {}) }])),
});

/** `matrix --json`: the bounds (and scenario) and one row per design checked. */
export function matrixJson(bounds: Bounds, scenario: Scenario | undefined, reports: readonly Report[]): MatrixJson {
  return { bounds, ...(scenario ? { scenario: scenario.name, ...(scenario.variant ? { variant: scenario.variant } : {}) } : {}), designs: reports.map(matrixRowJson) };
}

const traceJson = (trace: TraceFile): ReplayedTraceJson => ({ design: trace.design, property: trace.property, steps: trace.steps.length });

/** `replay --json` for a trace the design cannot follow to its end (`message`: the CLI's line for it). */
export function replayCannotMakeJson(design: Design, trace: TraceFile, step: number, message: string): ReplayCannotMakeJson {
  return { design: design.name, trace: traceJson(trace), cannotMake: { step, message } };
}

/** `replay --json`: `witness` is the trace's own witness when the trace is a witness's (reached or not). */
export function replayJson(design: Design, trace: TraceFile, r: ReplayOutcome, witness?: { reached: Finding | undefined }): ReplayJson {
  return {
    design: design.name, trace: traceJson(trace),
    steps: r.steps.map((s, i) => ({ step: i + 1, recorded: s.recorded, ...(s.actual ? { actual: s.actual } : {}), agrees: s.agrees })),
    findings: r.findings,
    ...(witness ? { witness: { property: trace.property, reached: witness.reached !== undefined, ...(witness.reached ? { step: witness.reached.step } : {}) } } : {}),
  };
}
