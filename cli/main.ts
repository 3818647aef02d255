// The command line. `main` takes argv and an output sink and returns the exit status, so that tests
// run it in-process; bin/inflight.mjs wires it to the real process.
//   0  no property violated (within the bounds)     1  a property is violated
//      (matrix: 0 when every verdict is the one its design expects, 1 when one is not)
//   2  usage or input error (one line on stderr)     130  interrupted (SIGINT) before a violation
//   3  with --strict: nothing violated, but a verdict is bounded (a limit stopped the search)
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Progress } from '../checker/model.js';
import { checkBounds, DEFAULT_BOUNDS, SYSCALLS, type Bounds, type SyscallName } from '../model/bounds.js';
import { builtinDesigns } from '../model/designs/index.js';
import { formatStep } from '../model/apply.js';
import { DesignError, type Design } from '../model/design.js';
import { formatResult } from '../model/step.js';
import { PROPERTIES, propertyByName, SCENARIO_PROPERTIES } from '../properties/index.js';
import { scenarioBounds, type Scenario } from '../model/scenario.js';
import { builtinScenarios } from '../scenarios/index.js';
import { loadScenario } from './scenarios.js';
import { resolveScenario } from '../model/scenario.js';
import { traceToJson } from '../traces/format.js';
import { replayTrace } from '../traces/replay.js';
import { renderStepLines, renderSteps, actorName } from '../traces/text.js';
import { traceStepToStep } from '../traces/build.js';
import { loadDesign, traceDesign } from './designs.js';
import { diffDesigns, formatDiff } from '../model/design-diff.js';
import { runInSandbox, runsUserCode } from './sandbox.js';
import { oneLine, UserError } from './errors.js';
import type { CliKit } from './kit.js';
import { cmdRender } from './pictures.js';
import { cmdReport, writeCheckOutputs } from './report.js';
import { paintVerdict } from './colour.js';
import { fmtInt, formatBounds, matrixCellText, renderReport, reportJson } from './render.js';
import { matrixJson, replayCannotMakeJson, replayJson } from './json-results.js';
import { inapplicableWhy, parallelRun, parseWorkers, runCheckAsync, surprises, type Report, type Verdict, type WitnessVerdict } from './run.js';
import { CheckpointWriter, defaultMaxMemory, designIdentity, parseSize, readCheckpoint, type CheckpointMeta } from './persist.js';
import { cmdSimulate as simulateCmd } from './simulate.js';
import { cmdRepro } from './repro.js';
import { cmdKernel } from './kernel.js';
import { cannotMakeStep, readTraceFile, traceProperty } from './trace-file.js';
import { designWithPropertiesFlag, propertiesOfFlag, withProperties } from './properties.js';
import { PropertyError } from '../properties/user.js';
import type { PropertyDef } from '../properties/property.js';
import { checkPartDocument, checkSearch, cmdMerge, partNote } from './merge.js';
import { parsePartition } from './part-file.js';
import { cmdSchema } from './schema.js';
import { packageJson } from './package-json.js';

export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** Is stderr a terminal (progress lines are drawn only then)? */
  readonly tty?: boolean;
  /** Colour verdicts in text output (stdout a terminal, NO_COLOR unset: cli/colour.ts). */
  readonly colour?: boolean;
  /** Polled during a run; true = stop as interrupted. */
  readonly interrupted?: () => boolean;
}

export const EXIT = { ok: 0, violated: 1, usage: 2, bounded: 3, interrupted: 130 } as const;

