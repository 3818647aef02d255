// A scenario fixes each task's program — a litmus test: "T0 does …, T1 does …" — and the checker explores
// every interleaving of those programs with the GC's phases, io-wq workers and ring teardown. Scenarios
// are JSON files (or .ts modules whose default export is the same object), documented in
// scenarios/README.md. Free exploration stays the default; `inflight check --scenario NAME|FILE`.
import * as v from 'valibot';
import { parseStepArgs, syscallActor } from './apply.js';
import { SYSCALLS, type Bounds, type SyscallName } from './bounds.js';
import type { Expectation } from './design.js';
import type { ProgramStep } from './step.js';
import { check, int, map, show, strictObj } from './schema-kit.js';

const NAME = 'the scenario needs a "name" (letters, digits, . _ -)';

export const SCENARIO_FORMAT = 'inflight-scenario/1';

const EXPECTATIONS = ['holds', 'violated', 'found', 'not-found'] as const satisfies readonly Expectation[];
const BOUND_KEYS = ['files', 'fds', 'skbs', 'msgFds', 'reqs', 'depth', 'gc'] as const;
const MAX_TASKS = 6;

// The scenario format, once: resolveScenario below and the published JSON Schema
// (schemas/scenario.schema.json, `inflight schema scenario`) are this schema. `{path}` in a message is the
// field's path (`expect.linux-6.18.no-leak`), filled in by resolveScenario.
const boundInt = v.exactOptional(v.pipe(v.number((iss) => `{path} is ${show(iss.input)}`), v.integer((iss) => `{path} is ${show(iss.input)}`)));
const ScenarioBoundsSchema = v.pipe(strictObj({
  files: boundInt, fds: boundInt, skbs: boundInt, msgFds: boundInt, reqs: boundInt, depth: boundInt,
  gc: v.exactOptional(v.picklist(['phased', 'atomic'], (iss) => `{path} is ${show(iss.input)}`)),
}, '"bounds" must be an object', (k) => `unknown bound '${k}' (known: ${BOUND_KEYS.join(', ')})`),
v.description('bounds the scenario needs (tasks is the number of programs; files, fds, skbs … as needed)'));

const TASK_KEY = v.pipe(v.string(), v.regex(/^T[0-5]$/, `{path}: a program is named T0 … T${MAX_TASKS - 1}`));
const ProgramsSchema = v.pipe(map(TASK_KEY, v.array(v.string("{key}'s program must be a list of lines"), "{key}'s program must be a list of lines"), '"programs" must be an object: { "T0": [lines], … }'),
  v.description('"T0": program lines, "T1": … — T0 runs from the start, T1, T2 … are the children its forks create, in order. A line is `syscall key=value …`: `socketpair type=stream`, `sendmsg fd=4 rights=[3,3]`, `recvmsg fd=5 peek=true`, `close fd=3`'));

const ExpectSchema = v.pipe(map(v.string(), map(v.string(), v.picklist(EXPECTATIONS, `{path} must be one of ${EXPECTATIONS.join(', ')}`), '{path} must be an object'), '"expect" must be an object'),
  v.description('verdicts expected per design: design name → property name → verdict'));

const body = {
  summary: v.exactOptional(v.string('needs a "summary"')),
  bounds: v.exactOptional(ScenarioBoundsSchema),
  programs: v.exactOptional(ProgramsSchema),
  expect: v.exactOptional(ExpectSchema),
};
const VariantSchema = strictObj(body, "variant '{key}' must be an object", (k) => `{path}: a variant has no field '${k}' (it may set summary, bounds, programs, expect)`);

export const ScenarioSchema = v.pipe(strictObj({
  $schema: v.exactOptional(v.string('{path} must be a string')),
  format: v.exactOptional(v.literal(SCENARIO_FORMAT, (iss) => `unsupported scenario format '${String(iss.input).slice(0, 60)}' (this inflight reads ${SCENARIO_FORMAT})`)),
  name: v.pipe(v.string(NAME), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, NAME)),
  ...body,
  source: v.exactOptional(v.pipe(v.string('{path} must be a string'), v.description('where it comes from: a CVE, a commit, a test in liburing or the kernel\'s selftests'))),
  variants: v.exactOptional(v.pipe(map(v.string(), VariantSchema, '"variants" must be an object'), v.minEntries(1, '"variants" is empty'),
    v.description('variants of one litmus test (e.g. dgram, stream): each may replace the summary, programs, bounds and expectations; the first is the default'))),
}, 'a scenario must be an object', (k) => `{path}: a scenario has no field '${k}'`),
v.title('inflight scenario'), v.description('A litmus test: each task\'s program, and the verdicts expected per design (`inflight check --scenario FILE`).'));

