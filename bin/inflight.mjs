#!/usr/bin/env node
// Entry point: registers tsx so that the TypeScript sources (and users' design modules) load as is.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
const { colourWanted } = await import('../cli/colour.ts');

// SIGINT / SIGTERM: the search (which gives the event loop a turn every ~50 ms) stops, the partial result
// is printed (verdicts 'bounded', counts, depth reached, a checkpoint if one was asked for) and the
// status is 130. A second SIGINT ends the process at once.
let interrupted = false;
const onSignal = (sig) => {
  if (interrupted && sig === 'SIGINT') process.exit(130);
  interrupted = true;
  process.stderr.write(`\ninflight: ${sig}: stopping; the partial result follows (SIGINT again to quit at once)\n`);
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

const code = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => process.stderr.write(s.startsWith('\r') || s.endsWith('\n') ? s : s + '\n'),
  tty: process.stderr.isTTY === true,
  colour: colourWanted(process.env, process.stdout.isTTY === true),
  interrupted: () => interrupted,
});
process.exitCode = code;
