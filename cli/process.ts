// The real process around `main` (bin/inflight.mjs calls runProcess): signals, a closed stdout, the
// terminal's width.
//
// SIGINT / SIGTERM: the search (which gives the event loop a turn every ~50 ms) stops, the partial result
// is printed (verdicts 'bounded', counts, depth reached, a checkpoint if one was asked for) and the status
// is 130. A second SIGINT ends the process at once (what was written stays written: stdout to a pipe or a
// file is written synchronously on Linux).
//
// A closed stdout (`inflight check … | head -1`, or `| tee log` when Ctrl-C killed tee too): Node ignores
// SIGPIPE, so a write fails with EPIPE, emitted as an 'error' event that would end the process with a stack
// trace. Here it ends the output instead: later writes are dropped, a search still running stops as
// interrupted (nobody reads its result), and the status is the command's. When a signal had asked for the
// partial result, one line on stderr says it could not be written.
import { colourWanted } from './colour.js';
import type { Io } from './kit.js';

type Main = (argv: readonly string[], io: Io) => Promise<number>;

/** What runProcess needs of the process (a test gives its own). */
export interface ProcessLike {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  on(signal: 'SIGINT' | 'SIGTERM', f: () => void): unknown;
  exit(code: number): never;
}

/** Is this error a write to a reader that has gone (EPIPE), or a write after the stream ended because of it? */
const readerGone = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
};

export async function runProcess(main: Main, p: ProcessLike = process): Promise<number> {
  let signal: string | undefined;
  let stdoutGone = false;
  let stderrGone = false;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM'): void => {
    if (signal !== undefined && sig === 'SIGINT') p.exit(130);
    signal = sig;
    if (!stderrGone) p.stderr.write(`\ninflight: ${sig}: stopping; the partial result follows (SIGINT again to quit at once)\n`);
  };
  p.on('SIGINT', () => onSignal('SIGINT'));
  p.on('SIGTERM', () => onSignal('SIGTERM'));
  p.stdout.on('error', (e) => {
    if (!readerGone(e)) throw e;
    if (!stdoutGone && signal !== undefined && !stderrGone) {
      p.stderr.write(`inflight: stdout was closed (${(e as { code: string }).code}): the partial result after ${signal} could not be written\n`);
    }
    stdoutGone = true;
  });
  p.stderr.on('error', (e) => {
    if (!readerGone(e)) throw e;
    stderrGone = true;
  });
  return main(p.argv.slice(2), {
    out: (s) => { if (!stdoutGone) p.stdout.write(s.endsWith('\n') ? s : s + '\n'); },
    err: (s) => { if (!stderrGone) p.stderr.write(s.startsWith('\r') || s.endsWith('\n') ? s : s + '\n'); },
    tty: p.stderr.isTTY === true,
    colour: colourWanted(p.env, p.stdout.isTTY === true),
    // Tables are narrowed to the terminal only when stdout is one (in a pipe or a file, only with --width).
    ...(p.stdout.isTTY === true && typeof p.stdout.columns === 'number' && p.stdout.columns > 0 ? { columns: p.stdout.columns } : {}),
    interrupted: () => signal !== undefined || stdoutGone,
  });
}