const USAGE = `usage: inflight <command> [options]   (inflight --version: the version)

commands:
  check --design NAME|FILE.ts [--scenario NAME|FILE [--variant V]] [bounds] [--json] [--trace-out FILE
        [--trace-of NAME]] [--full] [--witnesses] [--dot DIR] [--html DIR] [--properties FILE.ts]
                               check a design against every property: free exploration, or every
                               interleaving of a scenario's programs (--dot: the reference graph of each
                               step of each trace as DIR/<property>-step-<n>.dot; --html: the viewer site;
                               --trace-out: the first violated property's trace, or with --trace-of NAME
                               that property's or witness's, e.g. scenario-completes; a found
                               witness is one line unless --witnesses prints its trace)
  matrix [--designs a,b,...] [--scenario NAME|FILE [--variant V]] [bounds] [--json | --markdown]
        [--properties FILE.ts]
                               check several designs (default: all built-in) and print the verdict table
  scenarios [--json]           list the built-in scenarios (litmus tests: historic bugs, kernel selftests)
  scenarios --matrix [--markdown] [--designs a,./mine.ts,...] [--properties FILE.ts]
                               every built-in scenario on every built-in design (or those --designs
                               names, your modules too): which properties it violates
  report --out DIR [--designs a,b,...] [bounds]
                               the verdict matrix as a static site, with a step-through page per trace
  render TRACE.json [--design NAME|FILE.ts] [--properties FILE.ts] [--format dot|svg] [--step N] [--out FILE]
                               the reference graph after step N (0 = the initial world; default the last)
  designs [--json]             list the built-in designs
  designs --diff A B [--json]  what design B changes against A: switches, kernel functions overridden, expectations
  explain [PROPERTY] [--properties FILE.ts] [--design NAME|FILE.ts] [--json]
                               what a property means, in kernel words (yours too)
  replay TRACE.json [--design NAME|FILE.ts] [--json] [--properties FILE.ts]
                               re-run a saved trace against a design (default: the trace's own)
  repro TRACE.json [--minimal] [--design NAME|FILE.ts] [--properties FILE.ts] [--out FILE]
                               the trace as a standalone C program that makes its syscalls on this kernel
                               (exit 1 when the kernel's results differ); --minimal: one-task traces as a
                               flat main of raw syscall() calls, as a syzkaller reproducer reads
  kernel TRACE.json [--design NAME|FILE.ts] [--vm VERSION] [--json]
                               replay the trace on the running kernel and compare each step and each
                               file's fate with the design's predictions (default linux-6.18); exit 1
                               on a disagreement. --vm 6.1.170|6.1.192|6.12.118: on that Debian kernel
                               under QEMU (npm run kernels fetches them), against the design that
                               predicts it

bounds:
  --tasks N      task slots (default ${DEFAULT_BOUNDS.tasks}; fork fills them)
  --files N      struct files alive at once (default ${DEFAULT_BOUNDS.files})
  --fds N        fd table size per task (default ${DEFAULT_BOUNDS.fds})
  --skbs N       skbs per receive queue (default ${DEFAULT_BOUNDS.skbs})
  --msg-fds N    fds per SCM_RIGHTS message / per registration (default ${DEFAULT_BOUNDS.msgFds})
  --reqs N       io_uring requests in flight per ring (default ${DEFAULT_BOUNDS.reqs}; 0: no io_uring_enter)
  --addrs N      abstract addresses bind may use (default ${DEFAULT_BOUNDS.addrs})
  --oob          explore MSG_OOB sends too (about ten times the states)
  --gc MODE      phased: a GC run is a sequence of steps that syscalls race with (default in scenarios);
                 atomic: one step per run (default in free exploration: far fewer states, no GC races)
  --depth N      steps from the start; 0 = no limit (default ${DEFAULT_BOUNDS.depth})
  --ops a,b,...  syscalls to explore, or 'all' (${SYSCALLS.join(',')});
                 default ${DEFAULT_BOUNDS.ops.join(',')}
  --max-states N, --timeout SECONDS   stop early (open verdicts then say 'holds within N steps')
  --max-memory SIZE   stop when the process uses this much memory (default 3/4 of the machine), e.g. 4G
  --exact        whole states instead of 64-bit fingerprints (no collision possible; small runs)
  --no-symmetry  do not treat tasks as interchangeable
  --strict       (check, matrix) exit 3 when a verdict is bounded: a limit stopped the search first

check only:
  --checkpoint FILE [--checkpoint-every SECONDS]   save the search every 60 s (and when interrupted)
  --resume FILE  go on from a checkpoint (same design and options): ends exactly as an uninterrupted run
  --workers N    search with N worker threads (default 1): the same verdicts, traces and counts
  --partition I/N [--split-depth D]   make part I (0..N-1) of a search split N ways (N alone: I from
                 JOB_COMPLETION_INDEX); with --json the result is a part file for merge

simulate --design NAME|FILE.ts [bounds] [--depth N] [--runs N] [--seed S] [--swarm I/N] [--json] [--trace-out FILE]
                               seeded random walks (default 60 steps, 10000 walks); a violation is
                               shrunk, replay-checked and printed with its seed; --swarm I/N: part I of
                               N diversified walkers (seed, walk length, step order), merged with merge

merge PART.json ... [--json] [--design FILE.ts]
                               the parts of one check --partition (or simulate --swarm) as one result

--properties FILE.ts   properties of your own (export default [always({...}), sometimes({...})] with
                       inflight/property), checked after the built-in ones; see docs/patch-designs.md

exit status: 0 nothing violated, 1 a property violated, 2 usage or input error, 3 with --strict: a verdict
             is bounded, 130 interrupted`;

const BOUND_OPTIONS = {
  tasks: { type: 'string' }, files: { type: 'string' }, fds: { type: 'string' }, skbs: { type: 'string' },
  'msg-fds': { type: 'string' }, depth: { type: 'string' }, ops: { type: 'string' }, reqs: { type: 'string' }, addrs: { type: 'string' }, gc: { type: 'string' }, oob: { type: 'boolean' },
  'max-states': { type: 'string' }, timeout: { type: 'string' }, 'no-symmetry': { type: 'boolean' },
  'max-memory': { type: 'string' }, exact: { type: 'boolean' },
} as const;

type Values = Record<string, string | boolean | undefined>;

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError('E_USAGE', oneLine((e as Error).message).replace(/\. To specify a positional.*$/, ''));
  }
  if (parsed.positionals.length > positionals) throw new UserError('E_USAGE', `unexpected argument '${parsed.positionals[positionals]}'`);
  return { values: parsed.values as Values, positionals: parsed.positionals };
}

function wholeNumber(v: Values, flag: string): number | undefined {
  const raw = v[flag];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new UserError('E_BOUNDS', `--${flag} expects a whole number, got '${String(raw)}'`);
  return Number(raw);
}

function gcFlag(v: Values): Bounds['gc'] {
  const g = v['gc'];
  if (g === undefined) return DEFAULT_BOUNDS.gc;
  if (g !== 'phased' && g !== 'atomic') throw new UserError('E_BOUNDS', `--gc must be phased or atomic, got '${String(g)}'`);
  return g;
}

