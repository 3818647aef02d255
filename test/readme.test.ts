// The README's tables of verdicts are the output of commands, not written by hand: each block between
// `<!-- table: npx inflight … -->` and `<!-- /table -->` must be exactly what the command prints now.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { cli } from './helpers/cli.js';
import { PROPERTIES, SCENARIO_PROPERTIES } from '../properties/index.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...README.matchAll(/<!-- table: npx inflight ([^>]*?) -->\n([^]*?)\n<!-- \/table -->/g)]
  .map((m) => ({ argv: m[1]!.trim().split(/\s+/), text: m[2]! }));

test('the README has the generated tables (designs at the default bounds, scenarios × designs)', (t) => {
  t.deepEqual(blocks.map((b) => b.argv.join(' ')), ['matrix --markdown', 'scenarios --markdown']);
});

for (const b of blocks) {
  test(`README table = npx inflight ${b.argv.join(' ')}`, async (t) => {
    const r = await cli(b.argv);
    t.is(r.code, 0, 'every verdict is the one its design or scenario expects');
    t.is(r.out.trimEnd(), b.text, 'regenerate the table: npx inflight ' + b.argv.join(' '));
  });
}

test('the README\'s property table lists every built-in property, in the order verdicts are printed', (t) => {
  const section = README.slice(README.indexOf('## Properties\n'), README.indexOf('### Properties of your own'));
  const rows = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
  t.deepEqual(rows, [...PROPERTIES, ...SCENARIO_PROPERTIES].map((p) => p.name));
  // Nothing a user does not have: the project's notes and their invariant numbers.
  t.notRegex(README, /domain\.md|\(I\d+\)/);
  for (const p of [...PROPERTIES, ...SCENARIO_PROPERTIES]) t.notRegex(p.title, /\(I\d+\)/, p.name);
});
