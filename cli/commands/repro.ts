// inflight repro: a trace as a standalone C program that makes its syscalls on this kernel.
import type { Command } from '../command.js';
import { opt } from '../common.js';
import { cmdRepro } from '../repro.js';

export const repro: Command = {
  name: 'repro',
  summary: 'the trace as a standalone C program that makes its syscalls on this kernel',
  usage: ['inflight repro TRACE.json [--minimal] [--design NAME|FILE.ts] [--properties FILE.ts] [--out FILE] [--json]'],
  description: [
    "The program exits 1 when the kernel's results differ from the design's.",
  ],
  options: {
    minimal: { type: 'boolean', help: 'a one-task trace as a flat main of raw syscall() calls, as a syzkaller\nreproducer reads (no observers: each result is compared, not the files\' fates)' },
    design: opt.design('the design whose results the program compares with (default: the trace\'s own)'),
    properties: opt.properties(),
    out: { type: 'string', arg: 'FILE', help: 'write the C to FILE (default stdout)' },
    json: opt.json('the program (its path with --out, else its text), the syscall of each step and what\nthe program compares (each result, the files\' fates at the end; with --minimal:\nthe program and what it compares only)'),
  },
  positionals: 1,
  examples: ['inflight repro leak.json > repro.c && gcc -O2 -o repro repro.c && ./repro', 'inflight repro uaf.json --out uaf.c --json',
    'inflight repro leak.json --minimal --out min.c'],
  run: (p, io) => cmdRepro(p, io),
};