function boundsFrom(v: Values): Bounds {
  let ops: readonly SyscallName[] = DEFAULT_BOUNDS.ops;
  if (typeof v['ops'] === 'string') {
    const names = v['ops'].trim() === 'all' ? [...SYSCALLS] : v['ops'].split(',').map((s) => s.trim()).filter(Boolean);
    for (const n of names) if (!(SYSCALLS as readonly string[]).includes(n)) throw new UserError('E_BOUNDS', `unknown syscall '${n}' in --ops (known: ${SYSCALLS.join(', ')})`);
    ops = SYSCALLS.filter((s) => names.includes(s));
  }
  const b: Bounds = {
    tasks: wholeNumber(v, 'tasks') ?? DEFAULT_BOUNDS.tasks,
    files: wholeNumber(v, 'files') ?? DEFAULT_BOUNDS.files,
    fds: wholeNumber(v, 'fds') ?? DEFAULT_BOUNDS.fds,
    skbs: wholeNumber(v, 'skbs') ?? DEFAULT_BOUNDS.skbs,
    msgFds: wholeNumber(v, 'msg-fds') ?? DEFAULT_BOUNDS.msgFds,
    reqs: wholeNumber(v, 'reqs') ?? DEFAULT_BOUNDS.reqs,
    addrs: wholeNumber(v, 'addrs') ?? DEFAULT_BOUNDS.addrs,
    oob: v['oob'] === true ? true : DEFAULT_BOUNDS.oob,
    depth: wholeNumber(v, 'depth') ?? DEFAULT_BOUNDS.depth,
    gc: gcFlag(v),
    ops,
  };
  const bad = checkBounds(b);
  if (bad) throw new UserError('E_BOUNDS', bad);
  return b;
}

function limitsFrom(v: Values) {
  const maxStates = wholeNumber(v, 'max-states');
  const timeout = wholeNumber(v, 'timeout');
  if (maxStates === 0) throw new UserError('E_BOUNDS', '--max-states must be at least 1');
  if (timeout === 0) throw new UserError('E_BOUNDS', '--timeout must be at least 1 second');
  const memory = v['max-memory'];
  return { ...(maxStates !== undefined ? { maxStates } : {}), ...(timeout !== undefined ? { maxSeconds: timeout } : {}),
    maxMemoryBytes: typeof memory === 'string' ? parseSize('max-memory', memory) : defaultMaxMemory(),
    ...(v['exact'] === true ? { exact: true } : {}),
    symmetry: v['no-symmetry'] !== true };
}

function progressLine(io: Io, enabled: boolean, label: string) {
  if (!enabled) return {};
  return {
    onProgress: (p: Progress) => {
      io.err(`\r\x1b[K${label}: ${fmtInt(p.distinct)} distinct, ${fmtInt(p.generated)} generated, depth ${p.depth}, ` +
        `queue ${fmtInt(p.queue)}, ${fmtInt(Math.round(p.distinct / Math.max(p.seconds, 1e-9)))} states/s, ${p.seconds.toFixed(1)} s`);
    },
  };
}
const clearLine = (io: Io, enabled: boolean): void => { if (enabled) io.err('\r\x1b[K'); };

const anyBounded = (r: Report): boolean => [...r.properties, ...r.witnesses].some((v) => v.status === 'bounded' && inapplicableWhy(r, v) === undefined);

/** `strict`: a verdict left bounded (a limit stopped the search) is not a pass. */
const exitFor = (r: Report, strict: boolean): number =>
  r.properties.some((p) => p.status === 'violated') ? EXIT.violated : r.stop === 'interrupted' ? EXIT.interrupted
    : strict && anyBounded(r) ? EXIT.bounded : EXIT.ok;

