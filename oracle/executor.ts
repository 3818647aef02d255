// The real kernel as oracle (issue 4): compile oracle/executor.c with the system gcc when the
// cached binary is missing or stale, turn traces into its line script, run them (many traces
// through one executor process, strictly one after the other), and read back what the kernel did.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Step } from '../model/step.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const EXECUTOR_SOURCE = join(HERE, 'executor.c');
/** Outside git: node_modules is ignored. */
export const CACHE_DIR = resolve(HERE, '..', 'node_modules', '.cache', 'inflight');

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

export function gccAvailable(): boolean {
  const r = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

export interface Header {
  readonly kernel: string;
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
}
export interface Script {
  readonly name: string;
  readonly tasks: number;
  readonly fds: number;
  readonly steps: readonly ScriptStep[];
  /** Final fate per object id (model FileId): l(ive), r(eleased), g(arbage). */
  readonly fates: readonly ('l' | 'r' | 'g')[];
}

export function stepLine(s: ScriptStep): string {
  const { step } = s;
  const a = step.args as Record<string, unknown>;
  let line: string;
  if (step.task === 'kernel') line = `kernel ${step.syscall}`;
  else {
    const t = step.task;
    switch (step.syscall) {
      case 'close': case 'dup': line = `${t} ${step.syscall} ${a['fd'] as number}`; break;
      case 'io_uring_unregister': line = `${t} io_uring_unregister ${a['fd'] as number}${s.ringObj !== undefined ? ` @${s.ringObj}` : ''}`; break;
      case 'socketpair': line = `${t} socketpair ${a['type'] as string}`; break;
      case 'sendmsg': line = `${t} sendmsg ${a['fd'] as number} ${(a['rights'] as number[]).join(' ')}${a['oob'] === true ? ' oob' : ''}`; break;
      case 'socket': line = `${t} socket ${a['type'] as string}`; break;
      case 'listen': line = `${t} listen ${a['fd'] as number}`; break;
      case 'connect': line = `${t} connect ${a['fd'] as number} ${a['to'] as number}`; break;
      case 'accept': line = `${t} accept ${a['fd'] as number}${s.acceptedObj !== undefined ? ` @${s.acceptedObj}` : ''}`; break;
      // The next sub-step of a call in progress: `resume connect` is a no-op (connect ran whole).
      case 'resume': line = `${t} resume ${String(a['call']).replace(/\(.*$/, '')}`; break;
      case 'recvmsg': line = `${t} recvmsg ${a['fd'] as number} ${a['peek'] === true ? 'peek' : 'nopeek'}`; break;
      case 'io_uring_register': line = `${t} io_uring_register ${a['fd'] as number} ${(a['files'] as number[]).join(' ')}${s.ringObj !== undefined ? ` @${s.ringObj}` : ''}`; break;
      default: line = `${t} ${step.syscall}`;
    }
  }
  if (s.predictedFds.length > 0) line += ` -> ${s.predictedFds.join(' ')}`;
  if (s.awaitReleased.length > 0) line += ` ! ${s.awaitReleased.join(' ')}`;
  return line.replace(/\s+/g, ' ').trim();
}

export function scriptText(scripts: readonly Script[]): string {
  const out: string[] = [];
  for (const s of scripts) {
    out.push(`trace ${s.name.replace(/\s+/g, '_')} ${s.tasks} ${s.fds}`);
    for (const st of s.steps) out.push(stepLine(st));
    out.push(`end ${s.fates.map((f, i) => `${i}=${f}`).join(' ')}`.trim());
  }
  return out.join('\n') + '\n';
}

/** Runs the scripts on this machine's kernel, one after the other, in one executor process. */
export function runOnKernel(scripts: readonly Script[], opts: { timeoutMs?: number } = {}): KernelResult {
  const bin = executorBinary();
  const t0 = Date.now();
  const r = spawnSync(bin, [], { input: scriptText(scripts), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: opts.timeoutMs ?? 600_000 });
  if (r.error) throw new OracleUnavailable(`the executor did not run: ${r.error.message}`);
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  let header: Header | undefined;
  const runs: KernelRun[] = [];
  let cur: KernelRun | undefined;
  for (const l of lines) {
    const o = JSON.parse(l) as Record<string, unknown>;
    if (o['fatal'] !== undefined) throw new OracleUnavailable(`the executor failed: ${String(o['fatal'])}`);
    if (o['header'] === true) header = o as unknown as Header;
    else if (typeof o['trace'] === 'string') { cur = { name: o['trace'], steps: [], objects: [], leftover: [], cleanupGc: 0, cleanupMs: 0, ms: 0 }; runs.push(cur); }
    else if (o['end'] === true && cur) cur.objects = o['objects'] as KernelObject[];
    else if (o['cleanup'] === true && cur) { cur.leftover = o['leftover'] as number[]; cur.cleanupGc = o['gc'] as number; cur.cleanupMs = o['ms'] as number; }
    else if (typeof o['i'] === 'number' && cur) { cur.steps.push(o as KernelStep); cur.ms += (o['ms'] as number | undefined) ?? 0; }
  }
  if (!header) throw new OracleUnavailable(`the executor printed no header (exit ${r.status}; ${(r.stderr ?? '').split('\n')[0]})`);
  if (runs.length !== scripts.length) throw new OracleUnavailable(`the executor stopped after ${runs.length} of ${scripts.length} traces (exit ${r.status}; ${(r.stderr ?? '').split('\n')[0]})`);
  return { header, runs, ms: Date.now() - t0 };
}
