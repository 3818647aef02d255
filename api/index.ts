// The library: what `inflight check --json`, `matrix --json` and `replay --json` print, as functions that
// return those very objects (cli/json-results.ts makes them for both). For plain Node: compiled into
// dist/api/index.js, `import { check } from 'inflight-check'`.
//
// Unlike the command line, the library runs a design module (a `.ts`/`.js` file) in the calling thread,
// not in a sandbox thread: a design that loops holds the caller (pass `timeout` or `shouldStop`, which
// stop the search between states, not inside the design's code).
import type { Progress } from '../checker/model.js';
import { checkBounds, DEFAULT_BOUNDS, SYSCALLS, type Bounds, type SyscallName } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import { builtinDesigns } from '../model/designs/index.js';
import { scenarioBounds, type Scenario } from '../model/scenario.js';
import { propertyByName } from '../properties/index.js';
import { loadDesign as loadDesignCli, traceDesign } from '../cli/designs.js';
import { UserError, type ErrorCode } from '../cli/errors.js';
import { matrixJson, replayCannotMakeJson, replayJson, type CheckJson, type MatrixJson, type ReplayCannotMakeJson, type ReplayJson } from '../cli/json-results.js';
import { defaultMaxMemory } from '../cli/persist.js';
import { designWithPropertiesFlag, propertiesOfFlag, withProperties } from '../cli/properties.js';
import { reportJson } from '../cli/render.js';
import { parallelRun, runCheckAsync, type Report, type RunOptions } from '../cli/run.js';
import { loadScenario } from '../cli/scenarios.js';
import { cannotMakeStep, readTraceFile, traceProblem, traceProperty } from '../cli/trace-file.js';
import { parseTrace, type TraceFile } from '../traces/format.js';
import { replayTrace } from '../traces/replay.js';

export type { Bounds, SyscallName } from '../model/bounds.js';
export type { Design } from '../model/design.js';
export type { Scenario } from '../model/scenario.js';
export type { Progress, Stats, StopReason, Coverage } from '../checker/model.js';
export type { TraceFile, TraceStep } from '../traces/format.js';
export type { Finding } from '../traces/replay.js';
export type { CheckJson, PropertyJson, WitnessJson, SurpriseJson, MatrixJson, MatrixRowJson, ReplayJson, ReplayCannotMakeJson, ReplayedTraceJson } from '../cli/json-results.js';
export type { ErrorCode };
export { UserError, DEFAULT_BOUNDS, SYSCALLS };

/**
 * The bounds of a search, as the command line's bound flags give them (`--tasks`, `--files`, `--fds`,
 * `--skbs`, `--msg-fds`, `--reqs`, `--addrs`, `--oob`, `--gc`, `--depth`, `--ops`); each one left out is the default
 * ({@link DEFAULT_BOUNDS}, or a scenario's own). `ops` may be `'all'`.
 */
export type BoundsOptions = Partial<Omit<Bounds, 'ops'>> & { readonly ops?: readonly SyscallName[] | 'all' };

/** The limits and controls of a search (`--max-states`, `--timeout`, `--max-memory`, `--exact`, `--no-symmetry`). */
export interface SearchOptions {
  /** The bounds (default: the command line's defaults). */
  readonly bounds?: BoundsOptions;
  /** Stop after this many distinct states (verdicts then say `bounded`, with their `checkedDepth`). */
  readonly maxStates?: number;
  /** Stop after this many seconds. */
  readonly timeout?: number;
  /** Stop when the process uses this many bytes (default: 3/4 of the machine's memory, as the CLI). */
  readonly maxMemory?: number;
  /** Whole states instead of 64-bit fingerprints. */
  readonly exact?: boolean;
  /** Treat tasks as interchangeable (default true; `--no-symmetry` is false). */
  readonly symmetry?: boolean;
  /** A user's `--properties` module (a path): its properties are checked after the built-in ones. */
  readonly properties?: string;
  /** A built-in scenario's name or a scenario file (`--scenario`), and its variant (`--variant`). */
  readonly scenario?: string;
  readonly variant?: string;
  /** Called about every half second during the search. */
  readonly onProgress?: (p: Progress) => void;
  /** Polled during the search: true stops it, and the result is the partial one (`stop: 'interrupted'`). */
  readonly shouldStop?: () => boolean;
}

/** Options of {@link check}. */
export interface CheckOptions extends SearchOptions {
  /** A built-in design's name (`linux-6.18`), a design module's path, or a design {@link loadDesign} gave. */
  readonly design: string | Design;
  /** Worker threads, 1 to 64 (`--workers`; default 1): the same verdicts, traces and counts. */
  readonly workers?: number;
}