async function cmdCheck(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { ...BOUND_OPTIONS, design: { type: 'string' }, json: { type: 'boolean' },
    'trace-out': { type: 'string' }, 'trace-of': { type: 'string' }, full: { type: 'boolean' }, witnesses: { type: 'boolean' }, dot: { type: 'string' }, html: { type: 'string' },
    checkpoint: { type: 'string' }, 'checkpoint-every': { type: 'string' }, resume: { type: 'string' }, workers: { type: 'string' },
    scenario: { type: 'string' }, variant: { type: 'string' }, strict: { type: 'boolean' }, properties: { type: 'string' },
    partition: { type: 'string' }, 'split-depth': { type: 'string' } }, 0);
  if (typeof values['design'] !== 'string') throw new UserError('E_USAGE', 'check needs --design NAME (see: inflight designs) or --design ./file.ts');
  const part = partitionFrom(values);
  const scenario = await scenarioFrom(values);
  const bounds = scenario ? scenarioBounds(scenario, DEFAULT_BOUNDS, givenBounds(values)) : boundsFrom(values);
  if (scenario) { const bad = checkBounds(bounds); if (bad) throw new UserError('E_BOUNDS', bad); }
  const limits = limitsFrom(values);
  const { design, propertiesCode } = await designWithPropertiesFlag(await loadDesign(values['design']), values['properties']);
  const traceOf = traceOfFlag(values, design, scenario);
  const json = values['json'] === true;
  const live = io.tty === true && !json;
  // Checkpoints record the run's settings; a resume with other ones is refused.
  const meta: CheckpointMeta = { design: design.name, designId: designIdentity(values['design'], design, propertiesCode), bounds, symmetry: limits.symmetry, exact: limits.exact === true,
    ...(design.properties?.length ? { properties: design.properties.map((p) => p.name) } : {}),
    ...(scenario ? { scenario: `${scenario.name}${scenario.variant ? `/${scenario.variant}` : ''}` } : {}) };
  const checkpoint = typeof values['checkpoint'] === 'string' ? values['checkpoint'] : undefined;
  const every = wholeNumber(values, 'checkpoint-every');
  if (every !== undefined && checkpoint === undefined) throw new UserError('E_USAGE', '--checkpoint-every goes with --checkpoint FILE');
  if (every === 0) throw new UserError('E_BOUNDS', '--checkpoint-every must be at least 1 second');
  const workers = parseWorkers(values['workers'], checkpoint !== undefined || values['resume'] !== undefined);
  const resume = typeof values['resume'] === 'string' ? readCheckpoint(values['resume'], meta) : undefined;
  // Refuses a path that is not a regular file or a new one before the search starts.
  const saver = checkpoint !== undefined ? new CheckpointWriter(checkpoint, meta) : undefined;
  const stopNow = (): boolean => saver?.stopped() === true || io.interrupted?.() === true;
  const report = await runCheckAsync(design, bounds, { ...limits, ...progressLine(io, live, design.name),
    ...(io.interrupted || saver ? { shouldStop: stopNow } : {}),
    ...(saver ? { onCheckpoint: saver.write, checkpointEvery: every ?? 60 } : {}),
    ...(resume ? { resume } : {}), ...parallelRun(workers, design), ...(scenario ? { scenario } : {}),
    ...(propertiesCode !== undefined ? { propertiesCode } : {}), ...(part ? { partition: part } : {}) });
  clearLine(io, live);
  if (saver && !saver.failure && report.snapshot && saver.write(report.snapshot())) {
    // Interrupted (or at a limit): the search can go on from exactly here.
    if (!json) io.err(`checkpoint written to ${checkpoint}: go on with --resume ${checkpoint}`);
  }
  const noTrace = writeTraceOut(report, values['trace-out'], traceOf, io, json);
  await writeCheckOutputs(report, values, io, json);
  const usual = reportJson(report);
  const doc = part ? checkPartDocument(report, usual, checkSearch(values['design'], design, bounds, { ...limits, exact: limits.exact === true, partition: part,
    ...(scenario ? { scenario, scenarioArg: values['scenario'] as string } : {}) })) : usual;
  io.out(json ? JSON.stringify(doc, null, 2) : renderReport(report, { full: values['full'] === true, witnesses: values['witnesses'] === true, colour: io.colour === true }) + (part ? partNote(report) : ''));
  // --trace-of NAME whose verdict has no trace: the result above, then why nothing was written.
  if (noTrace !== undefined) throw new UserError('E_NO_TRACE', noTrace);
  // A checkpoint that could not be written (a full disk): the partial result above, then the error.
  if (saver?.failure) throw new UserError('E_OUTPUT', `${saver.failure.message}; the search stopped there (the result above is partial)`);
  return exitFor(report, values['strict'] === true);
}

/** --trace-of NAME: a property or witness this run checks (checked before the search, which may be long). */
function traceOfFlag(v: Values, design: { readonly name: string; readonly properties?: readonly PropertyDef[] }, scenario: Scenario | undefined): string | undefined {
  const name = v['trace-of'];
  if (name === undefined) return undefined;
  if (typeof v['trace-out'] !== 'string') throw new UserError('E_USAGE', '--trace-of NAME goes with --trace-out FILE (the file the trace is written to)');
  if (typeof name !== 'string' || name === '') throw new UserError('E_USAGE', '--trace-of needs a property or witness name');
  if (!scenario && SCENARIO_PROPERTIES.some((p) => p.name === name)) {
    throw new UserError('E_USAGE', `--trace-of ${name}: that witness is checked only with --scenario (a scenario's programs run to their end)`);
  }
  const known = [...PROPERTIES, ...(scenario ? SCENARIO_PROPERTIES : []), ...(design.properties ?? [])].map((p) => p.name);
  if (!known.includes(name)) throw new UserError('E_USAGE', `--trace-of: unknown property or witness '${name.slice(0, 64)}' (known: ${known.join(', ')})`);
  return name;
}

/** Why a verdict has no trace, in words: a trace shows a violation or a witness found. */
function untraced(r: Report, v: Verdict | WitnessVerdict): string {
  const na = inapplicableWhy(r, v);
  if (na !== undefined) return `does not apply to design ${r.design.name} (${na})`;
  const witness = 'found' in v;
  if (v.status === 'bounded') return witness ? `was not found within ${r.stats.depth} steps (a limit stopped the search)` : `holds within ${r.stats.depth} steps (a limit stopped the search)`;
  return witness ? 'was not found' : 'holds';
}

/** check --trace-out FILE [--trace-of NAME]: writes the trace of NAME's verdict, by default of the first
 *  violated property. Returns the message for a NAME whose verdict has no trace (nothing written). */
function writeTraceOut(report: Report, out: unknown, traceOf: string | undefined, io: Io, json: boolean): string | undefined {
  if (typeof out !== 'string') return undefined;
  const all: readonly (Verdict | WitnessVerdict)[] = [...report.properties, ...report.witnesses];
  const chosen = traceOf !== undefined ? all.find((v) => v.name === traceOf) : report.properties.find((p) => p.trace);
  if (chosen?.trace) {
    try { writeFileSync(out, traceToJson(chosen.trace)); } catch (e) {
      throw new UserError('E_OUTPUT', `cannot write ${out}: ${oneLine((e as Error).message)}`);
    }
    if (!json) io.err(`trace of ${chosen.name}${'found' in chosen ? ' (witness)' : ''} written to ${out}`);
    return undefined;
  }
  if (traceOf !== undefined) return `--trace-of ${traceOf}: ${chosen ? `${traceOf} ${untraced(report, chosen)}` : 'not checked in this run'}, so it has no trace: ${out} not written`;
  const found = report.witnesses.filter((w) => w.trace).map((w) => w.name);
  if (!json) io.err(`no property is violated, so there is no violation's trace: ${out} not written` +
    (found.length ? ` (a witness's trace: --trace-of ${found.join(' | ')})` : ''));
  return undefined;
}

