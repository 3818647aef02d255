// A command that runs user code (a design given as a file) runs in a worker thread, the sandbox, so that
// the design cannot hold the process: a loop in the module's top level or in a hook keeps a thread busy,
// and JavaScript signal handlers and timers run only when the thread's event loop gets a turn. Here, the
// main thread keeps its event loop: it forwards the command's output, passes SIGINT/SIGTERM on as the
// sandbox's `interrupted()` (the search stops and prints its partial result exactly as without a sandbox),
// and watches. When a stop was asked for (a signal, or `--timeout` seconds passed) and, three seconds later,
// the sandbox is still inside one call of user code that has not returned (cli/usercode.ts marks every
// entry), the sandbox is terminated and the design is named in one line, E_DESIGN_STUCK.
//
// Built-in designs do not come here: their code is ours, and a worker costs a few hundred milliseconds of
// start-up (tsx and the CLI loaded again) on every command.
import { Worker } from 'node:worker_threads';
import type { Io } from './kit.js';
import { looksLikePath } from './designs.js';
import { S_ACTIVE, S_ENTRIES, S_WHERE, slotWord, SLOTS, W_STOP, W_WORDS, WHERE_LOADING, WHERE_READING, type Announcement } from './usercode.js';

/** Messages from the sandbox worker (cli/sandbox-worker.ts). */
export type FromSandbox =
  | { readonly kind: 'out'; readonly text: string }
  | { readonly kind: 'err'; readonly text: string }
  | { readonly kind: 'announce'; readonly a: Announcement }
  | { readonly kind: 'done'; readonly code: number }
  | { readonly kind: 'crash'; readonly stack: string };

export interface SandboxData {
  readonly argv: readonly string[];
  readonly tty: boolean;
  readonly colour: boolean;
  readonly columns?: number;
  readonly watch: SharedArrayBuffer;
}

// From the sources the thread registers tsx first (sandbox-entry.mjs); compiled (dist/), it starts as it is.
const ENTRY = import.meta.url.endsWith('.ts') ? new URL('./sandbox-entry.mjs', import.meta.url) : new URL('./sandbox-worker.js', import.meta.url);
/** How long after a stop request a call into user code may go on before it is taken for stuck. A call
 *  of a sane design takes microseconds; the margin is for a machine so loaded that a thread waits seconds
 *  for a core (the watchdog sees wall time, not the thread's CPU time). */
const GRACE_MS = 3000;
const TICK_MS = 50;

let inSandbox = false;
/** Called by the sandbox worker: commands run there do not start another sandbox. */
export function markSandboxed(): void { inSandbox = true; }

/** The values of an option in argv (`--x V` and `--x=V`). */
function optionValues(argv: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === `--${name}` && i + 1 < argv.length) out.push(argv[++i]!);
    else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3));
  }
  return out;
}

/** Does this command line load user code (a design or scenario module given by path)? */
export function runsUserCode(argv: readonly string[]): boolean {
  if (inSandbox) return false;
  const designs = [...optionValues(argv, 'design'), ...optionValues(argv, 'designs').flatMap((v) => v.split(','))];
  // A scenario (or a properties file) may be a module too (JSON is data, not code).
  const modules = [...optionValues(argv, 'scenario'), ...optionValues(argv, 'properties')];
  return designs.some((d) => looksLikePath(d.trim())) || modules.some((s) => /\.[cm]?[jt]s$/.test(s));
}

/** `--timeout N` as the command will read it (the last one), in seconds; undefined if absent or bad. */
function timeoutOf(argv: readonly string[]): number | undefined {
  const v = optionValues(argv, 'timeout').at(-1);
  return v !== undefined && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined;
}