/** Options of {@link matrix}. */
export interface MatrixOptions extends SearchOptions {
  /** The designs, in order (`--designs`): names, paths or loaded designs; default every built-in design. */
  readonly designs?: readonly (string | Design)[];
}

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** The trace: a trace file's path, or its parsed content. */
  readonly trace: string | TraceFile;
  /** The design to replay it against (default: the trace's own, which must be built in). */
  readonly design?: string | Design;
  /** A user's `--properties` module (a path): needed to replay a trace of one of its properties. */
  readonly properties?: string;
}

/**
 * A design: a built-in one by name (see `inflight designs`), or a design module by path (`./mine.ts`,
 * whose default export is `defineDesign({...})` from `inflight/design`): bundled with esbuild, run once
 * and checked. Throws a {@link UserError} (`E_DESIGN_UNKNOWN`, `E_DESIGN_LOAD`, `E_DESIGN_INVALID`, …).
 */
export function loadDesign(nameOrPath: string): Promise<Design> {
  return loadDesignCli(nameOrPath);
}

/** The built-in designs, oldest first. */
export function designs(): readonly Design[] {
  return builtinDesigns;
}

const designOf = (d: string | Design): Promise<Design> => (typeof d === 'string' ? loadDesignCli(d) : Promise.resolve(d));

/** What the CLI printed, as parsed JSON: plain data only (no undefined, no class instances). */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function wholeNumber(name: string, v: unknown, min = 0): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new UserError('E_BOUNDS', `${name} expects a whole number${min > 0 ? ` of at least ${min}` : ''}, got ${String(v)}`);
  return v;
}

/** The bounds as the CLI makes them from its flags (cli/main.ts boundsFrom, givenBounds). */
function boundsOf(given: BoundsOptions | undefined, scenario: Scenario | undefined): Bounds {
  const g = given ?? {};
  const out: Record<string, unknown> = {};
  for (const k of ['tasks', 'files', 'fds', 'skbs', 'msgFds', 'reqs', 'addrs', 'depth'] as const) {
    const n = wholeNumber(`bounds.${k}`, g[k]);
    if (n !== undefined) out[k] = n;
  }
  if (g.gc !== undefined) {
    if (g.gc !== 'phased' && g.gc !== 'atomic') throw new UserError('E_BOUNDS', `bounds.gc must be phased or atomic, got '${String(g.gc)}'`);
    out['gc'] = g.gc;
  }
  if (g.oob === true) out['oob'] = true;
  if (g.ops !== undefined) {
    const names: readonly string[] = g.ops === 'all' ? SYSCALLS : g.ops;
    for (const n of names) if (!(SYSCALLS as readonly string[]).includes(n)) throw new UserError('E_BOUNDS', `unknown syscall '${n}' in bounds.ops (known: ${SYSCALLS.join(', ')})`);
    out['ops'] = SYSCALLS.filter((s) => names.includes(s));
  }
  let b: Bounds;
  if (scenario) {
    if (out['tasks'] !== undefined) throw new UserError('E_BOUNDS', 'bounds.tasks cannot go with a scenario: the scenario has one task per program');
    if (out['ops'] !== undefined) throw new UserError('E_BOUNDS', 'bounds.ops cannot go with a scenario: the programs say what the tasks call');
    b = scenarioBounds(scenario, DEFAULT_BOUNDS, out as Partial<Bounds>);
  } else {
    b = { ...DEFAULT_BOUNDS, ...(out as Partial<Bounds>) };
  }
  const bad = checkBounds(b);
  if (bad) throw new UserError('E_BOUNDS', bad);
  return b;
}

/** The run options the CLI makes from its limit flags (cli/main.ts limitsFrom). */
function limitsOf(o: SearchOptions): RunOptions {
  const maxStates = wholeNumber('maxStates', o.maxStates, 1);
  const timeout = o.timeout;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0))) throw new UserError('E_BOUNDS', `timeout must be a positive number of seconds, got ${String(timeout)}`);
  const memory = wholeNumber('maxMemory', o.maxMemory, 1);
  return {
    ...(maxStates !== undefined ? { maxStates } : {}), ...(timeout !== undefined ? { maxSeconds: timeout } : {}),
    maxMemoryBytes: memory ?? defaultMaxMemory(), ...(o.exact === true ? { exact: true } : {}), symmetry: o.symmetry !== false,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}),
  };
}

const scenarioOf = async (o: SearchOptions): Promise<Scenario | undefined> => {
  if (o.scenario === undefined) {
    if (o.variant !== undefined) throw new UserError('E_USAGE', 'variant goes with scenario');
    return undefined;
  }
  return loadScenario(o.scenario, o.variant);
};