/** --partition I/N [--split-depth D]: single-thread, without checkpoints (a part is one short CLI run). */
function partitionFrom(v: Values): { index: number; count: number; splitDepth?: number } | undefined {
  const p = parsePartition('partition', v['partition']);
  const split = wholeNumber(v, 'split-depth');
  if (!p) {
    if (split !== undefined) throw new UserError('E_USAGE', '--split-depth goes with --partition');
    return undefined;
  }
  for (const flag of ['workers', 'checkpoint', 'resume']) {
    if (v[flag] !== undefined) throw new UserError('E_PARTITION', `--partition cannot be combined with --${flag}: a part is one single-thread run`);
  }
  // merge rebuilds the model from the parts' design alone, so it could not check a user property's trace.
  if (v['properties'] !== undefined) throw new UserError('E_PARTITION', '--partition cannot be combined with --properties yet: merge rebuilds the model without them (put the properties in the design module instead)');
  return { ...p, ...(split !== undefined ? { splitDepth: split } : {}) };
}

/** --designs a,b,./mine.ts (matrix, scenarios --matrix): the designs named, in order; undefined if absent. */
async function designsOfFlag(flag: unknown): Promise<Design[] | undefined> {
  if (typeof flag !== 'string') return undefined;
  const names = flag.split(',').map((x) => x.trim()).filter(Boolean);
  if (names.length === 0) throw new UserError('E_USAGE', '--designs names no design');
  const out: Design[] = [];
  for (const n of names) out.push(await loadDesign(n));
  return out;
}

async function cmdMatrix(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { ...BOUND_OPTIONS, designs: { type: 'string' }, json: { type: 'boolean' }, markdown: { type: 'boolean' },
    scenario: { type: 'string' }, variant: { type: 'string' }, strict: { type: 'boolean' }, properties: { type: 'string' } }, 0);
  const scenario = await scenarioFrom(values);
  const bounds = scenario ? scenarioBounds(scenario, DEFAULT_BOUNDS, givenBounds(values)) : boundsFrom(values);
  if (scenario) { const bad = checkBounds(bounds); if (bad) throw new UserError('E_BOUNDS', bad); }
  const limits = limitsFrom(values);
  const extra = await propertiesOfFlag(values['properties']);
  const designs = ((await designsOfFlag(values['designs'])) ?? builtinDesigns).map((d) => withProperties(d, extra));
  const json = values['json'] === true;
  const live = io.tty === true && !json;
  const reports: Report[] = [];
  for (const d of designs) {
    reports.push(await runCheckAsync(d, bounds, { ...limits, ...progressLine(io, live, d.name), ...(io.interrupted ? { shouldStop: io.interrupted } : {}),
      ...(scenario ? { scenario } : {}) }));
    clearLine(io, live);
    if (io.interrupted?.()) break;
  }
  if (json) {
    io.out(JSON.stringify(matrixJson(bounds, scenario, reports), null, 2));
  } else if (values['markdown'] === true) {
    io.out(renderMatrixMarkdown(reports, bounds));
  } else {
    io.out(renderMatrix(reports, bounds, io.colour === true));
  }
  // A matrix compares designs, some of which are meant to fail: its status says whether every verdict
  // is the one its design expects.
  return reports.some((r) => surprises(r).length > 0) ? EXIT.violated : reports.some((r) => r.stop === 'interrupted') ? EXIT.interrupted
    : values['strict'] === true && reports.some(anyBounded) ? EXIT.bounded : EXIT.ok;
}

const matrixCell = (r: Report, name: string): string => {
  const v = [...r.properties, ...r.witnesses].find((x) => x.name === name);
  if (!v) return '-';
  const text = matrixCellText(r, v);
  const surprising = surprises(r).some((x) => x.name === name);
  return surprising ? `${text}!` : text;
};

/** The columns: the built-in properties, then the designs' own (a design's, --properties), each once. */
const matrixProps = (reports: Report[]): string[] =>
  [...new Set([...PROPERTIES, ...(reports.some((r) => r.scenario) ? SCENARIO_PROPERTIES : []), ...reports.flatMap((r) => r.design.properties ?? [])].map((p) => p.name))];

/** The matrix as a Markdown table (the README's table of designs is this command's output). */
function renderMatrixMarkdown(reports: Report[], bounds: Bounds): string {
  const props = matrixProps(reports);
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `Bounds: ${formatBounds(bounds)}${reports[0]?.scenario ? `; scenario ${reports[0].scenario.name}` : ''}.`,
    '',
    row(['design', ...props, 'states']),
    row(['---', ...props.map(() => '---'), '---:']),
    ...reports.map((r) => row([`\`${r.design.name}\``, ...props.map((p) => matrixCell(r, p)), fmtInt(r.stats.distinct)])),
  ].join('\n');
}

