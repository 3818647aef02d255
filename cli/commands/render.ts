// inflight render: the reference graph of one world of a trace (DOT, SVG, or the graph as JSON).
import type { Command } from '../command.js';
import { opt } from '../common.js';
import { cmdRender } from '../pictures.js';

export const render: Command = {
  name: 'render',
  summary: 'the reference graph after step N of a trace, as DOT or SVG (0 = the initial world; default the last)',
  usage: ['inflight render TRACE.json [--design NAME|FILE.ts] [--properties FILE.ts] [--format dot|svg] [--step N] [--out FILE] [--json]'],
  options: {
    design: opt.design('the design to draw it under (default: the one that made the trace)'),
    properties: opt.properties(),
    format: { type: 'string', arg: 'dot|svg', help: 'the picture\'s format (default dot, or what --out\'s name says)' },
    step: { type: 'string', arg: 'N', help: 'the world after step N (0 = the initial world; default the last step)' },
    out: { type: 'string', arg: 'FILE', help: 'write the picture to FILE (default stdout)' },
    json: opt.json('the graph as data: nodes, edges and what is marked (freed, dangling, unreachable …),\nwith the step, format and --out (the picture is then written only with --out)'),
  },
  positionals: 1,
  examples: ['inflight render leak.json --format svg --step 4 --out step4.svg', 'inflight render leak.json --design viro-2019', 'inflight render uaf.json --json'],
  run: (p, io) => cmdRender(p, io),
};
