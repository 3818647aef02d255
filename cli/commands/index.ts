// Every command, in the order `inflight --help` lists them: one line each.
import type { Command } from '../command.js';
import { check } from './check.js';
import { designs } from './designs.js';
import { explain } from './explain.js';
import { kernel } from './kernel.js';
import { matrix } from './matrix.js';
import { merge } from './merge.js';
import { render } from './render.js';
import { replay } from './replay.js';
import { report } from './report.js';
import { repro } from './repro.js';
import { scenarios } from './scenarios.js';
import { schema } from './schema.js';
import { simulate } from './simulate.js';

export const COMMANDS: readonly Command[] = [
  check,
  matrix,
  scenarios,
  simulate,
  report,
  render,
  designs,
  explain,
  replay,
  repro,
  kernel,
  merge,
  schema,
];

export const commandNamed = (name: string): Command | undefined => COMMANDS.find((c) => c.name === name);