/** Runs `main(argv)` in the sandbox; resolves with its exit status. */
export function runInSandbox(argv: readonly string[], io: Io): Promise<number> {
  const watch = new SharedArrayBuffer(4 * W_WORDS);
  const words = new Int32Array(watch);
  const data: SandboxData = { argv, tty: io.tty === true, colour: io.colour === true, ...(io.columns !== undefined ? { columns: io.columns } : {}), watch };
  const worker = new Worker(ENTRY, { workerData: data, stdout: false, stderr: false });
  const timeout = timeoutOf(argv);
  const started = Date.now();
  /** The module being loaded, or the last design loaded. */
  let known: Announcement | undefined;
  /** Every function of every design loaded, by its `where` number. */
  const functions = new Map<number, { design: string; fn: string }>();
  let stopAsked: { at: number; why: string } | undefined;
  const lastEntries = new Int32Array(SLOTS).fill(-1);
  const since = new Float64Array(SLOTS);

  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      f();
    };
    const stuck = (slot: number): void => {
      const where = Atomics.load(words, slotWord(slot, S_WHERE));
      void worker.terminate();
      finish(() => {
        const fn = functions.get(where);
        const what = fn !== undefined ? `${fn.design} did not return from ${fn.fn.replace(/^export default\./, '')}` : `${who(known)} did not return ${fromWhere(where)}`;
        io.err(line(`inflight: E_DESIGN_STUCK: ${what} (stopped ${stopAsked!.why})`));
        resolve(2);
      });
    };
    const timer = setInterval(() => {
      const now = Date.now();
      // A signal reaches the command's search whenever it comes (even after --timeout passed).
      if (Atomics.load(words, W_STOP) === 0 && io.interrupted?.()) {
        Atomics.store(words, W_STOP, 1);
        stopAsked ??= { at: now, why: 'on SIGINT/SIGTERM' };
      }
      if (stopAsked === undefined && timeout !== undefined && now - started >= timeout * 1000) stopAsked = { at: now, why: `at --timeout ${timeout}` };
      if (stopAsked === undefined) return;
      // Stuck: a thread inside user code, where no new call began for GRACE_MS since the stop was asked.
      for (let slot = 0; slot < SLOTS; slot++) {
        const entries = Atomics.load(words, slotWord(slot, S_ENTRIES));
        if (entries !== lastEntries[slot]) { lastEntries[slot] = entries; since[slot] = now; continue; }
        if (now - Math.max(stopAsked.at, since[slot]!) >= GRACE_MS && Atomics.load(words, slotWord(slot, S_ACTIVE)) > 0) { stuck(slot); return; }
      }
    }, TICK_MS);
    worker.on('message', (m: FromSandbox) => {
      if (m.kind === 'out') io.out(m.text);
      else if (m.kind === 'err') io.err(m.text);
      else if (m.kind === 'announce') {
        known = m.a;
        m.a.functions?.forEach((fn, i) => functions.set(m.a.firstWhere! + i, { design: who(m.a), fn }));
      }
      else if (m.kind === 'done') finish(() => { void worker.terminate(); resolve(m.code); });   // the design's timers may keep it alive
      else finish(() => { const e = new Error('inflight crashed in the sandbox'); e.stack = m.stack; reject(e); });
    });
    // Outside any command's own error handling: an unhandled rejection or an exception from a timer the
    // design set, or the thread out of memory. The design's doing (only user code is in this thread
    // without the command's try), said in one line.
    worker.on('error', (e) => finish(() => {
      io.err(line(`inflight: E_DESIGN_THROWS: ${who(known)} failed outside its hooks (a timer or a promise of its own?): ${oneLineOf(e)}`));
      resolve(2);
    }));
    worker.on('exit', (code) => finish(() => {
      // The thread ended without an answer: the design called process.exit, or the module's top level
      // awaits something that never settles (the thread's event loop ran dry).
      const loading = Atomics.load(words, slotWord(0, S_WHERE)) === WHERE_LOADING && Atomics.load(words, slotWord(0, S_ACTIVE)) > 0;
      io.err(line(`inflight: E_DESIGN_LOAD: ${who(known)} ended the run without a result ${loading ? 'while loading' : 'after loading'} ` +
        `(exit code ${code}: process.exit in the design, or a top-level await that never settles)`));
      resolve(2);
    }));
  });
}

const oneLineOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ').slice(0, 300);
/** A design's name or file may hold any character: the message stays one line. */
const line = (s: string): string => s.replace(/[\u0000-\u001f\u007f]+/g, ' ');

/** "design 'x' (./x.ts)", or the module's file while it loads. */
const who = (a: Announcement | undefined): string =>
  a?.design !== undefined ? `design '${a.design}' (${a.file})` : a !== undefined ? `the module ${a.file}` : 'the module';

/** Where the module being loaded hung. */
function fromWhere(where: number): string {
  if (where === WHERE_LOADING) return 'from loading (its top level)';
  if (where === WHERE_READING) return 'while its export was read (a getter or a Proxy)';
  return 'from its code';
}
