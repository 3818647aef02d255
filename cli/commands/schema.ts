// inflight schema: the JSON Schema of a file format (cli/schema.ts makes it from the valibot schema the
// reader of that format uses).
import type { Command } from '../command.js';
import { cmdSchema } from '../schema.js';

export const schema: Command = {
  name: 'schema',
  summary: 'the JSON Schema (draft-07) of a file format, as inflight reads it: trace, scenario or checkpoint',
  usage: ['inflight schema trace|scenario|checkpoint'],
  description: [
    '  trace       a trace file (check --trace-out, simulate --trace-out; read by replay, render, repro, kernel)',
    '  scenario    a scenario file (check --scenario FILE.json)',
    '  checkpoint  the JSON header line of a checkpoint (check --checkpoint; the second line of the file)',
    'The same files are in the package: schemas/trace.schema.json, schemas/scenario.schema.json,',
    'schemas/checkpoint.schema.json. What a schema cannot say is checked by inflight on top: a trace\'s',
    'steps within its own bounds and its property known, a scenario\'s program lines (syscall key=value …)',
    'and its T0 … forks, how a checkpoint\'s counters and arrays fit together.',
  ],
  options: {},
  positionals: 1,
  examples: ['inflight schema trace > trace.schema.json', 'inflight schema scenario'],
  run: (p, io) => cmdSchema(p, io),
};
