// Output that fits a terminal: the progress line (the level being expanded, how far through it, the
// estimates) and matrices narrowed to a width (abbreviated property names with a legend, columns folded)
// or transposed.
import test from 'ava';
import { progressLine, progressText } from '../cli/common.js';
import { renderMatrix } from '../cli/commands/matrix.js';
import { runCheck, type Report } from '../cli/run.js';
import { abbreviations, fitTable, legend } from '../cli/table.js';
import { builtinDesign } from '../model/designs/index.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import { cli } from './helpers/cli.js';

const P = { distinct: 12345, generated: 67890, depth: 7, queue: 5000, seconds: 2.5 };

test('progress: the level, how far through it, and the next level\'s size scaled from what was found so far', (t) => {
  t.is(progressText('viro-2019', { ...P, levelDone: 1000, levelSize: 4000, nextLevel: 3000 }),
    'viro-2019: 12,345 distinct, 67,890 generated, depth 7: 1,000 of 4,000 expanded (25%, next level ~12,000 states), queue 5,000, 4,938 states/s, 2.5 s');
});

test('progress: the time left in the level, from the rate since the level started (800 states in 2 s, 3,000 left: 7.5 s)', (t) => {
  t.is(progressText('d', { ...P, levelDone: 1000, levelSize: 4000, nextLevel: 3000 }, { depth: 7, done: 200, seconds: 0.5 }),
    'd: 12,345 distinct, 67,890 generated, depth 7: 1,000 of 4,000 expanded (25%, ~8 s left in it, next level ~12,000 states), queue 5,000, 4,938 states/s, 2.5 s');
  // 10 states/s, 3,000 left: 300 s = 5 min.
  t.regex(progressText('d', { ...P, seconds: 100, levelDone: 1000, levelSize: 4000 }, { depth: 7, done: 10, seconds: 1 }), /\(25%, ~5 min left in it\)/);
});

test('progress: no estimate before 1% of the level, nor from a level that started elsewhere, nor within its first second', (t) => {
  t.regex(progressText('d', { ...P, levelDone: 10, levelSize: 4000, nextLevel: 30 }, { depth: 7, done: 0, seconds: 0 }), /depth 7: 10 of 4,000 expanded \(0%\), queue/);
  t.regex(progressText('d', { ...P, levelDone: 1000, levelSize: 4000 }, { depth: 6, done: 0, seconds: 0 }), /depth 7: 1,000 of 4,000 expanded \(25%\), queue/);
  t.regex(progressText('d', { ...P, levelDone: 1000, levelSize: 4000 }, { depth: 7, done: 0, seconds: 2 }), /\(25%\), queue/);
});

test('progress: without the level\'s counts (the report at the end) the line is the counts alone', (t) => {
  t.is(progressText('d', { distinct: 10, generated: 20, depth: 3, queue: 0, seconds: 2 }), 'd: 10 distinct, 20 generated, depth 3, queue 0, 5 states/s, 2.0 s');
});

test('progress: the line remembers where the level started (the second report of a level has its ETA)', (t) => {
  const err: string[] = [];
  const { onProgress } = progressLine({ out: () => undefined, err: (s) => { err.push(s); } }, true, 'd');
  onProgress!({ ...P, seconds: 1, levelDone: 100, levelSize: 1000 });
  onProgress!({ ...P, seconds: 3, levelDone: 500, levelSize: 1000 });
  onProgress!({ ...P, depth: 8, seconds: 4, levelDone: 10, levelSize: 5000 });
  t.deepEqual(err.map((s) => /\(([^)]*)\)/.exec(s)![1]), ['10%', '50%, ~3 s left in it', '0%']);
  t.true(err.every((s) => s.startsWith('\r\x1b[K')));
});

test('a real search reports the level\'s progress (bfs: levelDone ≤ levelSize, nextLevel counted)', async (t) => {
  const seen: { levelDone?: number; levelSize?: number; nextLevel?: number; depth: number }[] = [];
  runCheck(builtinDesign('viro-2019')!, { ...DEFAULT_BOUNDS, depth: 6 }, { onProgress: (p) => seen.push(p) });
  const during = seen.filter((p) => p.levelSize !== undefined);
  t.true(during.every((p) => p.levelDone! <= p.levelSize! && p.nextLevel! >= 0));
  t.is(seen.at(-1)!.levelSize, undefined, 'the report at the end has no level');
});