function renderMatrix(reports: Report[], bounds: Bounds, colour = false): string {
  const props = matrixProps(reports);
  const cell = matrixCell;
  const header = ['design', ...props, 'states', 'seconds'];
  const rows = reports.map((r) => [r.design.name, ...props.map((p) => cell(r, p)), fmtInt(r.stats.distinct), r.stats.seconds.toFixed(1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // Padded first, then coloured: escapes do not count in the width.
  const line = (cells: string[], paint = false) => cells.map((c, i) => {
    const padded = c.padEnd(widths[i]!);
    return paint && i > 0 && i <= props.length ? paintVerdict(padded, colour) : padded;
  }).join('  ').trimEnd();
  const out = [`bounds: ${formatBounds(bounds)}`, '', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(r, true))];
  out.push('', 'VIOLATED/n and found/n: the shortest trace has n steps; a trailing ! marks a verdict the design does not expect;',
    'holds/≤N and not-found/≤N: a limit stopped the search first; nothing violated (no witness) within N steps, every state to that depth checked;',
    'n/a: the property cannot apply to the design; a trailing ? marks a holds whose witness was not found (possibly vacuous).');
  return out.join('\n');
}

async function cmdDesigns(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, diff: { type: 'boolean' } }, 2);
  if (values['diff'] === true) {
    // designs --diff A B: what B changes against A (switches, kernel functions overridden, expectations).
    if (positionals.length !== 2) throw new UserError('E_USAGE', 'designs --diff needs two designs: inflight designs --diff A B');
    const diff = diffDesigns(await loadDesign(positionals[0]!), await loadDesign(positionals[1]!));
    io.out(values['json'] === true ? JSON.stringify(diff, null, 2) : formatDiff(diff));
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UserError('E_USAGE', `designs takes no design name (did you mean designs --diff ${positionals.join(' ')}?)`);
  if (values['json'] === true) {
    io.out(JSON.stringify(builtinDesigns.map((d) => ({ name: d.name, summary: d.summary, switches: d.switches, expected: d.expected, ...(d.source ? { source: d.source } : {}) })), null, 2));
  } else {
    const w = Math.max(...builtinDesigns.map((d) => d.name.length));
    io.out(builtinDesigns.map((d) => `${d.name.padEnd(w)}  ${d.summary}`).join('\n'));
  }
  return EXIT.ok;
}

async function cmdExplain(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { properties: { type: 'string' }, design: { type: 'string' }, json: { type: 'boolean' } }, 1);
  // The user's own: a design module's properties, then those of --properties.
  const design = typeof values['design'] === 'string' ? await loadDesign(values['design']) : undefined;
  const extra = await propertiesOfFlag(values['properties']);
  const own = design ? withProperties(design, extra).properties ?? [] : extra;
  const known = [...PROPERTIES, ...SCENARIO_PROPERTIES, ...own];
  const name = positionals[0];
  // --json: what the text says, as data; with --design, whether each property applies to it (n/a and why).
  const asJson = (p: PropertyDef): object => {
    const na = design ? p.inapplicable?.(design) : undefined;
    return { name: p.name, kind: p.kind, title: p.title, explain: p.explain, ...(p.guards ? { guards: p.guards } : {}),
      ...(p.origin ? { origin: p.origin } : {}), ...(design ? { design: design.name, applies: na === undefined, ...(na !== undefined ? { why: na } : {}) } : {}) };
  };
  if (values['json'] === true) {
    const one = name === undefined ? undefined : known.find((x) => x.name === name);
    if (name !== undefined && !one) throw new UserError('E_PROPERTY_UNKNOWN', `unknown property '${name}' (known: ${known.map((x) => x.name).join(', ')})`);
    io.out(JSON.stringify(one ? asJson(one) : known.map(asJson), null, 2));
    return EXIT.ok;
  }
  if (name === undefined) {
    const w = Math.max(...known.map((p) => p.name.length));
    io.out(known.map((p) => `${p.name.padEnd(w)}  ${p.kind === 'sometimes' ? '(witness) ' : ''}${p.title}${p.origin ? `  [${p.origin}]` : ''}`).join('\n'));
    return EXIT.ok;
  }
  const p = propertyByName(name) ?? own.find((x) => x.name === name);
  if (!p) throw new UserError('E_PROPERTY_UNKNOWN', `unknown property '${name}' (known: ${known.map((x) => x.name).join(', ')})`);
  io.out(`${p.name} — ${p.title}${p.kind === 'sometimes' ? ' (a witness: it must be found)' : ''}${p.origin ? ` [${p.origin}]` : ''}\n\n${wrap(p.explain, 96)}`);
  return EXIT.ok;
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/)) {
    if (cur && cur.length + 1 + word.length > width) { lines.push(cur); cur = word; } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines.join('\n');
}

