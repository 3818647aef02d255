// The command line. `main` takes argv and an output sink and returns the exit status, so that tests
// run it in-process; bin/inflight.mjs wires it to the real process (cli/process.ts). Each command is a
// module of cli/commands/ with its own options, help and examples; this file dispatches.
//   0  no property violated (within the bounds)     1  a property is violated
//      (matrix: 0 when every verdict is the one its design expects, 1 when one is not)
//   2  usage or input error (one line on stderr)     130  interrupted (SIGINT) before a violation
//   3  with --strict: nothing violated, but a verdict is bounded (a limit stopped the search)
import { builtinDesigns } from '../model/designs/index.js';
import { DesignError } from '../model/design.js';
import { PropertyError } from '../properties/user.js';
import { renderSteps } from '../traces/text.js';
import { commandHelp, parseFor, type Command } from './command.js';
import { COMMANDS, commandNamed } from './commands/index.js';
import { EXIT } from './common.js';
import { oneLine, UserError } from './errors.js';
import type { Io } from './kit.js';
import { packageJson } from './package-json.js';
import { runInSandbox, runsUserCode } from './sandbox.js';

export type { Io } from './kit.js';
export { EXIT } from './common.js';

/** `inflight --help`: the commands with their summaries. */
function overview(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: inflight <command> [options]   (inflight --version: the version)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    "inflight <command> --help (or inflight help <command>): the command's usage, options and examples.",
    '',
    'exit status: 0 nothing violated, 1 a property violated, 2 usage or input error, 3 with --strict: a verdict',
    '             is bounded, 130 interrupted',
  ].join('\n');
}

/** `inflight --version`: the package's version and what it models (the newest built-in design). */
function versionLine(): string {
  // package.json from the sources or from dist/ (cli/package-json.ts knows where it is in each).
  const pkg = packageJson() as { name: string; version: string };
  return `inflight ${pkg.version} (package ${pkg.name}; ${builtinDesigns.length} built-in designs, newest ${builtinDesigns[builtinDesigns.length - 1]!.name}; node ${process.versions.node})`;
}

/** Before `--` only: after it, `--help` is an argument. */
const asksHelp = (args: readonly string[]): boolean => {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

const unknown = (cmd: string): UserError =>
  new UserError('E_USAGE', `unknown command '${cmd}' (commands: ${COMMANDS.map((c) => c.name).join(', ')}, help, version)`);

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  const command: Command | undefined = cmd === undefined ? undefined : commandNamed(cmd);
  try {
    // `inflight check --help`, `inflight help check`: that command's usage, options and examples.
    if (command && asksHelp(rest)) { io.out(commandHelp(command)); return EXIT.ok; }
    if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
      if (rest.length === 0) { io.out(overview()); return EXIT.ok; }
      const named = commandNamed(rest[0]!);
      if (!named || rest.length > 1) throw rest.length > 1 ? new UserError('E_USAGE', 'help takes one command: inflight help <command>') : unknown(rest[0]!);
      io.out(commandHelp(named));
      return EXIT.ok;
    }
    if (cmd === 'version' || cmd === '--version' || cmd === '-V') { io.out(versionLine()); return EXIT.ok; }
    if (cmd === undefined) throw new UserError('E_USAGE', 'no command (try: inflight help)');
    if (!command) throw unknown(cmd);
    // A design given as a file is user code: the command runs where it can be stopped (cli/sandbox.ts).
    if (runsUserCode(argv)) return await runInSandbox(argv, io);
    return await command.run(parseFor(command, rest), io);
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