test('abbreviations: initials of the words, numbered when two collide; the legend wraps between entries', (t) => {
  const a = abbreviations(['no-leak', 'no-use-after-free', 'new-lock', 'gc-safety']);
  t.deepEqual([...a], [['no-leak', 'nl'], ['no-use-after-free', 'nuaf'], ['new-lock', 'nl2'], ['gc-safety', 'gs']]);
  // 'legend: nl = no-leak, nuaf = no-use-after-free,' is 47 characters.
  t.deepEqual(legend(a, 45), ['legend: nl = no-leak,', '  nuaf = no-use-after-free, nl2 = new-lock,', '  gs = gc-safety']);
  t.deepEqual(legend(a, 50), ['legend: nl = no-leak, nuaf = no-use-after-free,', '  nl2 = new-lock, gs = gc-safety']);
  t.deepEqual(legend(a, undefined), ['legend: nl = no-leak, nuaf = no-use-after-free, nl2 = new-lock, gs = gc-safety']);
});

test('fitTable: columns folded into blocks that fit, each with the first column', (t) => {
  const table = [['name', 'aaaa', 'bbbb', 'cccc'], ['x', '1', '2', '3'], ['yy', '4', '5', '6']];
  t.deepEqual(fitTable(table, undefined), ['name  aaaa  bbbb  cccc', '----  ----  ----  ----', 'x     1     2     3', 'yy    4     5     6']);
  t.deepEqual(fitTable(table, 16), ['name  aaaa  bbbb', '----  ----  ----', 'x     1     2', 'yy    4     5', '',
    'name  cccc', '----  ----', 'x     3', 'yy    6']);
});

// Two designs at depth 3 (fast), the seconds fixed so that the lines are exact.
const reports = (): Report[] => ['seed-2019', 'flush-teardown'].map((n) => {
  const r = runCheck(builtinDesign(n)!, { ...DEFAULT_BOUNDS, depth: 3 });
  return { ...r, stats: { ...r.stats, seconds: 0.25 } };
});

test('matrix at 80 columns: property names abbreviated with a legend, the columns folded, the notes wrapped', (t) => {
  const text = renderMatrix(reports(), { ...DEFAULT_BOUNDS, depth: 3 }, { width: 80 });
  t.deepEqual(text.split('\n'), [
    'bounds: tasks 1, files 3, fds 3, skbs 1, msg-fds 1, reqs 1, gc atomic, depth 3,',
    'ops core',
    '',
    'design          nl         ndf       nuaf       toff        re        gs',
    '--------------  ---------  --------  ---------  ----------  --------  ---------',
    'seed-2019       holds/≤3?  holds/≤3  holds/≤3?  holds/≤3    holds/≤3  holds/≤3?',
    'flush-teardown  holds/≤3?  holds/≤3  holds/≤3?  VIOLATED/3  holds/≤3  holds/≤3?',
    '',
    'design          ie        ga   nsp       fa        grc           grrc',
    '--------------  --------  ---  --------  --------  ------------  ------------',
    'seed-2019       holds/≤3  n/a  holds/≤3  holds/≤3  not-found/≤3  not-found/≤3',
    'flush-teardown  holds/≤3  n/a  holds/≤3  holds/≤3  not-found/≤3  not-found/≤3',
    '',
    'design          rcoff         states  seconds',
    '--------------  ------------  ------  -------',
    'seed-2019       not-found/≤3  195     0.3',
    'flush-teardown  not-found/≤3  196     0.3',
    '',
    'legend: nl = no-leak, ndf = no-double-free, nuaf = no-use-after-free,',
    '  toff = teardown-on-final-fput, re = refcount-exact, gs = gc-safety,',
    '  ie = inflight-exact, ga = graph-accounting, nsp = no-silent-purge,',
    '  fa = failure-atomicity, grc = gc-releases-cycle,',
    '  grrc = gc-releases-ring-cycle, rcoff = request-completes-on-fixed-file',
    '',
    'VIOLATED/n and found/n: the shortest trace has n steps; a trailing ! marks a',
    'verdict the design does not expect;',
    'holds/≤N and not-found/≤N: a limit stopped the search first; nothing violated',
    '(no witness) within N steps, every state to that depth checked;',
    'n/a: the property cannot apply to the design; a trailing ? marks a holds whose',
    'witness was not found (possibly vacuous).',
  ]);
});

