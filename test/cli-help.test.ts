// Every command's help and its parser are made from one table (cli/command.ts): these tests hold them
// together, so that an option cannot be parsed without being documented, or documented without being
// parsed, and every example in the help parses.
import test from 'ava';
import { commandHelp, optionsInHelp, parseFor } from '../cli/command.js';
import { COMMANDS } from '../cli/commands/index.js';
import { cli } from './helpers/cli.js';

const NAMES = ['check', 'matrix', 'scenarios', 'simulate', 'report', 'render', 'designs', 'explain', 'replay', 'repro', 'kernel', 'merge', 'schema'];

test('the command table: every command once, each with a summary, a usage naming it and examples', (t) => {
  t.deepEqual(COMMANDS.map((c) => c.name), NAMES);
  for (const c of COMMANDS) {
    t.true(c.summary.length > 10 && !c.summary.includes('\n'), c.name);
    t.true(c.usage.every((u) => u.startsWith(`inflight ${c.name}`)), c.name);
    t.true(c.examples.length >= 1, c.name);
  }
});

for (const c of COMMANDS) {
  test(`${c.name}: its help lists exactly the options its parser accepts, and every example parses`, async (t) => {
    const help = commandHelp(c);
    t.deepEqual(optionsInHelp(help), Object.keys(c.options), 'the help lists every option once, in order');
    // What the parser accepts: every option of the table (a string one with a value)…
    for (const [name, o] of Object.entries(c.options)) {
      t.notThrows(() => parseFor(c, o.type === 'string' ? [`--${name}`, 'x'] : [`--${name}`]), `--${name}`);
    }
    // …and nothing else.
    t.throws(() => parseFor(c, ['--no-such-option']), { message: /Unknown option '--no-such-option'/ });
    for (const e of c.examples) {
      const argv = e.split(/\s+/).filter((w) => w !== '');
      t.is(argv[0], 'inflight', e);
      t.is(argv[1], c.name, e);
      // The command line up to a shell operator (`> repro.c && gcc …`).
      const stop = argv.findIndex((w, i) => i > 1 && /^(>|&&|\||;)$/.test(w));
      t.notThrows(() => parseFor(c, argv.slice(2, stop < 0 ? undefined : stop)), e);
    }
    // Every option in the help has its description.
    for (const name of Object.keys(c.options)) t.regex(help, new RegExp(`^ {2}--${name}\\b.*\\S`, 'm'), `--${name}`);
    const viaCli = await cli([c.name, '--help']);
    t.is(viaCli.code, 0);
    t.is(viaCli.out, help);
    t.is(viaCli.err, '');
    t.deepEqual(await cli(['help', c.name]), viaCli);
  });
}

test('inflight --help lists every command with its summary; help of an unknown command is E_USAGE', async (t) => {
  const r = await cli(['--help']);
  t.is(r.code, 0);
  for (const c of COMMANDS) t.true(r.out.split('\n').includes(`  ${c.name.padEnd(9)}  ${c.summary}`), c.name);
  const bad = await cli(['help', 'frobnicate']);
  t.is(bad.code, 2);
  t.regex(bad.err, /^inflight: E_USAGE: unknown command 'frobnicate' \(commands: check, matrix, /);
  t.is(bad.out, '');
});

test('check --help: the exact head of the text, the bounds with their defaults, the examples', async (t) => {
  const r = await cli(['check', '--help']);
  const lines = r.out.split('\n');
  t.deepEqual(lines.slice(0, 3), ['usage: inflight check --design NAME|FILE.ts [--scenario NAME|FILE [--variant V]] [bounds] [options]', '',
    'check a design against every property: free exploration, or every interleaving of a scenario']);
  t.true(lines.includes('  --tasks N                   task slots (default 1; fork fills them)'));
  t.true(lines.includes('  --design NAME|FILE.ts       the design: a built-in name (inflight designs) or your module ./file.ts'));
  t.deepEqual(lines.slice(lines.indexOf('examples:') + 1, lines.indexOf('examples:') + 2), ['  inflight check --design seed-2019']);
});

test('no command parses its own options: only cli/command.ts calls parseArgs, so the help cannot be bypassed', async (t) => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const files = [...readdirSync('cli').filter((f) => f.endsWith('.ts')).map((f) => `cli/${f}`),
    ...readdirSync('cli/commands').map((f) => `cli/commands/${f}`)];
  const offenders = files.filter((f) => f !== 'cli/command.ts' && /\bparseArgs\s*\(|\bkit\.parse\s*\(|\bparseOptions\s*\(/.test(readFileSync(f, 'utf8')));
  t.deepEqual(offenders, []);
});
