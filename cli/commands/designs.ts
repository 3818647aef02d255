// inflight designs: the built-in designs; --diff A B: what B changes against A.
import { builtinDesigns } from '../../model/designs/index.js';
import { diffDesigns, formatDiff } from '../../model/design-diff.js';
import type { Command } from '../command.js';
import { EXIT, opt } from '../common.js';
import { loadDesign } from '../designs.js';
import { UserError } from '../errors.js';

export const designs: Command = {
  name: 'designs',
  summary: 'list the built-in designs; --diff A B: what design B changes against A',
  usage: ['inflight designs [--json]', 'inflight designs --diff A B [--json]'],
  description: ['A design is a kernel version (or a patch): switches, kernel functions overridden, the verdicts it expects.'],
  options: {
    json: opt.json('the list (or the difference) as JSON'),
    diff: { type: 'boolean', help: 'what design B changes against A: switches, kernel functions overridden, expectations' },
  },
  positionals: 2,
  examples: ['inflight designs', 'inflight designs --diff linux-6.1 linux-6.10', 'inflight designs --diff linux-6.18 ./mine.ts --json'],
  run: async ({ values, positionals }, io) => {
    if (values['diff'] === true) {
      // designs --diff A B: what B changes against A (switches, kernel functions overridden, expectations).
      if (positionals.length !== 2) throw new UserError('E_USAGE', 'designs --diff needs two designs: inflight designs --diff A B');
      const diff = diffDesigns(await loadDesign(positionals[0]!), await loadDesign(positionals[1]!));
      io.out(values['json'] === true ? JSON.stringify(diff, null, 2) : formatDiff(diff));
      return EXIT.ok;
    }
    if (positionals.length > 0) throw new UserError('E_USAGE', `designs takes no design name (did you mean designs --diff ${positionals.join(' ')}?)`);
    if (values['json'] === true) {
      io.out(JSON.stringify(builtinDesigns.map((d) => ({ name: d.name, summary: d.summary, switches: d.switches, expected: d.expected, ...(d.source ? { source: d.source } : {}) })), null, 2));
    } else {
      const w = Math.max(...builtinDesigns.map((d) => d.name.length));
      io.out(builtinDesigns.map((d) => `${d.name.padEnd(w)}  ${d.summary}`).join('\n'));
    }
    return EXIT.ok;
  },
};
