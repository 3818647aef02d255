// inflight simulate: seeded random walks beyond the BFS bounds.
import type { Command } from '../command.js';
import { BOUNDS, kit, LIMITS, opt } from '../common.js';
import { cmdSimulate } from '../simulate.js';

export const simulate: Command = {
  name: 'simulate',
  summary: 'seeded random walks beyond the bounds; a violation is shrunk, replay-checked and printed with its seed',
  usage: ['inflight simulate --design NAME|FILE.ts [bounds] [--depth N] [--runs N] [--seed S] [--swarm I/N] [--json] [--trace-out FILE]'],
  options: {
    design: opt.design(),
    runs: { type: 'string', arg: 'N', help: 'walks (default 10000)' },
    seed: { type: 'string', arg: 'S', help: 'the seed (default random; printed, to reproduce a run)' },
    swarm: { type: 'string', arg: 'I/N', help: 'part I of N diversified walkers (seed, walk length, step order), merged with merge' },
    json: opt.json('the walks and the shrunk violation (with its trace) as JSON'),
    'trace-out': { type: 'string', arg: 'FILE', help: "write the violation's trace to FILE" },
    full: opt.full(),
    ...BOUNDS,
    depth: { ...BOUNDS.depth, help: 'the length of a walk (default 60)' },
    ...LIMITS,
  },
  examples: ['inflight simulate --design seed-2019 --tasks 2 --seed 7', 'inflight simulate --design linux-6.18 --depth 200 --runs 1000 --json'],
  run: (p, io) => cmdSimulate(p, io, kit),
};
