// inflight explain: what a property means, in kernel words (the built-in ones, a design's, yours).
import { PROPERTIES, propertyByName, SCENARIO_PROPERTIES } from '../../properties/index.js';
import type { PropertyDef } from '../../properties/property.js';
import type { Command } from '../command.js';
import { EXIT, opt } from '../common.js';
import { loadDesign } from '../designs.js';
import { UserError } from '../errors.js';
import { propertiesOfFlag, withProperties } from '../properties.js';

export const explain: Command = {
  name: 'explain',
  summary: 'what a property means, in kernel words (yours too); without a name, the list',
  usage: ['inflight explain [PROPERTY] [--properties FILE.ts] [--design NAME|FILE.ts] [--json]'],
  options: {
    properties: opt.properties('your properties module: its properties are explained too'),
    design: opt.design("a design: its own properties too, and (with --json) whether each applies to it"),
    json: opt.json('every property (or the one named) as data; with --design, applies and why not'),
  },
  positionals: 1,
  examples: ['inflight explain', 'inflight explain no-use-after-free', 'inflight explain --design linux-6.18 --json'],
  run: async ({ values, positionals }, io) => {
    // The user's own: a design module's properties, then those of --properties.
    const design = typeof values['design'] === 'string' ? await loadDesign(values['design']) : undefined;
    const extra = await propertiesOfFlag(values['properties']);
    const own = design ? withProperties(design, extra).properties ?? [] : extra;
    const known = [...PROPERTIES, ...SCENARIO_PROPERTIES, ...own];
    const name = positionals[0];
    // --json: what the text says, as data; with --design, whether each property applies to it (n/a and why).
    const asJson = (p: PropertyDef): object => {
      const na = design ? p.inapplicable?.(design) : undefined;
      return { name: p.name, kind: p.kind, title: p.title, explain: p.explain, ...(p.guards ? { guards: p.guards } : {}),
        ...(p.origin ? { origin: p.origin } : {}), ...(design ? { design: design.name, applies: na === undefined, ...(na !== undefined ? { why: na } : {}) } : {}) };
    };
    if (values['json'] === true) {
      const one = name === undefined ? undefined : known.find((x) => x.name === name);
      if (name !== undefined && !one) throw new UserError('E_PROPERTY_UNKNOWN', `unknown property '${name}' (known: ${known.map((x) => x.name).join(', ')})`);
      io.out(JSON.stringify(one ? asJson(one) : known.map(asJson), null, 2));
      return EXIT.ok;
    }
    if (name === undefined) {
      const w = Math.max(...known.map((p) => p.name.length));
      io.out(known.map((p) => `${p.name.padEnd(w)}  ${p.kind === 'sometimes' ? '(witness) ' : ''}${p.title}${p.origin ? `  [${p.origin}]` : ''}`).join('\n'));
      return EXIT.ok;
    }
    const p = propertyByName(name) ?? own.find((x) => x.name === name);
    if (!p) throw new UserError('E_PROPERTY_UNKNOWN', `unknown property '${name}' (known: ${known.map((x) => x.name).join(', ')})`);
    io.out(`${p.name} — ${p.title}${p.kind === 'sometimes' ? ' (a witness: it must be found)' : ''}${p.origin ? ` [${p.origin}]` : ''}\n\n${wrap(p.explain, 96)}`);
    return EXIT.ok;
  },
};

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/)) {
    if (cur && cur.length + 1 + word.length > width) { lines.push(cur); cur = word; } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines.join('\n');
}