/**
 * Checks a design against every property (and its witnesses), as `inflight check --json` does, and
 * returns the object that command prints: each property's `status` (`holds`, `violated` with its
 * shortest `trace`, `bounded`, `n/a`) and `checkedDepth`, the witnesses, `stats`, `coverage`, what the
 * design `expected` and the `surprises`.
 *
 * @example
 * ```js
 * import { check } from 'inflight-check';
 * const r = await check({ design: 'linux-6.18', bounds: { depth: 3 } });
 * console.log(r.stats.distinct, r.properties.filter((p) => p.status === 'violated').map((p) => p.name));
 * ```
 * @throws {@link UserError} for bad options or a design that cannot be loaded or throws (its `code` is
 * the CLI's, e.g. `E_BOUNDS`, `E_DESIGN_LOAD`, `E_DESIGN_THROWS`).
 */
export async function check(options: CheckOptions): Promise<CheckJson> {
  const scenario = await scenarioOf(options);
  const bounds = boundsOf(options.bounds, scenario);
  const limits = limitsOf(options);
  const workers = wholeNumber('workers', options.workers, 1) ?? 1;
  if (workers > 64) throw new UserError('E_WORKERS', `workers expects a whole number from 1 to 64, got ${workers}`);
  const { design, propertiesCode } = await designWithPropertiesFlag(await designOf(options.design), options.properties);
  const report = await runCheckAsync(design, bounds, { ...limits, ...parallelRun(workers, design), ...(scenario ? { scenario } : {}),
    ...(propertiesCode !== undefined ? { propertiesCode } : {}) });
  return plain(reportJson(report));
}

/**
 * Checks several designs at the same bounds, as `inflight matrix --json` does, and returns that object:
 * per design its `stop`, `stats`, `surprises` and one verdict per property and witness.
 *
 * @example
 * ```js
 * import { matrix } from 'inflight-check';
 * const m = await matrix({ designs: ['seed-2019', 'linux-6.18'], bounds: { depth: 4 } });
 * for (const row of m.designs) console.log(row.design, row.verdicts['no-use-after-free'].status);
 * ```
 */
export async function matrix(options: MatrixOptions = {}): Promise<MatrixJson> {
  const scenario = await scenarioOf(options);
  const bounds = boundsOf(options.bounds, scenario);
  const limits = limitsOf(options);
  const extra = await propertiesOfFlag(options.properties);
  const given: Design[] = [];
  for (const d of options.designs ?? builtinDesigns) given.push(await designOf(d));
  if (given.length === 0) throw new UserError('E_USAGE', 'designs names no design');
  const reports: Report[] = [];
  for (const d of given.map((x) => withProperties(x, extra))) {
    reports.push(await runCheckAsync(d, bounds, { ...limits, ...(scenario ? { scenario } : {}) }));
    if (options.shouldStop?.()) break;
  }
  return plain(matrixJson(bounds, scenario, reports));
}

/**
 * Re-runs a saved trace against a design, as `inflight replay TRACE.json --json` does, and returns that
 * object: each step's recorded and actual result and whether they agree, the properties that fire
 * (`findings`), and for a witness's trace whether the witness is reached. When the design cannot make a
 * step of the trace, the object says so (`cannotMake`) instead.
 *
 * @example
 * ```js
 * import { check, replay } from 'inflight-check';
 * const bad = (await check({ design: 'seed-2019', bounds: { depth: 8 } })).properties.find((p) => p.trace);
 * const r = await replay({ trace: bad.trace, design: 'linux-6.18' });
 * console.log(r.findings);   // [] when linux-6.18 fixes it
 * ```
 */
export async function replay(options: ReplayOptions): Promise<ReplayJson | ReplayCannotMakeJson> {
  const label = typeof options.trace === 'string' ? options.trace : '<trace>';
  const trace = typeof options.trace === 'string' ? readTraceFile(options.trace) : traceOfObject(options.trace);
  const { design } = await designWithPropertiesFlag(options.design !== undefined ? await designOf(options.design) : await traceDesign(trace.design), options.properties);
  traceProperty(label, trace, design);
  const r = replayTrace(trace, design, { keepWorlds: false });
  if (r.impossibleAt !== undefined) {
    const { invalid, message } = cannotMakeStep(label, trace, design, r.impossibleAt);
    if (invalid) throw new UserError('E_TRACE_INVALID', message);
    return plain(replayCannotMakeJson(design, trace, r.impossibleAt, message));
  }
  const isWitness = (propertyByName(trace.property) ?? design.properties?.find((p) => p.name === trace.property))?.kind === 'sometimes';
  const reached = isWitness ? r.findings.find((f) => f.property === trace.property) : undefined;
  return plain(replayJson(design, trace, r, isWitness ? { reached } : undefined));
}

/** A trace given as an object: held to what a trace file is held to (traces/format.ts, cli/trace-file.ts). */
function traceOfObject(t: TraceFile): TraceFile {
  const parsed = parseTrace(JSON.stringify(t));
  if (!parsed.ok) throw new UserError('E_TRACE_INVALID', `<trace>: ${parsed.error}`);
  const bad = traceProblem(parsed.value);
  if (bad !== undefined) throw new UserError('E_TRACE_INVALID', `<trace>: ${bad}`);
  return parsed.value;
}
