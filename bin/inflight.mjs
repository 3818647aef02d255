#!/usr/bin/env node
// Entry point: registers tsx so that the TypeScript sources (and users' design modules) load as is.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
// Signals, a closed stdout (EPIPE) and the terminal's width: cli/process.ts.
const { runProcess } = await import('../cli/process.ts');

process.exitCode = await runProcess(main);
