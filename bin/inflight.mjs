#!/usr/bin/env node
// Entry point: registers tsx so that the TypeScript sources (and users' design modules) load as is.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
// SIGINT keeps its default action (the process ends at once, status 130): the search runs
// synchronously, so a JS handler would not run before the search ends.
const code = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => process.stderr.write(s.startsWith('\r') || s.endsWith('\n') ? s : s + '\n'),
  tty: process.stderr.isTTY === true,
});
process.exitCode = code;