async function cmdReplay(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { design: { type: 'string' }, json: { type: 'boolean' }, full: { type: 'boolean' }, properties: { type: 'string' } }, 1);
  const file = positionals[0];
  if (file === undefined) throw new UserError('E_USAGE', 'replay needs a trace file: inflight replay trace.json');
  const trace = readTraceFile(file);
  const { design } = await designWithPropertiesFlag(typeof values['design'] === 'string' ? await loadDesign(values['design']) : await traceDesign(trace.design), values['properties']);
  traceProperty(file, trace, design);
  // No world is kept: the text of each step is made as the replay goes (a long trace's worlds fill memory).
  const r = replayTrace(trace, design, { keepWorlds: false, ...(values['json'] === true ? {} : { details: values['full'] === true ? 'full' : 'changes' }) });
  if (r.impossibleAt !== undefined) {
    // Impossible in the trace's own design too: the trace is wrong. Otherwise an answer about this design.
    const { invalid, message: line } = cannotMakeStep(file, trace, design, r.impossibleAt);
    if (invalid) throw new UserError('E_TRACE_INVALID', line);
    io.out(values['json'] === true
      ? JSON.stringify(replayCannotMakeJson(design, trace, r.impossibleAt, line), null, 2)
      : line);
    return EXIT.violated;
  }
  const violated = r.findings.filter((f) => f.kind === 'always');
  // A witness's trace (check --trace-out --trace-of): is its witness reached again?
  const isWitness = (propertyByName(trace.property) ?? design.properties?.find((p) => p.name === trace.property))?.kind === 'sometimes';
  const reached = isWitness ? r.findings.find((f) => f.property === trace.property) : undefined;
  if (values['json'] === true) {
    io.out(JSON.stringify(replayJson(design, trace, r, isWitness ? { reached } : undefined), null, 2));
  } else {
    const out: string[] = [`replaying ${file} (${trace.steps.length} steps, made with ${trace.design} for ${isWitness ? 'the witness ' : ''}${trace.property}) against design ${design.name}`, ''];
    out.push(renderStepLines(trace.steps.slice(0, r.made).map((s, i) => ({ ...s, result: r.steps[i]!.actual ?? s.result })), (i) => r.details![i]!));
    r.steps.forEach((s, i) => {
      if (s.agrees || !s.actual) return;
      const st = trace.steps[i]!;
      out.push(`  step ${i + 1}: ${actorName(st.task)} ${formatStep(traceStepToStep(st))} returns ${formatResult(s.actual)} here; the trace recorded ${formatResult(s.recorded)}`);
    });
    out.push('');
    if (violated.length === 0) out.push(`no property is violated along this trace under ${design.name}`);
    for (const f of r.findings) out.push(`${f.kind === 'always' ? 'violated' : 'witness'}: ${f.property} after step ${f.step}: ${f.message}`);
    if (isWitness) out.push(reached ? `the trace's witness ${trace.property} is reached after step ${reached.step} under ${design.name}`
      : `the trace's witness ${trace.property} is not reached along this trace under ${design.name}${SCENARIO_PROPERTIES.some((p) => p.name === trace.property) && !trace.programs ? ' (the trace carries no "programs" to check it against)' : ''}`);
    io.out(out.join('\n'));
  }
  return violated.length > 0 ? EXIT.violated : EXIT.ok;
}

/** `scenarios --matrix`: every built-in scenario (its default variant) on every built-in design; a cell
 *  names the violated properties (— when none), `!` marks a verdict the scenario does not expect of that
 *  design, and `(impossible)` a scenario that violates nothing and whose programs cannot run to their end. */
