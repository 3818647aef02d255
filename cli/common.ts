// What several commands share: the bound and limit options (with their help), reading them, the
// progress line, --scenario and --designs, exit statuses.
import type { Progress } from '../checker/model.js';
import { checkBounds, DEFAULT_BOUNDS, SYSCALLS, type Bounds, type SyscallName } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import type { Scenario } from '../model/scenario.js';
import type { OptionDef } from './command.js';
import { loadDesign } from './designs.js';
import { UserError } from './errors.js';
import type { CliKit, Io, Values } from './kit.js';
import { fmtInt } from './render.js';
import { inapplicableWhy, type Report } from './run.js';
import { defaultMaxMemory, parseSize } from './persist.js';
import { loadScenario } from './scenarios.js';

export const EXIT = { ok: 0, violated: 1, usage: 2, bounded: 3, interrupted: 130 } as const;

const bound = (type: 'string' | 'boolean', help: string, arg?: string): OptionDef => ({ type, help, group: 'bounds', ...(arg ? { arg } : {}) });
const limit = (type: 'string' | 'boolean', help: string, arg?: string): OptionDef => ({ type, help, group: 'search limits', ...(arg ? { arg } : {}) });

/** The bounds of the model (check, matrix, report, simulate). */
export const BOUNDS = {
  tasks: bound('string', `task slots (default ${DEFAULT_BOUNDS.tasks}; fork fills them)`, 'N'),
  files: bound('string', `struct files alive at once (default ${DEFAULT_BOUNDS.files})`, 'N'),
  fds: bound('string', `fd table size per task (default ${DEFAULT_BOUNDS.fds})`, 'N'),
  skbs: bound('string', `skbs per receive queue (default ${DEFAULT_BOUNDS.skbs})`, 'N'),
  'msg-fds': bound('string', `fds per SCM_RIGHTS message / per registration (default ${DEFAULT_BOUNDS.msgFds})`, 'N'),
  reqs: bound('string', `io_uring requests in flight per ring (default ${DEFAULT_BOUNDS.reqs}; 0: no io_uring_enter)`, 'N'),
  addrs: bound('string', `abstract addresses bind may use (default ${DEFAULT_BOUNDS.addrs})`, 'N'),
  oob: bound('boolean', 'explore MSG_OOB sends too (about ten times the states)'),
  gc: bound('string', 'phased: a GC run is a sequence of steps that syscalls race with (default in scenarios);\natomic: one step per run (default in free exploration: far fewer states, no GC races)', 'MODE'),
  depth: bound('string', `steps from the start; 0 = no limit (default ${DEFAULT_BOUNDS.depth})`, 'N'),
  ops: bound('string', `syscalls to explore, or 'all' (${SYSCALLS.join(',')});\ndefault ${DEFAULT_BOUNDS.ops.join(',')}`, 'a,b,...'),
} as const satisfies Record<string, OptionDef>;

/** How far a search may go and how it stores states (check, matrix, report). */
export const LIMITS = {
  'max-states': limit('string', "stop after N distinct states (open verdicts then say 'holds within N steps')", 'N'),
  timeout: limit('string', 'stop after this many seconds', 'SECONDS'),
  'max-memory': limit('string', 'stop when the process uses this much memory (default 3/4 of the machine), e.g. 4G', 'SIZE'),
  exact: limit('boolean', 'whole states instead of 64-bit fingerprints (no collision possible; small runs)'),
  'no-symmetry': limit('boolean', 'do not treat tasks as interchangeable'),
} as const satisfies Record<string, OptionDef>;

export const BOUND_OPTIONS = { ...BOUNDS, ...LIMITS } as const;

/** Options several commands take, with the same words everywhere. */
export const opt = {
  json: (what = 'the result as JSON'): OptionDef => ({ type: 'boolean', help: what }),
  design: (help = 'the design: a built-in name (inflight designs) or your module ./file.ts'): OptionDef => ({ type: 'string', arg: 'NAME|FILE.ts', help }),
  properties: (help = 'properties of your own (export default [always({...}), sometimes({...})] with\ninflight/property), checked after the built-in ones'): OptionDef => ({ type: 'string', arg: 'FILE.ts', help }),
  scenario: (): OptionDef => ({ type: 'string', arg: 'NAME|FILE', help: "a litmus test (inflight scenarios): every interleaving of its programs\ninstead of free exploration" }),
  variant: (): OptionDef => ({ type: 'string', arg: 'V', help: "the scenario's variant" }),
  strict: (): OptionDef => ({ type: 'boolean', help: 'exit 3 when a verdict is bounded: a limit stopped the search first' }),
  full: (help = 'print every fact of each world of a trace, not only what each step changed'): OptionDef => ({ type: 'boolean', help }),
} as const;

