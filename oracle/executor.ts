// The real kernel as oracle (issue 4): compile oracle/executor.c with the system gcc when the
// cached binary is missing or stale, turn traces into its line script, run them (many traces
// through one executor process, strictly one after the other), and read back what the kernel did.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Step } from '../model/step.js';
import { FD_BASE } from '../model/world.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const EXECUTOR_SOURCE = join(HERE, 'executor.c');
/** Outside git: node_modules is ignored. The package's own node_modules, from the sources or compiled
 *  (dist/oracle/executor.js, one level further down). */
export const CACHE_DIR = resolve(HERE, ...(import.meta.url.endsWith('.ts') ? ['..'] : ['..', '..']), 'node_modules', '.cache', 'inflight');

export class OracleUnavailable extends Error {}

/** The executor binary, built now if the cache has none for this source (the name carries the
 *  source's hash, so an edited executor.c is rebuilt). Throws OracleUnavailable without gcc. */
export function executorBinary(): string {
  const src = readFileSync(EXECUTOR_SOURCE);
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const bin = join(CACHE_DIR, `executor-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  // Static, so that the exec step's new image opens no fd (the loader would, at the lowest free one).
  let r = spawnSync('gcc', ['-O2', '-static', '-o', tmp, EXECUTOR_SOURCE], { encoding: 'utf8' });
  if (r.error) throw new OracleUnavailable(`gcc is not available (${r.error.message})`);
  if (r.status !== 0) {
    r = spawnSync('gcc', ['-O2', '-o', tmp, EXECUTOR_SOURCE], { encoding: 'utf8' });
    if (r.status !== 0) { rmSync(tmp, { force: true }); throw new OracleUnavailable(`gcc could not build oracle/executor.c: ${(r.stderr ?? '').split('\n')[0]}`); }
  }
  renameSync(tmp, bin);
  // Binaries of older sources are of no further use.
  for (const f of readdirSync(CACHE_DIR)) if (/^executor-[0-9a-f]{16}$/.test(f) && join(CACHE_DIR, f) !== bin) rmSync(join(CACHE_DIR, f), { force: true });
  return bin;
}

/** The executor linked statically (a VM's /init has no loader or libc): built now if not cached.
 *  Throws OracleUnavailable without gcc or glibc's static libraries. */
export function staticExecutorBinary(): string {
  const src = readFileSync(EXECUTOR_SOURCE);
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const bin = join(CACHE_DIR, `executor-static-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = spawnSync('gcc', ['-O2', '-static', '-o', tmp, EXECUTOR_SOURCE], { encoding: 'utf8' });
  if (r.error) throw new OracleUnavailable(`gcc is not available (${r.error.message})`);
  if (r.status !== 0) { rmSync(tmp, { force: true }); throw new OracleUnavailable(`gcc -static could not build oracle/executor.c (glibc's static libraries missing?): ${(r.stderr ?? '').split('\n')[0]}`); }
  renameSync(tmp, bin);
  for (const f of readdirSync(CACHE_DIR)) if (/^executor-static-[0-9a-f]{16}$/.test(f) && join(CACHE_DIR, f) !== bin) rmSync(join(CACHE_DIR, f), { force: true });
  return bin;
}

export function gccAvailable(): boolean {
  const r = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

export interface Header {
  readonly kernel: string;
  /** uname's version string (Debian's carries the package version: "#1 SMP ... Debian 6.1.170-3"). */
  readonly version?: string;
  /** The executor ran as /init of a QEMU guest (oracle/vm). */
  readonly vm?: boolean;
  /** `unsupported` when io_uring_setup is refused (EPERM, ENOSYS): io_uring steps are then not compared. */
  readonly io_uring: 'ok' | 'unsupported';
  readonly io_uring_errno?: string;
  /** kernel.io_uring_disabled, or -1 when unreadable. */
  readonly io_uring_disabled: number;
  readonly uid: number;
}

/** What the kernel did at one step. `rel`: objects seen released right after it. */
export interface KernelStep {
  readonly ret?: number;
  readonly errno?: string;
  readonly fds?: readonly number[];
  readonly ctrunc?: boolean;
  readonly rel?: readonly number[];
  readonly unsupported?: boolean;
  readonly error?: string;
  readonly gc_completed?: boolean;
  readonly gc_ms?: number;
  readonly ms?: number;
}
export type ObservedState = 'live' | 'released' | 'unobserved';
export interface KernelObject { readonly id: number; readonly kind: 'regular' | 'unix' | 'io_uring'; readonly state: ObservedState }
export interface KernelRun {
  readonly name: string;
  readonly steps: KernelStep[];
  objects: KernelObject[];
  leftover: number[];
  /** The cleanup after the run: GC runs needed to drain its garbage, and its time. */
  cleanupGc: number;
  cleanupMs: number;
  /** Wall time of the run, from the executor's step timings (diagnostic). */
  ms: number;
}
export interface KernelResult { readonly header: Header; readonly runs: KernelRun[]; readonly ms: number }

/** One step of a script: the model's step plus its predictions (fd numbers to bind, objects the
 *  model releases at this step, for the executor to wait for). */
export interface ScriptStep {
  readonly step: Step;
  readonly predictedFds: readonly number[];
  /** Objects the model releases at this step, and rings whose registrations it drops (the executor
   *  waits for their teardown canary). */
  readonly awaitReleased: readonly number[];
  /** For io_uring_register/unregister: the ring's object id (registering adds a teardown canary). */
  readonly ringObj?: number;
  /** For accept: the object id of the embryo the model accepted (it becomes observable). */
  readonly acceptedObj?: number;
  /** For io_uring_update: the update may drop registered files, so the executor waits until the puts it
   *  queued have run (6.1 defers them by a second) before the next step. */
  readonly flush?: boolean;
  /** For io_uring_enter: the SQE the model's request maps to (oracle/compare.ts enterOp). */
  readonly enterOp?: EnterOp;
}
/** io_uring_enter's SQE: IORING_OP_READ, IORING_OP_RECV, or IORING_OP_POLL_ADD (a read of a ring). */
export type EnterOp = 'read' | 'recv' | 'poll';
export interface Script {
  readonly name: string;
  readonly tasks: number;
  readonly fds: number;
  readonly steps: readonly ScriptStep[];
  /** Final fate per object id (model FileId): l(ive), r(eleased), g(arbage). */
  readonly fates: readonly ('l' | 'r' | 'g')[];
}

/** The executor's limits (oracle/executor.c): task slots, objects, fds in one message or registration. */
export const EXECUTOR_MAX_TASKS = 8;
const MAX_OBJ = 512;
/** The largest io_uring_update offset the executor takes (oracle/executor.c MAX_UPDATE_OFFSET). */
const MAX_UPDATE_OFFSET = 1024;
const SCM_MAX = 253;
/** The largest fixed slot io_uring_enter takes (oracle/executor.c check_ring_enter). */
const MAX_ENTER_SLOT = 598;

/** Why a step's fds cannot go to the executor, or undefined: every fd of the step (its fd, connect's
 *  peer, the rights or files it passes) must be a whole number from 3 to one past the trace's fd table
 *  (3 .. 3+fds: the worker's RLIMIT_NOFILE is the table, so the one past it is the kernel's EBADF, as the
 *  model's). Anything else (600 is the executor's command pipe, 1e21 would be read as 1, 0..2 are the
 *  worker's stdio, not the model's) is refused before it reaches the executor. */
export function fdsOutsideTable(step: Step, fds: number): string | undefined {
  const a = step.args as Record<string, unknown>;
  // io_uring_update's -1 clears a slot: not an fd.
  const entries = ((a['rights'] ?? a['files'] ?? []) as unknown[]).filter((x) => !(step.syscall === 'io_uring_update' && x === -1));
  const list = [a['fd'], a['to'], ...entries].filter((x) => x !== undefined);
  const bad = list.find((x) => !(Number.isSafeInteger(x) && (x as number) >= FD_BASE && (x as number) <= FD_BASE + fds));
  if (bad !== undefined) return `fd ${String(bad)} is outside the trace's fd table (${FD_BASE}..${FD_BASE + fds - 1}, and ${FD_BASE + fds} just past it)`;
  if (step.syscall === 'io_uring_enter') {
    const t = a['target'];
    const ok = a['fixed'] === true ? Number.isSafeInteger(t) && (t as number) >= 0 && (t as number) <= MAX_ENTER_SLOT
      : Number.isSafeInteger(t) && (t as number) >= FD_BASE && (t as number) <= FD_BASE + fds;
    if (!ok) return a['fixed'] === true ? `its slot ${String(t)} is not one the executor takes (0..${MAX_ENTER_SLOT})` : `fd ${String(t)} is outside the trace's fd table (${FD_BASE}..${FD_BASE + fds - 1}, and ${FD_BASE + fds} just past it)`;
  }
  const n = ((a['rights'] ?? a['files'] ?? []) as unknown[]).length;
  if (n > SCM_MAX) return `it passes ${n} fds, more than the executor sends in one call (${SCM_MAX}, SCM_MAX_FD)`;
  if (step.syscall === 'io_uring_update' && !(Number.isSafeInteger(a['offset']) && (a['offset'] as number) >= 0 && (a['offset'] as number) <= MAX_UPDATE_OFFSET)) {
    return `its offset ${String(a['offset'])} is not one the executor takes (0..${MAX_UPDATE_OFFSET})`;
  }
  return undefined;
}

/** A number for the script: a whole number in [lo, hi], or an internal error (the caller checked it). */
function num(x: unknown, lo: number, hi: number, what: string): string {
  if (!Number.isSafeInteger(x) || (x as number) < lo || (x as number) > hi) throw new Error(`internal: ${what} ${String(x)} is not a number the executor takes`);
  return String(x);
}

/** One step as a script line: numbers checked, words from fixed sets; no text of the trace goes in. */
export function stepLine(s: ScriptStep, fds: number): string {
  const { step } = s;
  const a = step.args as Record<string, unknown>;
  const fd = (x: unknown): string => num(x, FD_BASE, FD_BASE + fds, 'fd');
  const obj = (x: number | undefined): string => (x === undefined ? '' : ` @${num(x, 0, MAX_OBJ - 1, 'object')}`);
  const type = (): string => (a['type'] === 'stream' ? 'stream' : 'dgram');
  const why = fdsOutsideTable(step, fds);
  if (why) throw new Error(`internal: ${why}`);
  const words: string[] = [];
  if (step.task === 'kernel') words.push('kernel', step.syscall);
  else {
    words.push(num(step.task, 0, EXECUTOR_MAX_TASKS - 1, 'task'));
    switch (step.syscall) {
      case 'close': case 'dup': case 'listen': words.push(step.syscall, fd(a['fd'])); break;
      case 'io_uring_unregister': words.push('io_uring_unregister', fd(a['fd']) + obj(s.ringObj)); break;
      case 'socketpair': case 'socket': words.push(step.syscall, type()); break;
      case 'sendmsg': words.push('sendmsg', fd(a['fd']), ...(a['rights'] as unknown[]).map(fd), ...(a['oob'] === true ? ['oob'] : [])); break;
      case 'connect': words.push('connect', fd(a['fd']), fd(a['to'])); break;
      case 'accept': words.push('accept', fd(a['fd']) + obj(s.acceptedObj)); break;
      // The next sub-step of a call in progress: `resume connect` is a no-op (connect ran whole).
      case 'resume': {
        const call = /^(connect|recvmsg)\(/.exec(String(a['call']))?.[1];
        if (!call) throw new Error('internal: a resume of a call the executor does not know');
        words.push('resume', call);
        break;
      }
      case 'recvmsg': words.push('recvmsg', fd(a['fd']), a['peek'] === true ? 'peek' : 'nopeek'); break;
      case 'io_uring_register': words.push('io_uring_register', fd(a['fd']), ...(a['files'] as unknown[]).map(fd)); if (s.ringObj !== undefined) words.push(obj(s.ringObj).trim()); break;
      case 'io_uring_update':
        words.push('io_uring_update', fd(a['fd']), `o${num(a['offset'], 0, MAX_UPDATE_OFFSET, 'offset')}`, ...(a['files'] as unknown[]).map((x) => (x === -1 ? '-1' : fd(x))));
        if (s.ringObj !== undefined) words.push(obj(s.ringObj).trim());
        if (s.flush === true) words.push('flush');
        break;
      case 'io_uring_enter': {
        const fixed = a['fixed'] === true;
        words.push('io_uring_enter', fd(a['fd']), s.enterOp ?? (a['op'] === 'recv' ? 'recv' : 'read'), fixed ? 'fixed' : 'plain', fixed ? num(a['target'], 0, MAX_ENTER_SLOT, 'slot') : fd(a['target']));
        break;
      }
      case 'open': case 'fork': case 'exit': case 'exec': case 'io_uring_setup': words.push(step.syscall); break;
      case 'setsockopt': words.push('setsockopt', fd(a['fd']), a['val'] === 0 ? 'off' : 'on'); break;
      default: throw new Error(`internal: the executor does not make ${step.syscall}`);
    }
  }
  if (s.predictedFds.length > 0) words.push('->', ...s.predictedFds.map((x) => num(x, 0, 598, 'predicted fd')));
  if (s.awaitReleased.length > 0) words.push('!', ...s.awaitReleased.map((x) => num(x, 0, MAX_OBJ - 1, 'object')));
  return words.join(' ');
}

/** The script for the executor. A trace is named by its index (the executor prints nothing of the script
 *  back); runOnKernel gives each run its script's name. */
export function scriptText(scripts: readonly Script[]): string {
  const out: string[] = [];
  scripts.forEach((s, i) => {
    out.push(`trace ${i} ${num(s.tasks, 1, EXECUTOR_MAX_TASKS, 'tasks')} ${num(s.fds, 1, 595, 'fds')}`);
    for (const st of s.steps) out.push(stepLine(st, s.fds));
    out.push(`end ${s.fates.map((f, i) => `${num(i, 0, MAX_OBJ - 1, 'object')}=${f}`).join(' ')}`.trim());
  });
  return out.join('\n') + '\n';
}

/** One line of the executor's output as an object; a line that is not one is the executor's failure. */
function parseLine(l: string, n: number): Record<string, unknown> {
  let o: unknown;
  try { o = JSON.parse(l); } catch {
    throw new OracleUnavailable(`the executor's output line ${n} is not JSON: ${oneLineText(l).slice(0, 80)}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new OracleUnavailable(`the executor's output line ${n} is not a JSON object`);
  return o as Record<string, unknown>;
}

function checkHeader(o: Record<string, unknown>, n: number): Header {
  if (typeof o['kernel'] !== 'string' || (o['io_uring'] !== 'ok' && o['io_uring'] !== 'unsupported') || typeof o['uid'] !== 'number' || typeof o['io_uring_disabled'] !== 'number') {
    throw new OracleUnavailable(`the executor's header (line ${n}) is not one`);
  }
  return o as unknown as Header;
}

const oneLineText = (x: unknown): string => String(x).replace(/[\x00-\x1f\x7f]+/g, ' ').trim();

/** Runs the scripts on this machine's kernel, one after the other, in one executor process. */
export function runOnKernel(scripts: readonly Script[], opts: { timeoutMs?: number } = {}): KernelResult {
  const bin = executorBinary();
  const t0 = Date.now();
  const r = spawnSync(bin, [], { input: scriptText(scripts), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: opts.timeoutMs ?? 600_000 });
  if (r.error) throw new OracleUnavailable(`the executor did not run: ${r.error.message}`);
  return parseExecutorOutput(r.stdout, scripts, `exit ${r.status}; ${(r.stderr ?? '').split('\n')[0]}`, t0);
}

/** The executor's JSON lines as runs of the scripts; `how` says how it ended (for the errors). */
export function parseExecutorOutput(stdout: string, scripts: readonly Script[], how: string, t0: number): KernelResult {
  const lines = stdout.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  let header: Header | undefined;
  const runs: KernelRun[] = [];
  let cur: KernelRun | undefined;
  for (const [n, l] of lines.entries()) {
    const o = parseLine(l, n + 1);
    if (o['fatal'] !== undefined) throw new OracleUnavailable(`the executor refused or failed: ${oneLineText(o['fatal'])}`);
    if (o['header'] === true) header = checkHeader(o, n + 1);
    else if (o['trace'] !== undefined) {
      // The executor names a trace by its index in the script; anything else is not a reply to this script.
      if (o['trace'] !== runs.length || runs.length >= scripts.length) throw new OracleUnavailable(`the executor's line ${n + 1} starts trace ${oneLineText(o['trace'])} where trace ${runs.length} was due`);
      cur = { name: scripts[runs.length]!.name, steps: [], objects: [], leftover: [], cleanupGc: 0, cleanupMs: 0, ms: 0 };
      runs.push(cur);
    }
    else if (o['end'] === true && cur) cur.objects = o['objects'] as KernelObject[];
    else if (o['cleanup'] === true && cur) { cur.leftover = o['leftover'] as number[]; cur.cleanupGc = o['gc'] as number; cur.cleanupMs = o['ms'] as number; }
    else if (typeof o['i'] === 'number' && cur) { cur.steps.push(o as KernelStep); cur.ms += (o['ms'] as number | undefined) ?? 0; }
  }
  if (!header) throw new OracleUnavailable(`the executor printed no header (${how})`);
  if (runs.length !== scripts.length) throw new OracleUnavailable(`the executor stopped after ${runs.length} of ${scripts.length} traces (${how})`);
  return { header, runs, ms: Date.now() - t0 };
}