test('matrix --transpose: properties as rows, designs as columns, states and seconds last; no narrowing when it fits', (t) => {
  const lines = renderMatrix(reports(), { ...DEFAULT_BOUNDS, depth: 3 }, { transpose: true, width: 80 }).split('\n');
  t.deepEqual(lines.slice(3, 21), [
    'property                         seed-2019     flush-teardown',
    '-------------------------------  ------------  --------------',
    'no-leak                          holds/≤3?     holds/≤3?',
    'no-double-free                   holds/≤3      holds/≤3',
    'no-use-after-free                holds/≤3?     holds/≤3?',
    'teardown-on-final-fput           holds/≤3      VIOLATED/3',
    'refcount-exact                   holds/≤3      holds/≤3',
    'gc-safety                        holds/≤3?     holds/≤3?',
    'inflight-exact                   holds/≤3      holds/≤3',
    'graph-accounting                 n/a           n/a',
    'no-silent-purge                  holds/≤3      holds/≤3',
    'failure-atomicity                holds/≤3      holds/≤3',
    'gc-releases-cycle                not-found/≤3  not-found/≤3',
    'gc-releases-ring-cycle           not-found/≤3  not-found/≤3',
    'request-completes-on-fixed-file  not-found/≤3  not-found/≤3',
    'states                           195           196',
    'seconds                          0.3           0.3',
    '',
  ]);
  t.false(lines.some((l) => l.startsWith('legend:')));
});

test('matrix without a width (not a terminal) is never narrowed; --width and io.columns narrow it; --width 0 does not', async (t) => {
  const wide = renderMatrix(reports(), { ...DEFAULT_BOUNDS, depth: 3 });
  t.regex(wide, /^design {10}no-leak {4}no-double-free/m);
  const viaColumns = await run(['matrix', '--designs', 'seed-2019', '--depth', '3'], 80);
  t.regex(viaColumns.out, /^design {5}nl {9}ndf/m);
  t.regex(viaColumns.out, /^legend: nl = no-leak/m);
  t.true(viaColumns.out.split('\n').every((l) => l.length <= 80));
  const zero = await run(['matrix', '--designs', 'seed-2019', '--depth', '3', '--width', '0'], 80);
  t.regex(zero.out, /^design {5}no-leak/m);
  const bad = await cli(['matrix', '--width', '10']);
  t.is(bad.code, 2);
  t.regex(bad.err, /^inflight: E_USAGE: --width must be at least 20 \(0: no limit\)$/);
});

async function run(argv: string[], columns: number): Promise<{ code: number; out: string }> {
  const { main } = await import('../cli/main.js');
  const out: string[] = [];
  const code = await main(argv, { out: (s) => { out.push(s); }, err: () => undefined, columns });
  return { code, out: out.join('\n') };
}

test('scenarios --matrix --width 60: violated properties abbreviated in the cells, the designs folded, a legend', async (t) => {
  const r = await cli(['scenarios', '--matrix', '--designs', 'seed-2019,linux-5.1', '--width', '60']);
  t.is(r.code, 0);
  const lines = r.out.split('\n');
  t.deepEqual(lines.slice(0, 5), [
    'scenario                             seed-2019',
    '-----------------------------------  -------------',
    'cve-2021-0920                        nuaf, gs, nsp',
    'cve-2022-2602                        nl',
    'cve-2023-6531                        —',
  ]);
  t.deepEqual(lines.slice(-2), ['legend: nuaf = no-use-after-free, gs = gc-safety,', '  nsp = no-silent-purge, nl = no-leak']);
  t.true(lines.every((l) => l.length <= 60));
  const tr = await cli(['scenarios', '--matrix', '--designs', 'seed-2019,linux-5.1', '--transpose', '--width', '70']);
  t.deepEqual(tr.out.split('\n').slice(0, 4), [
    'design     cve-2021-0920  cve-2022-2602  cve-2023-6531  cve-2026-23394',
    '---------  -------------  -------------  -------------  --------------',
    'seed-2019  nuaf, gs, nsp  nl             —              nuaf, gs, nsp',
    'linux-5.1  nuaf, gs, nsp  nuaf           nuaf, gs       nuaf, gs, nsp',
  ]);
  const misplaced = await cli(['scenarios', '--transpose']);
  t.is(misplaced.code, 2);
  t.regex(misplaced.err, /^inflight: E_USAGE: --transpose goes with scenarios --matrix$/);
});
