// inflight report: the verdict matrix as a static site, with a step-through page per trace.
import type { Command } from '../command.js';
import { BOUND_OPTIONS, kit, opt } from '../common.js';
import { cmdReport } from '../report.js';

export const report: Command = {
  name: 'report',
  summary: 'the verdict matrix as a static site, with a step-through page per trace',
  usage: ['inflight report --out DIR [--designs a,b,...] [bounds] [--json]'],
  description: ['Exit status as matrix: 1 when a verdict differs from what its design expects.'],
  options: {
    out: { type: 'string', arg: 'DIR', help: 'the directory to write the site into (DIR/index.html)' },
    designs: { type: 'string', arg: 'a,b,...', help: 'the designs (default: every built-in design)' },
    json: opt.json('what was written (the pages, their files and sizes) and the verdicts, as JSON'),
    ...BOUND_OPTIONS,
  },
  examples: ['inflight report --out site', 'inflight report --out site --designs seed-2019,./mine.ts --tasks 2 --depth 8 --json'],
  run: (p, io) => cmdReport(p, io, kit),
};
