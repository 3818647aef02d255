// inflight kernel: a trace replayed on the running kernel (or one under QEMU), compared with the design.
import type { Command } from '../command.js';
import { opt } from '../common.js';
import { cmdKernel } from '../kernel.js';

export const kernel: Command = {
  name: 'kernel',
  summary: "replay a trace on the running kernel (or one under QEMU) and compare with the design's predictions",
  usage: ['inflight kernel TRACE.json [--design NAME|FILE.ts] [--vm VERSION] [--json]'],
  description: [
    "Compares each step and each file's fate with the design (default linux-6.18); exit 1 on a",
    'disagreement. --vm 6.1.170|6.1.192|6.12.118: on that Debian kernel under QEMU (npm run kernels',
    'fetches them), against the design that predicts it.',
  ],
  options: {
    design: opt.design('the design to compare with (default linux-6.18, or the --vm kernel\'s)'),
    vm: { type: 'string', arg: 'VERSION', help: 'run it on that kernel under QEMU' },
    json: opt.json('each step (model, kernel, agree or not), the fates, the verdict'),
  },
  positionals: 1,
  examples: ['inflight kernel leak.json', 'inflight kernel uaf.json --vm 6.1.170 --json'],
  run: (p, io) => cmdKernel(p, io),
};