/** What a scenario file holds (a .ts module's default export is the same object). */
export type ScenarioSpec = v.InferInput<typeof ScenarioSchema>;

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

/** Checks an untrusted scenario object (by its schema) and picks a variant. Returns the scenario or a
 *  one-line reason. */
export function resolveScenario(raw: unknown, variant?: string): Scenario | string {
  const r = check(ScenarioSchema, raw);
  const named = typeof raw === 'object' && raw !== null && typeof (raw as { name?: unknown }).name === 'string' ? (raw as { name: string }).name : undefined;
  if (!r.ok) {
    const msg = fill(r.message, r.path);
    // The format and the name come first: a file of another format, or without a name, is not a scenario yet.
    return r.path.length === 0 || r.path[0] === 'format' || r.path[0] === 'name' ? msg : `scenario '${named}': ${msg}`;
  }
  const s = r.value;
  const name = s.name;
  const where = (what: string): string => `scenario '${name}': ${what}`;
  let body: typeof s = s;
  let chosen: string | undefined;
  const variants = Object.keys(s.variants ?? {});
  if (s.variants !== undefined) {
    chosen = variant ?? variants[0]!;
    // An own variant only: `--variant __proto__` or `constructor` names no variant, not Object.prototype.
    if (!Object.hasOwn(s.variants, chosen)) return where(`no variant '${chosen}' (variants: ${variants.join(', ')})`);
    body = { ...s, ...s.variants[chosen] };
  } else if (variant !== undefined) {
    return where(`has no variants (asked for '${variant}')`);
  }
  if (body.summary === undefined) return where('needs a "summary"');
  if (body.programs === undefined) return where('"programs" must be an object: { "T0": [lines], … }');
  const keys = Object.keys(body.programs);
  if (keys.length === 0) return where('"programs" is empty');
  const programs: ProgramStep[][] = [];
  for (let t = 0; t < keys.length; t++) {
    const lines = body.programs[`T${t}`];
    if (lines === undefined) return where(`"programs" must name T0 … T${keys.length - 1} (missing T${t})`);
    const steps: ProgramStep[] = [];
    for (let i = 0; i < lines.length; i++) {
      const step = parseProgramLine(lines[i]!);
      if (typeof step === 'string') return where(`T${t} line ${i + 1}: ${step}`);
      steps.push(step);
    }
    programs.push(steps);
  }
  const forks = programs.flat().filter((p) => p.syscall === 'fork').length;
  if (forks < programs.length - 1) return where(`${programs.length} programs but ${forks} fork${forks === 1 ? '' : 's'}: T1 … come from forks`);
  return {
    name, summary: body.summary, bounds: body.bounds ?? {}, programs, expect: body.expect ?? {}, variants,
    ...(chosen !== undefined ? { variant: chosen } : {}),
    ...(s.source !== undefined ? { source: s.source } : {}),
  };
}

/** A message's `{path}` (the field's path, dotted) and `{key}` (its last name). */
function fill(message: string, path: readonly (string | number)[]): string {
  const key = [...path].reverse().find((k) => typeof k === 'string') ?? '';
  return message.replace('{path}', path.map((k) => (typeof k === 'number' ? `[${k}]` : k)).join('.').replace(/\.\[/g, '[')).replace('{key}', String(key));
}

/** The bounds a scenario runs with: the defaults, what the scenario asks for, what the user asked for
 *  (`given`, only the flags actually given); tasks = the number of programs; the GC phased unless said. */
export function scenarioBounds(sc: Scenario, defaults: Bounds, given: Partial<Bounds>): Bounds {
  return { ...defaults, gc: 'phased', oob: true, files: 8, fds: 8, skbs: 4, msgFds: 2, ...sc.bounds, ...given, tasks: sc.programs.length };
}
