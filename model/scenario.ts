// A scenario fixes each task's program — a litmus test: "T0 does …, T1 does …" — and the checker explores
// every interleaving of those programs with the GC's phases, io-wq workers and ring teardown. Scenarios
// are JSON files (or .ts modules whose default export is the same object), documented in
// scenarios/README.md. Free exploration stays the default; `inflight check --scenario NAME|FILE`.
import { parseStepArgs, syscallActor } from './apply.js';
import { SYSCALLS, type Bounds, type SyscallName } from './bounds.js';
import type { Expectation } from './design.js';
import type { ProgramStep } from './step.js';

export const SCENARIO_FORMAT = 'inflight-scenario/1';

/** What a scenario file holds (the untrusted shape is checked by `resolveScenario`). */
export interface ScenarioSpec {
  readonly format?: typeof SCENARIO_FORMAT;
  readonly name: string;
  readonly summary: string;
  /** Where it comes from: a CVE, a commit, a test in liburing or the kernel's selftests. */
  readonly source?: string;
  /** Bounds the scenario needs (tasks is the number of programs; files, fds, skbs … as needed). */
  readonly bounds?: Partial<Omit<Bounds, 'ops' | 'tasks'>>;
  /** "T0": program lines, "T1": … — T0 runs from the start, T1, T2 … are the children its forks create,
   *  in order. A line is `syscall key=value …`: `socketpair type=stream`, `sendmsg fd=4 rights=[3,3]`,
   *  `recvmsg fd=5 peek=true`, `close fd=3`. */
  readonly programs?: Readonly<Record<string, readonly string[]>>;
  /** Verdicts expected per design: design name → property name → verdict. */
  readonly expect?: Readonly<Record<string, Readonly<Record<string, Expectation>>>>;
  /** Variants of one litmus test (e.g. dgram, stream, stream-listener, stream-oob): each may replace the
   *  summary, programs, bounds and expectations. The first is the default. */
  readonly variants?: Readonly<Record<string, Omit<ScenarioSpec, 'name' | 'variants' | 'format' | 'source'>>>;
}

export interface Scenario {
  readonly name: string;
  readonly variant?: string;
  readonly summary: string;
  readonly source?: string;
  readonly bounds: Partial<Omit<Bounds, 'ops' | 'tasks'>>;
  /** programs[t]: task t's program. */
  readonly programs: readonly (readonly ProgramStep[])[];
  readonly expect: Readonly<Record<string, Readonly<Record<string, Expectation>>>>;
  readonly variants: readonly string[];
}

export const defineScenario = (spec: ScenarioSpec): ScenarioSpec => spec;

const EXPECTATIONS: readonly string[] = ['holds', 'violated', 'found', 'not-found'];
const BOUND_KEYS = ['files', 'fds', 'skbs', 'msgFds', 'reqs', 'depth', 'gc'] as const;

/** One program line → a step, or a one-line reason. */
export function parseProgramLine(line: string): ProgramStep | string {
  const words = line.trim().split(/\s+/).filter(Boolean);
  const name = words.shift();
  if (!name) return 'an empty line';
  if (!(SYSCALLS as readonly string[]).includes(name)) return `unknown syscall '${name}'`;
  const syscall = name as SyscallName;
  if (syscallActor(syscall) !== 'task' || syscall === 'resume') return `${name} is not something a task's program calls`;
  const raw: Record<string, unknown> = {};
  for (const w of words) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(w);
    if (!m) return `'${w}' is not key=value`;
    const v = m[2]!;
    if (/^-?\d+$/.test(v)) raw[m[1]!] = Number(v);
    else if (v === 'true' || v === 'false') raw[m[1]!] = v === 'true';
    else if (/^\[(-?\d+(,-?\d+)*)?\]$/.test(v)) raw[m[1]!] = v === '[]' ? [] : v.slice(1, -1).split(',').map(Number);
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(v)) raw[m[1]!] = v;
    else return `cannot read the value of ${m[1]} ('${v}')`;
  }
  const args = parseStepArgs(syscall, raw);
  if (typeof args === 'string') return args;
  return { syscall, args };
}