async function scenarioMatrix(list: readonly Scenario[], io: Io, markdown: boolean, extra: readonly PropertyDef[] = [], given: readonly Design[] = builtinDesigns): Promise<number> {
  const rows: string[][] = [];
  let odd = false;
  for (const sc of list) {
    const row = [sc.variant ? `${sc.name} (${sc.variant})` : sc.name];
    for (const d of given.map((b) => withProperties(b, extra))) {
      const r = await runCheckAsync(d, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc, ...(io.interrupted ? { shouldStop: io.interrupted } : {}) });
      if (r.stop === 'interrupted') return EXIT.interrupted;
      const bad = r.properties.filter((p) => p.status === 'violated').map((p) => p.name);
      const completes = r.witnesses.find((w) => w.name === 'scenario-completes')?.status === 'found';
      const surprising = surprises(r).length > 0;
      odd ||= surprising;
      // A violation ends its path (it is not explored further), so only a scenario that violates nothing
      // and never completes is impossible under the design.
      row.push(`${bad.length ? bad.join(', ') : '—'}${completes || bad.length > 0 ? '' : ' (impossible)'}${surprising ? ' !' : ''}`);
    }
    rows.push(row);
  }
  const header = ['scenario', ...given.map((d) => d.name)];
  if (markdown) {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    io.out([line(header), line(header.map(() => '---')), ...rows.map((r) => line(r.map((c, i) => (i === 0 ? `\`${c}\`` : c))))].join('\n'));
  } else {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    io.out([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
  }
  return odd ? EXIT.violated : EXIT.ok;
}

/** --scenario / --variant, if given. */
async function scenarioFrom(v: Values): Promise<Scenario | undefined> {
  const variant = typeof v['variant'] === 'string' ? v['variant'] : undefined;
  if (typeof v['scenario'] !== 'string') {
    if (variant !== undefined) throw new UserError('E_USAGE', '--variant goes with --scenario');
    return undefined;
  }
  return loadScenario(v['scenario'], variant);
}

/** Only the bound flags the user gave (a scenario's own bounds fill the rest). */
function givenBounds(v: Values): Partial<Bounds> {
  const out: Record<string, unknown> = {};
  for (const [flag, key] of [['files', 'files'], ['fds', 'fds'], ['skbs', 'skbs'], ['msg-fds', 'msgFds'], ['reqs', 'reqs'], ['depth', 'depth']] as const) {
    const n = wholeNumber(v, flag);
    if (n !== undefined) out[key] = n;
  }
  if (v['gc'] !== undefined) out['gc'] = gcFlag(v);
  if (v['oob'] === true) out['oob'] = true;
  if (v['tasks'] !== undefined) throw new UserError('E_BOUNDS', '--tasks cannot go with --scenario: the scenario has one task per program');
  if (v['ops'] !== undefined) throw new UserError('E_BOUNDS', '--ops cannot go with --scenario: the programs say what the tasks call');
  return out as Partial<Bounds>;
}

async function cmdScenarios(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean' }, matrix: { type: 'boolean' }, markdown: { type: 'boolean' }, properties: { type: 'string' }, designs: { type: 'string' } }, 0);
  const list = builtinScenarios().map((b) => {
    const sc = resolveScenario(b.spec);
    if (typeof sc === 'string') throw new Error(`built-in scenario ${b.name}: ${sc}`);
    return sc;
  });
  if (values['matrix'] === true || values['markdown'] === true) {
    // --designs a,./mine.ts: the columns (default every built-in design); a module runs in the sandbox.
    return scenarioMatrix(list, io, values['markdown'] === true, await propertiesOfFlag(values['properties']), await designsOfFlag(values['designs']));
  }
  if (values['properties'] !== undefined) throw new UserError('E_USAGE', '--properties goes with scenarios --matrix');
  if (values['designs'] !== undefined) throw new UserError('E_USAGE', '--designs goes with scenarios --matrix');
  if (values['json'] === true) {
    io.out(JSON.stringify(list.map((s) => ({ name: s.name, summary: s.summary, ...(s.source ? { source: s.source } : {}),
      variants: s.variants, tasks: s.programs.length, expect: s.expect })), null, 2));
  } else {
    const w = Math.max(...list.map((s) => s.name.length));
    io.out(list.map((s) => `${s.name.padEnd(w)}  ${s.summary}${s.variants.length ? ` [variants: ${s.variants.join(', ')}]` : ''}`).join('\n'));
  }
  return EXIT.ok;
}

const kit: CliKit = { parse, boundOptions: BOUND_OPTIONS, boundsFrom, limitsFrom, progressLine, clearLine };

const cmdSimulate = (args: string[], io: Io): Promise<number> => simulateCmd(args, io, kit);

/** `inflight --version`: the package's version and what it models (the newest built-in design). */
function versionLine(): string {
  const pkg = packageJson() as { name: string; version: string };
  return `inflight ${pkg.version} (package ${pkg.name}; ${builtinDesigns.length} built-in designs, newest ${builtinDesigns[builtinDesigns.length - 1]!.name}; node ${process.versions.node})`;
}

const COMMANDS: readonly string[] = ['check', 'matrix', 'simulate', 'report', 'render', 'kernel', 'repro', 'designs', 'scenarios', 'explain', 'replay', 'merge'];

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  // `inflight check --help` (any command): the usage, as `inflight help` prints it.
  if (cmd !== undefined && COMMANDS.includes(cmd) && (rest.includes('--help') || rest.includes('-h'))) { io.out(USAGE); return EXIT.ok; }
  // A design given as a file is user code: the command runs where it can be stopped (cli/sandbox.ts).
  if (runsUserCode(argv)) return runInSandbox(argv, io);
  try {
    switch (cmd) {
      case 'check': return await cmdCheck(rest, io);
      case 'matrix': return await cmdMatrix(rest, io);
      case 'designs': return await cmdDesigns(rest, io);
      case 'scenarios': return await cmdScenarios(rest, io);
      case 'explain': return await cmdExplain(rest, io);
      case 'replay': return await cmdReplay(rest, io);
      case 'render': return await cmdRender(rest, io, kit);
      case 'report': return await cmdReport(rest, io, kit);
      case 'simulate': return await cmdSimulate(rest, io);
      case 'repro': return await cmdRepro(rest, io, kit);
      case 'kernel': return await cmdKernel(rest, io, kit);
      case 'merge': return await cmdMerge(rest, io, kit);
      case 'schema': return await cmdSchema(rest, io);
      case 'help': case '--help': case '-h': io.out(USAGE); return EXIT.ok;
      case 'version': case '--version': case '-V': io.out(versionLine()); return EXIT.ok;
      case undefined: throw new UserError('E_USAGE', 'no command (try: inflight help)');
      default: throw new UserError('E_USAGE', `unknown command '${cmd}' (commands: ${COMMANDS.join(', ')}, help, version)`);
    }
  } catch (e) {
    if (e instanceof UserError) {
      io.err(`inflight: ${e.code}: ${oneLine(e.message)}`);
      // A design that threw during the search: the steps that led to the state where it threw.
      if (e.trace) io.out(`${e.code === 'E_PROPERTY_THROWS' ? 'the property threw at the end of' : 'the design threw on a step from the state reached by'}:\n${renderSteps(e.trace.trace.steps, e.trace.worlds)}`);
      return EXIT.usage;
    }
    // A design's hook threw (during a check, a trace or a replay): the design's fault, not ours.
    if (e instanceof DesignError) { io.err(`inflight: E_DESIGN_THROWS: ${oneLine(e.message)}`); return EXIT.usage; }
    // A user's property threw (in a replay, while a trace was rebuilt): the property's fault.
    if (e instanceof PropertyError) { io.err(`inflight: E_PROPERTY_THROWS: ${oneLine(e.message)}`); return EXIT.usage; }
    throw e;   // a bug in inflight itself: keep the stack
  }
}
