// inflight merge: the parts of one check --partition (or simulate --swarm) as one result.
import type { Command } from '../command.js';
import { opt } from '../common.js';
import { cmdMerge } from '../merge.js';

export const merge: Command = {
  name: 'merge',
  summary: 'the parts of one check --partition (or simulate --swarm) as one result',
  usage: ['inflight merge PART.json ... [--json] [--design FILE.ts] [--full]'],
  description: ['The parts are verified first (one search, each part once); every trace kept is replayed.'],
  options: {
    json: opt.json('the merged result, as check --json prints it'),
    design: opt.design('the design module, when the parts were made with one (a file)'),
    full: opt.full(),
  },
  positionals: Infinity,
  examples: ['inflight merge part-0.json part-1.json part-2.json', 'inflight merge parts/*.json --json'],
  run: (p, io) => cmdMerge(p, io),
};
