import type { BuiltTrace } from '../traces/build.js';

// User-facing errors: each has a stable code, and the CLI prints it as one line and exits 2.
export type ErrorCode =
  | 'E_USAGE'          // unknown command or option, missing argument
  | 'E_BOUNDS'         // impossible bounds
  | 'E_DESIGN_UNKNOWN' // not a built-in design and not a file
  | 'E_DESIGN_LOAD'    // the design module could not be loaded (syntax error, throws on load)
  | 'E_DESIGN_INVALID' // the module loaded but does not export a valid design
  | 'E_DESIGN_THROWS'  // the design threw during exploration
  | 'E_DESIGN_STUCK'   // the design's code did not return after a stop request (cli/sandbox.ts prints it)
  | 'E_TRACE_READ'     // the trace file cannot be read
  | 'E_TRACE_INVALID'  // the trace file is malformed
  | 'E_PROPERTY_UNKNOWN'
  | 'E_PROPERTIES_LOAD'    // --properties: the file is missing, or its module cannot be loaded
  | 'E_PROPERTIES_INVALID' // the properties of a module or a design: malformed, or a name taken (a built-in's, another's)
  | 'E_PROPERTY_THROWS'    // a user's property threw (or broke a check's contract) during a run
  | 'E_OUTPUT'         // an output file cannot be written
  | 'E_NO_TRACE'       // check --trace-of NAME: NAME's verdict has no trace (it holds, or the witness was not found)
  | 'E_CHECKPOINT'     // a checkpoint cannot be read, is damaged, or was made with other settings
  | 'E_WORKERS'        // --workers: not a whole number from 1 to 64, or combined with an option it does not support
  | 'E_SCENARIO'       // --scenario: unknown, unreadable, malformed, or no such variant
  | 'E_KERNEL'         // the kernel oracle cannot run here (no gcc, the executor failed)
  | 'E_KERNEL_UNSUPPORTED' // kernel: the trace has a step the executor cannot make (io_uring_enter, an fd outside the trace's table)
  | 'E_KERNEL_UNAVAILABLE' // kernel --vm: that kernel is not fetched (npm run kernels) or QEMU is missing
  | 'E_PARTITION'      // --partition / --swarm: not I/N, no JOB_COMPLETION_INDEX, or combined with an option it does not support
  | 'E_MERGE'          // merge: a part file that is unreadable, damaged, of another search, missing or given twice
  | 'E_REPRO_UNSUPPORTED'; // repro: a step of the trace has no honest C reproduction (a resume of no call, an accept the model cannot place; --minimal: a second task)

export class UserError extends Error {
  /** For E_DESIGN_THROWS: the steps that led to the state where the design threw. */
  readonly trace: BuiltTrace | undefined;
  constructor(readonly code: ErrorCode, message: string, extra: { trace?: BuiltTrace } = {}) {
    super(message);
    this.trace = extra.trace;
  }
}

/** One line, whatever the message held. */
export const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();