/** Checks an untrusted scenario object and picks a variant. Returns the scenario or a one-line reason. */
export function resolveScenario(raw: unknown, variant?: string): Scenario | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'a scenario must be an object';
  const s = raw as Record<string, unknown>;
  if (s['format'] !== undefined && s['format'] !== SCENARIO_FORMAT) return `unsupported scenario format '${String(s['format'])}' (this inflight reads ${SCENARIO_FORMAT})`;
  if (typeof s['name'] !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(s['name'])) return 'the scenario needs a "name" (letters, digits, . _ -)';
  const name = s['name'];
  const where = (what: string): string => `scenario '${name}': ${what}`;
  let body: Record<string, unknown> = s;
  let chosen: string | undefined;
  const variants: string[] = [];
  if (s['variants'] !== undefined) {
    if (typeof s['variants'] !== 'object' || s['variants'] === null || Array.isArray(s['variants'])) return where('"variants" must be an object');
    variants.push(...Object.keys(s['variants']));
    if (variants.length === 0) return where('"variants" is empty');
    chosen = variant ?? variants[0]!;
    // An own variant only: `--variant __proto__` or `constructor` names no variant, not Object.prototype.
    const v = Object.hasOwn(s['variants'], chosen) ? (s['variants'] as Record<string, unknown>)[chosen] : undefined;
    if (v === undefined) return where(`no variant '${chosen}' (variants: ${variants.join(', ')})`);
    if (typeof v !== 'object' || v === null) return where(`variant '${chosen}' must be an object`);
    body = { ...s, ...(v as Record<string, unknown>) };
  } else if (variant !== undefined) {
    return where(`has no variants (asked for '${variant}')`);
  }
  if (typeof body['summary'] !== 'string') return where('needs a "summary"');
  const rawPrograms = body['programs'];
  if (typeof rawPrograms !== 'object' || rawPrograms === null || Array.isArray(rawPrograms)) return where('"programs" must be an object: { "T0": [lines], … }');
  const keys = Object.keys(rawPrograms);
  if (keys.length === 0) return where('"programs" is empty');
  if (keys.length > 6) return where('at most 6 tasks');
  const programs: ProgramStep[][] = [];
  for (let t = 0; t < keys.length; t++) {
    const lines = (rawPrograms as Record<string, unknown>)[`T${t}`];
    if (lines === undefined) return where(`"programs" must name T0 … T${keys.length - 1} (missing T${t})`);
    if (!Array.isArray(lines) || lines.some((l) => typeof l !== 'string')) return where(`T${t}'s program must be a list of lines`);
    const steps: ProgramStep[] = [];
    for (let i = 0; i < lines.length; i++) {
      const step = parseProgramLine(lines[i] as string);
      if (typeof step === 'string') return where(`T${t} line ${i + 1}: ${step}`);
      steps.push(step);
    }
    programs.push(steps);
  }
  const forks = programs.flat().filter((p) => p.syscall === 'fork').length;
  if (forks < programs.length - 1) return where(`${programs.length} programs but ${forks} fork${forks === 1 ? '' : 's'}: T1 … come from forks`);
  const bounds: Record<string, unknown> = {};
  if (body['bounds'] !== undefined) {
    if (typeof body['bounds'] !== 'object' || body['bounds'] === null) return where('"bounds" must be an object');
    for (const [k, v] of Object.entries(body['bounds'] as Record<string, unknown>)) {
      if (!(BOUND_KEYS as readonly string[]).includes(k)) return where(`unknown bound '${k}' (known: ${BOUND_KEYS.join(', ')})`);
      if (k === 'gc' ? v !== 'phased' && v !== 'atomic' : !Number.isInteger(v)) return where(`bounds.${k} is ${JSON.stringify(v)}`);
      bounds[k] = v;
    }
  }
  const expect: Record<string, Record<string, Expectation>> = {};
  if (body['expect'] !== undefined) {
    if (typeof body['expect'] !== 'object' || body['expect'] === null) return where('"expect" must be an object');
    for (const [d, props] of Object.entries(body['expect'] as Record<string, unknown>)) {
      if (typeof props !== 'object' || props === null) return where(`expect.${d} must be an object`);
      for (const [p, v] of Object.entries(props as Record<string, unknown>)) {
        if (!EXPECTATIONS.includes(v as string)) return where(`expect.${d}.${p} must be one of ${EXPECTATIONS.join(', ')}`);
      }
      expect[d] = props as Record<string, Expectation>;
    }
  }
  return {
    name, summary: body['summary'], bounds, programs, expect, variants,
    ...(chosen !== undefined ? { variant: chosen } : {}),
    ...(typeof s['source'] === 'string' ? { source: s['source'] } : {}),
  };
}

/** The bounds a scenario runs with: the defaults, what the scenario asks for, what the user asked for
 *  (`given`, only the flags actually given); tasks = the number of programs; the GC phased unless said. */
export function scenarioBounds(sc: Scenario, defaults: Bounds, given: Partial<Bounds>): Bounds {
  return { ...defaults, gc: 'phased', oob: true, files: 8, fds: 8, skbs: 4, msgFds: 2, ...sc.bounds, ...given, tasks: sc.programs.length };
}