export function wholeNumber(v: Values, flag: string): number | undefined {
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

export function boundsFrom(v: Values): Bounds {
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

export function limitsFrom(v: Values) {
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

/** Where the level a progress report is in started (the progress line's memory between reports). */
export interface LevelStart { readonly depth: number; readonly done: number; readonly seconds: number }

const duration = (s: number): string => (s < 90 ? `${Math.max(1, Math.round(s))} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/** The progress line (without the leading `\r\x1b[K`): the counts, the level being expanded and how far
 *  through it, and estimates where they can be made: the time left in the level (from the rate since the
 *  level started, once it has run a second and 1% of it is done), and the size of the next level (the states
 *  found for it so far, scaled to the whole level). `since`: where this level started, if seen. */
export function progressText(label: string, p: Progress, since?: LevelStart): string {
  let level = '';
  if (p.levelSize !== undefined && p.levelDone !== undefined && p.levelSize > 0) {
    const done = Math.min(p.levelDone, p.levelSize);
    const pct = Math.floor((100 * done) / p.levelSize);
    const est: string[] = [];
    if (since && since.depth === p.depth && done > since.done && p.seconds - since.seconds >= 1 && done * 100 >= p.levelSize) {
      const rate = (done - since.done) / (p.seconds - since.seconds);
      est.push(`~${duration((p.levelSize - done) / rate)} left in it`);
    }
    if (p.nextLevel !== undefined && done > 0 && done * 100 >= p.levelSize) est.push(`next level ~${fmtInt(Math.round((p.nextLevel * p.levelSize) / done))} states`);
    level = `: ${fmtInt(done)} of ${fmtInt(p.levelSize)} expanded (${pct}%${est.length ? `, ${est.join(', ')}` : ''})`;
  }
  return `${label}: ${fmtInt(p.distinct)} distinct, ${fmtInt(p.generated)} generated, depth ${p.depth}${level}, ` +
    `queue ${fmtInt(p.queue)}, ${fmtInt(Math.round(p.distinct / Math.max(p.seconds, 1e-9)))} states/s, ${p.seconds.toFixed(1)} s`;
}

export function progressLine(io: Io, enabled: boolean, label: string): { onProgress?: (p: Progress) => void } {
  if (!enabled) return {};
  let since: LevelStart | undefined;
  return {
    onProgress: (p: Progress) => {
      const text = progressText(label, p, since);
      if (since?.depth !== p.depth) since = { depth: p.depth, done: p.levelDone ?? 0, seconds: p.seconds };
      io.err(`\r\x1b[K${text}`);
    },
  };
}
export const clearLine = (io: Io, enabled: boolean): void => { if (enabled) io.err('\r\x1b[K'); };

export const anyBounded = (r: Report): boolean => [...r.properties, ...r.witnesses].some((v) => v.status === 'bounded' && inapplicableWhy(r, v) === undefined);

/** `strict`: a verdict left bounded (a limit stopped the search) is not a pass. */
export const exitFor = (r: Report, strict: boolean): number =>
  r.properties.some((p) => p.status === 'violated') ? EXIT.violated : r.stop === 'interrupted' ? EXIT.interrupted
    : strict && anyBounded(r) ? EXIT.bounded : EXIT.ok;

/** --scenario / --variant, if given. */
export async function scenarioFrom(v: Values): Promise<Scenario | undefined> {
  const variant = typeof v['variant'] === 'string' ? v['variant'] : undefined;
  if (typeof v['scenario'] !== 'string') {
    if (variant !== undefined) throw new UserError('E_USAGE', '--variant goes with --scenario');
    return undefined;
  }
  return loadScenario(v['scenario'], variant);
}

/** Only the bound flags the user gave (a scenario's own bounds fill the rest). */
export function givenBounds(v: Values): Partial<Bounds> {
  const out: Record<string, unknown> = {};
  for (const [flag, key] of [['files', 'files'], ['fds', 'fds'], ['skbs', 'skbs'], ['msg-fds', 'msgFds'], ['reqs', 'reqs'], ['addrs', 'addrs'], ['depth', 'depth']] as const) {
    const n = wholeNumber(v, flag);
    if (n !== undefined) out[key] = n;
  }
  if (v['gc'] !== undefined) out['gc'] = gcFlag(v);
  if (v['oob'] === true) out['oob'] = true;
  if (v['tasks'] !== undefined) throw new UserError('E_BOUNDS', '--tasks cannot go with --scenario: the scenario has one task per program');
  if (v['ops'] !== undefined) throw new UserError('E_BOUNDS', '--ops cannot go with --scenario: the programs say what the tasks call');
  return out as Partial<Bounds>;
}

/** --designs a,b,./mine.ts (matrix, scenarios --matrix, report): the designs named, in order; undefined if absent. */
export async function designsOfFlag(flag: unknown): Promise<Design[] | undefined> {
  if (typeof flag !== 'string') return undefined;
  const names = flag.split(',').map((x) => x.trim()).filter(Boolean);
  if (names.length === 0) throw new UserError('E_USAGE', '--designs names no design');
  const out: Design[] = [];
  for (const n of names) out.push(await loadDesign(n));
  return out;
}

export const kit: CliKit = { boundOptions: BOUND_OPTIONS, boundsFrom, limitsFrom, progressLine, clearLine };
