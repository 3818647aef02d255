// The picture commands on the command line: `render`, `check --dot/--html`, `report` (the site's
// files and their contents; the browser test is test/report.test.ts), and their bad input.
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../cli/main.js';
import { TRACE_FORMAT } from '../traces/format.js';

const TMP = mkdtempSync(join(tmpdir(), 'inflight-pictures-test-'));
test.after.always(() => rmSync(TMP, { recursive: true, force: true }));

interface Run { code: number; out: string; err: string; outWrites: string[]; errWrites: string[] }
async function run(argv: readonly string[], tty = false): Promise<Run> {
  const outWrites: string[] = [];
  const errWrites: string[] = [];
  const io: Io = { out: (s) => { outWrites.push(s); }, err: (s) => { errWrites.push(s); }, tty };
  const code = await main(argv, io);
  return { code, out: outWrites.join('\n'), err: errWrites.join(''), outWrites, errWrites };
}

function assertUserError(t: import('ava').ExecutionContext, r: Run, code: string, message?: RegExp): void {
  t.is(r.code, 2, r.err);
  t.is(r.out, '', 'nothing on stdout');
  t.is(r.errWrites.length, 1, JSON.stringify(r.errWrites));
  const line = r.errWrites[0] ?? '';
  t.false(line.trimEnd().includes('\n'), 'one line');
  t.true(line.startsWith(`inflight: ${code}: `), line);
  t.false(/^\s+at /m.test(line), 'no stack trace');
  if (message) t.regex(line, message);
}

/** Node ids and `from -> to` edges (ports kept) of DOT text. */
function graph(dot: string): { nodes: string[]; edges: string[]; cls: (id: string) => string[] } {
  const nodes: string[] = [];
  const edges: string[] = [];
  const classes = new Map<string, string[]>();
  for (const line of dot.split('\n')) {
    const e = /^\s*(\S+) -> (\S+) \[/.exec(line);
    if (e) { edges.push(`${e[1]} -> ${e[2]}`); continue; }
    const n = /^\s*(\w+) \[class="([^"]*)"/.exec(line);
    if (n) { nodes.push(n[1]!); classes.set(n[1]!, n[2]!.split(' ')); }
  }
  return { nodes: nodes.sort(), edges: edges.sort(), cls: (id) => classes.get(id) ?? [] };
}

// The README's seed-2019 leak, written out: f0, f1 a datagram socketpair (fds 3, 4), f2 the ring (fd 5).
const LEAK = {
  format: TRACE_FORMAT, design: 'seed-2019', property: 'no-leak',
  bounds: { tasks: 1, files: 3, fds: 3, skbs: 1, msgFds: 1, depth: 0 },
  violation: "leaked: f1:unix/dgram, f2:io_uring — unreachable from every fd table, and a complete unix GC run releases none of them: f1:unix/dgram (f_count 1) held by f2's registered file table (slot 0); f2:io_uring (f_count 1) held by an skb on f1's receive queue",
  steps: [
    { task: 0, syscall: 'socketpair', args: { type: 'dgram' }, result: { ret: 0, fds: [3, 4] } },
    { task: 0, syscall: 'io_uring_setup', args: {}, result: { ret: 5 } },
    { task: 0, syscall: 'sendmsg', args: { fd: 3, rights: [5] }, result: { ret: 1 } },
    { task: 0, syscall: 'io_uring_register', args: { fd: 5, files: [4] }, result: { ret: 0 } },
    { task: 0, syscall: 'exit', args: {}, result: { ret: 0 } },
  ],
};
const TRACE = join(TMP, 'leak.json');
writeFileSync(TRACE, JSON.stringify(LEAK));

// ------------------------------------------------------------------------------------------------
// render

test('render: the last step by default, as DOT on stdout: the leaked cycle, highlighted', async (t) => {
  const r = await run(['render', TRACE]);
  t.is(r.code, 0, r.err);
  t.is(r.err, '');
  t.regex(r.out, /^digraph inflight \{/);
  t.regex(r.out, /label="step 5 \/ 5: T0 exit\(0\) = 0"/);
  const g = graph(r.out);
  t.deepEqual(g.nodes, ['file_1', 'file_2', 'queue_1', 'table_2']);
  t.deepEqual(g.edges, ['file_1 -> queue_1', 'file_2 -> table_2', 'queue_1:s0e0 -> file_2', 'table_2:slot0 -> file_1']);
  for (const f of ['file_1', 'file_2']) {
    t.true(g.cls(f).includes('unreachable'), f);
    t.true(g.cls(f).includes('named'), `${f} is named by the violation`);
  }
});

test('render --step 0 is the initial world; --step 3 shows the skb carrying the ring on f1\'s queue', async (t) => {
  const r0 = await run(['render', TRACE, '--step', '0', '--format', 'dot']);
  t.is(r0.code, 0, r0.err);
  t.deepEqual(graph(r0.out).nodes, ['task_0']);
  t.regex(r0.out, /step 0 \/ 5: the initial world/);
  const r3 = await run(['render', TRACE, '--step', '3']);
  const g = graph(r3.out);
  t.deepEqual(g.nodes, ['file_0', 'file_1', 'file_2', 'queue_1', 'task_0']);
  t.true(g.edges.includes('queue_1:s0e0 -> file_2'));
  t.true(g.cls('queue_1').includes('new'), 'the queue appeared at this step');
  t.false(g.cls('file_2').includes('unreachable'));
});

test('render --format svg --out FILE writes an SVG document and nothing on stdout; --out x.svg implies svg', async (t) => {
  const out = join(TMP, 'step4.svg');
  const r = await run(['render', TRACE, '--format', 'svg', '--step', '4', '--out', out]);
  t.is(r.code, 0, r.err);
  t.is(r.out, '');
  const svg = readFileSync(out, 'utf8');
  t.regex(svg, /<svg[\s>]/);
  for (const name of ['f0:unix/dgram', 'f1:unix/dgram', 'f2:io_uring', 'f2 registered files']) t.true(svg.includes(name), name);
  const implied = join(TMP, 'implied.svg');
  t.is((await run(['render', TRACE, '--out', implied])).code, 0);
  t.regex(readFileSync(implied, 'utf8'), /<svg[\s>]/);
  const svgOut = await run(['render', TRACE, '--format', 'svg']);
  t.regex(svgOut.out, /^<\?xml[^]*<svg[^]*<\/svg>\s*$/);
});

test('render --design viro-2019: the trace re-run under another design, without the violation\'s highlights', async (t) => {
  const r = await run(['render', TRACE, '--design', 'viro-2019']);
  t.is(r.code, 0, r.err);
  const g = graph(r.out);
  t.true(g.nodes.includes('ringsock_2'), 'viro-2019 keeps the registration on the ring_sock queue');
  t.false(r.out.includes('named'), 'the violation was found in seed-2019, not here');
  t.true(g.cls('file_1').includes('unreachable'));
});

const BAD_RENDER: { name: string; argv: () => string[]; code: string; message: RegExp }[] = [
  { name: 'no trace file', argv: () => ['render'], code: 'E_USAGE', message: /render needs a trace file/ },
  { name: 'a missing trace file', argv: () => ['render', join(TMP, 'nope.json')], code: 'E_TRACE_READ', message: /cannot read .*nope\.json/ },
  { name: 'a malformed trace', argv: () => { const f = join(TMP, 'bad.json'); writeFileSync(f, '{"format": "inflight-trace/1"'); return ['render', f]; }, code: 'E_TRACE_INVALID', message: /not JSON/ },
  { name: 'a step past the end', argv: () => ['render', TRACE, '--step', '6'], code: 'E_USAGE', message: /--step 6 is out of range: the trace has 5 steps \(0 = the initial world … 5\)/ },
  { name: 'a step that is not a number', argv: () => ['render', TRACE, '--step', 'last'], code: 'E_USAGE', message: /--step expects a step number, got 'last'/ },
  { name: 'a negative step', argv: () => ['render', TRACE, '--step=-1'], code: 'E_USAGE', message: /--step expects a step number/ },
  { name: 'an unknown format', argv: () => ['render', TRACE, '--format', 'png'], code: 'E_USAGE', message: /unknown --format 'png' \(formats: dot, svg\)/ },
  { name: 'an unknown option', argv: () => ['render', TRACE, '--colour'], code: 'E_USAGE', message: /colour/ },
  { name: 'an unknown design', argv: () => ['render', TRACE, '--design', 'nope-2019'], code: 'E_DESIGN_UNKNOWN', message: /nope-2019/ },
  { name: 'a trace of a user design without --design', argv: () => { const f = join(TMP, 'user.json'); writeFileSync(f, JSON.stringify({ ...LEAK, design: 'my-patch' })); return ['render', f]; }, code: 'E_DESIGN_UNKNOWN', message: /made with design 'my-patch', which is not built in/ },
  { name: 'a step the design cannot make', argv: () => { const f = join(TMP, 'ghost.json'); writeFileSync(f, JSON.stringify({ ...LEAK, steps: [{ task: 3, syscall: 'open', args: {}, result: { ret: 3 } }] })); return ['render', f]; }, code: 'E_TRACE_INVALID', message: /step 1: T3 open.* cannot be made in design seed-2019/ },
  { name: '--out into a missing directory', argv: () => ['render', TRACE, '--out', join(TMP, 'no', 'such', 'dir', 'x.dot')], code: 'E_OUTPUT', message: /cannot write/ },
];
for (const b of BAD_RENDER) {
  test(`render, bad input → exit 2, one line: ${b.name}`, async (t) => assertUserError(t, await run(b.argv()), b.code, b.message));
}

// ------------------------------------------------------------------------------------------------
// check --dot DIR and --html DIR (one seed-2019 run serves both)

const DOTS = join(TMP, 'dots');
const HTML = join(TMP, 'check-html');
let seedCheck: Promise<Run> | undefined;
const checkSeed = () => (seedCheck ??= run(['check', '--design', 'seed-2019', '--dot', DOTS, '--html', HTML]));

test('check --dot DIR: one DOT file per step of the trace, 0 = the initial world, the last with the leak', async (t) => {
  const r = await checkSeed();
  t.is(r.code, 1);
  t.regex(r.err, /11 DOT files written to /);
  t.deepEqual(readdirSync(DOTS).sort(), [...[0, 1, 2, 3, 4].map((i) => `gc-releases-cycle-step-${i}.dot`), ...[0, 1, 2, 3, 4, 5].map((i) => `no-leak-step-${i}.dot`)].sort());
  t.deepEqual(graph(readFileSync(join(DOTS, 'no-leak-step-0.dot'), 'utf8')).nodes, ['task_0']);
  const last = graph(readFileSync(join(DOTS, 'no-leak-step-5.dot'), 'utf8'));
  t.deepEqual(last.nodes.filter((n) => last.cls(n).includes('unreachable')), ['file_1', 'file_2']);
  t.regex(r.out, /^design seed-2019: /, 'the report is printed as without --dot');
});

test('check --html DIR: the site of one design (index and the counterexample page)', async (t) => {
  const r = await checkSeed();
  t.regex(r.err, /wrote .*index\.html: 2 trace pages, 11 pictures/);
  t.deepEqual(readdirSync(HTML).sort(), ['index.html', 'seed-2019--gc-releases-cycle.html', 'seed-2019--no-leak.html']);
  const index = readFileSync(join(HTML, 'index.html'), 'utf8');
  t.regex(index, /<tr data-design="seed-2019">/);
  t.regex(index, /<a class="trace-link" href="seed-2019--no-leak.html">VIOLATED\/5<\/a>/);
});

test('check --dot with nothing violated or found writes no file and says so; --json keeps stderr empty', async (t) => {
  const dir = join(TMP, 'nothing');
  const r = await run(['check', '--design', 'seed-2019', '--ops', 'open,close,dup', '--dot', dir]);
  t.is(r.code, 0);
  t.regex(r.err, /no DOT file written/);
  t.deepEqual(readdirSync(dir), []);
  const j = await run(['check', '--design', 'seed-2019', '--ops', 'open,close,dup', '--dot', dir, '--json']);
  t.deepEqual(j.errWrites, []);
  t.notThrows(() => JSON.parse(j.out));
});

test('check --dot into a path under a regular file is E_OUTPUT, and nothing is printed on stdout', async (t) => {
  const file = join(TMP, 'plain-file');
  writeFileSync(file, 'x');
  assertUserError(t, await run(['check', '--design', 'flush-teardown', '--dot', join(file, 'dots')]), 'E_OUTPUT', /cannot create directory/);
});

// ------------------------------------------------------------------------------------------------
// report

const SITE = join(TMP, 'site');
let siteRun: Promise<Run> | undefined;
/** Four designs, one of each kind of verdict (the nine built-ins would make the same site, only bigger). */
const report = () => (siteRun ??= run(['report', '--out', SITE, '--designs', 'seed-2019,viro-2019,flush-teardown,linux-6.18']));

interface PageData { views: { caption: string; changes: { text: string; kind: string }[]; svg: string }[] }
const pageData = (html: string): PageData =>
  JSON.parse(/<script type="application\/json" id="trace-data">([^]*?)<\/script>/.exec(html)![1]!) as PageData;

test('report --out DIR: index.html with every built-in design and one page per counterexample or witness', async (t) => {
  const r = await report();
  t.is(r.code, 0, r.err);
  t.deepEqual(r.errWrites, [], 'stderr is not a terminal: no progress');
  // 7 pages: 3 violations or ring-cycle witnesses, and each design's gc-releases-cycle witness (4 steps:
  // socketpair, a socket's fd into its own peer's queue … the GC).
  t.regex(r.out, /^wrote .*index\.html: 7 trace pages, 37 pictures, \d+ KB in 8 files/);
  t.deepEqual(readdirSync(SITE).sort(), [
    'flush-teardown--gc-releases-cycle.html', 'flush-teardown--teardown-on-final-fput.html', 'index.html', 'linux-6.18--gc-releases-cycle.html',
    'seed-2019--gc-releases-cycle.html', 'seed-2019--no-leak.html', 'viro-2019--gc-releases-cycle.html', 'viro-2019--gc-releases-ring-cycle.html',
  ]);
  const index = readFileSync(join(SITE, 'index.html'), 'utf8');
  for (const d of ['seed-2019', 'viro-2019', 'flush-teardown', 'linux-6.18']) t.regex(index, new RegExp(`<tr data-design="${d}">`));
  const links = [...index.matchAll(/<a class="trace-link" href="([^"]+)">([^<]+)<\/a>/g)].map((m) => `${m[1]} ${m[2]}`).sort();
  t.deepEqual(links, [
    'flush-teardown--gc-releases-cycle.html found/4', 'flush-teardown--teardown-on-final-fput.html VIOLATED/3', 'linux-6.18--gc-releases-cycle.html found/4',
    'seed-2019--gc-releases-cycle.html found/4', 'seed-2019--no-leak.html VIOLATED/5', 'viro-2019--gc-releases-cycle.html found/4', 'viro-2019--gc-releases-ring-cycle.html found/6',
  ]);
});

test('report: each trace page holds one view per world with its caption, changes and an inline SVG', async (t) => {
  await report();
  const seed = pageData(readFileSync(join(SITE, 'seed-2019--no-leak.html'), 'utf8'));
  t.is(seed.views.length, 6);
  t.is(seed.views[0]!.caption, 'the initial world');
  t.true(seed.views[0]!.changes.some((c) => c.text === 'T0: running'));
  t.regex(seed.views[5]!.caption, /^T0 exit\(0\) = 0$/);
  t.true(seed.views[5]!.changes.some((c) => c.text === 'T0: running → exited' && c.kind === 'removed'));
  for (const v of seed.views) {
    t.true(v.svg.startsWith('<svg'), 'no XML prolog inside HTML');
    t.true(v.svg.trimEnd().endsWith('</svg>'));
  }
  t.regex(seed.views[5]!.svg, /class="node file unreachable named"/);
  const viro = pageData(readFileSync(join(SITE, 'viro-2019--gc-releases-ring-cycle.html'), 'utf8'));
  t.is(viro.views.length, 7);
  t.regex(viro.views[6]!.caption, /^kernel unix_gc\(\) = 0$/);
});

test('report: self-contained pages (no network, no external scripts or fonts) of reasonable weight', async (t) => {
  await report();
  let total = 0;
  for (const f of readdirSync(SITE)) {
    const html = readFileSync(join(SITE, f), 'utf8');
    total += statSync(join(SITE, f)).size;
    t.false(/<script[^>]+src=/i.test(html), `${f}: no external script`);
    t.false(/<link\b/i.test(html), `${f}: no linked stylesheet or font`);
    t.false(/@import|@font-face|url\(/i.test(html), `${f}: no CSS fetches`);
    t.false(/(src|href)="(https?:)?\/\//i.test(html), `${f}: no network URL`);
    for (const m of html.matchAll(/href="([^"#]+)"/g)) t.true(existsSync(join(SITE, m[1]!)), `${f} links ${m[1]} which exists`);
  }
  t.true(total < 400 * 1024, `the site weighs ${total} bytes`);
});

test('report, bad input → exit 2, one line', async (t) => {
  assertUserError(t, await run(['report']), 'E_USAGE', /report needs --out DIR/);
  assertUserError(t, await run(['report', '--out', join(TMP, 'x'), '--designs', 'nope-2019']), 'E_DESIGN_UNKNOWN', /nope-2019/);
  assertUserError(t, await run(['report', '--out', join(TMP, 'x'), '--tasks', 'two']), 'E_BOUNDS', /--tasks expects a whole number/);
  assertUserError(t, await run(['report', '--out', join(TMP, 'x'), '--html']), 'E_USAGE');
  const file = join(TMP, 'a-file');
  writeFileSync(file, '');
  assertUserError(t, await run(['report', '--out', join(file, 'site'), '--designs', 'flush-teardown', '--depth', '3']), 'E_OUTPUT', /cannot create directory/);
  t.false(existsSync(join(TMP, 'x')), 'nothing written on bad input');
});

test('report --designs with a user design whose name needs escaping in a file name', async (t) => {
  const dir = join(TMP, 'user-site');
  mkdirSync(join(TMP, 'designs'), { recursive: true });
  const design = join(TMP, 'designs', 'odd.ts');
  writeFileSync(design, "export default { name: 'odd name/v2', summary: 'flush-teardown under another name', base: 'flush-teardown' };\n");
  const r = await run(['report', '--out', dir, '--designs', design]);
  t.is(r.code, 0, r.err);
  t.deepEqual(readdirSync(dir).sort(), ['index.html', 'odd_name_v2--gc-releases-cycle.html', 'odd_name_v2--teardown-on-final-fput.html']);
  t.regex(readFileSync(join(dir, 'index.html'), 'utf8'), /<tr data-design="odd name\/v2">/);
});

// ------------------------------------------------------------------------------------------------
// A use-after-free's pictures, and a witness's trace

// CVE-2022-2602 on linux-5.1: f3 (the regular file on fixed slot 1) freed at step 16 while request 0 of
// the ring f2 still points at it (test/dot.test.ts derives the steps).
let uafCheck: Promise<Run> | undefined;
const UAF_DOTS = join(TMP, 'uaf-dots');
const UAF_TRACE = join(TMP, 'uaf.json');
const checkUaf = () => (uafCheck ??= run(['check', '--design', 'linux-5.1', '--scenario', 'cve-2022-2602', '--dot', UAF_DOTS, '--trace-out', UAF_TRACE]));

test('check --dot, render: the violating step of CVE-2022-2602 draws f3 freed with the dangling edge from request 0; step 15 does not', async (t) => {
  const r = await checkUaf();
  t.is(r.code, 1);
  const last = graph(readFileSync(join(UAF_DOTS, 'no-use-after-free-step-16.dot'), 'utf8'));
  t.deepEqual(last.nodes.filter((n) => last.cls(n).includes('freed')), ['file_3']);
  t.true(last.edges.includes('requests_2:r0 -> file_3'));
  const dot16 = readFileSync(join(UAF_DOTS, 'no-use-after-free-step-16.dot'), 'utf8');
  t.regex(dot16, /requests_2:r0 -> file_3 \[class="borrows dangling"/);
  const before = readFileSync(join(UAF_DOTS, 'no-use-after-free-step-15.dot'), 'utf8');
  t.false(/freed|dangling/.test(before.replace(/label=<[^\n]*>\]/g, '')), 'no freed node, no dangling edge before the free');
  // render draws the same picture from the trace file.
  const rendered = await run(['render', UAF_TRACE]);
  t.is(rendered.code, 0, rendered.err);
  t.is(rendered.out.replace(/\n$/, ''), dot16.replace(/\n$/, ''));
  const svg = await run(['render', UAF_TRACE, '--format', 'svg']);
  t.regex(svg.out, /class="node file released freed named"/);
  t.regex(svg.out, /class="edge borrows dangling"/);
});

test('check --trace-out --trace-of scenario-completes writes the completing run; replay names the witness reached, no violation', async (t) => {
  const file = join(TMP, 'completes.json');
  const r = await run(['check', '--design', 'linux-5.1', '--scenario', 'cve-2022-2602', '--trace-out', file, '--trace-of', 'scenario-completes']);
  t.is(r.code, 1, 'the scenario still violates no-use-after-free');
  t.deepEqual(r.errWrites, [`trace of scenario-completes (witness) written to ${file}`]);
  const trace = JSON.parse(readFileSync(file, 'utf8')) as { property: string; steps: { task: number | string; syscall: string }[]; programs: { syscall: string }[][] };
  t.is(trace.property, 'scenario-completes');
  // It carries the scenario's program (a trace file names no scenario), which replay checks the witness against.
  t.deepEqual(trace.programs.map((p) => p.map((l) => l.syscall)), [['socketpair', 'io_uring_setup', 'open', 'io_uring_register', 'sendmsg', 'io_uring_enter', 'close', 'close', 'close', 'close']]);
  // The program's 10 calls (scenarios/cve-2022-2602.json), in order, and nothing of the kernel's.
  t.deepEqual(trace.steps.map((s) => s.syscall), ['socketpair', 'io_uring_setup', 'open', 'io_uring_register', 'sendmsg', 'io_uring_enter', 'close', 'close', 'close', 'close']);
  const rp = await run(['replay', file]);
  t.is(rp.code, 0, rp.out);
  t.true(rp.out.startsWith(`replaying ${file} (10 steps, made with linux-5.1 for the witness scenario-completes) against design linux-5.1`));
  t.regex(rp.out, /^witness: scenario-completes after step 10: every program ran to its end: T0 10 calls$/m);
  t.regex(rp.out, /^the trace's witness scenario-completes is reached after step 10 under linux-5\.1$/m);
  t.false(/^violated:/m.test(rp.out));
  const j = JSON.parse((await run(['replay', file, '--json'])).out) as { witness: unknown };
  t.deepEqual(j.witness, { property: 'scenario-completes', reached: true, step: 10 });
  // Cut short, the run does not complete: the witness is not reached (and nothing is violated).
  const cut = join(TMP, 'completes-cut.json');
  writeFileSync(cut, JSON.stringify({ ...trace, steps: trace.steps.slice(0, 9) }));
  const c = await run(['replay', cut]);
  t.is(c.code, 0);
  t.regex(c.out, /^the trace's witness scenario-completes is not reached along this trace under linux-5\.1$/m);
  // Without its programs the witness cannot be checked, and replay says why.
  const bare = join(TMP, 'completes-bare.json');
  writeFileSync(bare, JSON.stringify({ ...trace, programs: undefined }));
  t.regex((await run(['replay', bare])).out, /is not reached along this trace under linux-5\.1 \(the trace carries no "programs" to check it against\)$/m);
  // Steps that are not the programs' calls: an invalid trace.
  const off = join(TMP, 'completes-off.json');
  writeFileSync(off, JSON.stringify({ ...trace, programs: [trace.programs[0]!.slice(1)] }));
  assertUserError(t, await run(['replay', off]), 'E_TRACE_INVALID', /step 1: T0 socketpair\(AF_UNIX, SOCK_DGRAM\) is not the next call of its program in "programs"$/);
});

test('check --trace-of: an unknown name is E_USAGE before the search; a verdict with no trace is E_NO_TRACE after the result', async (t) => {
  const file = join(TMP, 'never.json');
  assertUserError(t, await run(['check', '--design', 'linux-5.1', '--scenario', 'cve-2022-2602', '--trace-out', file, '--trace-of', 'no-such-thing']),
    'E_USAGE', /--trace-of: unknown property or witness 'no-such-thing' \(known: no-leak, .*scenario-completes\)$/);
  assertUserError(t, await run(['check', '--design', 'seed-2019', '--trace-out', file, '--trace-of', 'scenario-completes']),
    'E_USAGE', /that witness is checked only with --scenario/);
  assertUserError(t, await run(['check', '--design', 'seed-2019', '--trace-of', 'no-leak']), 'E_USAGE', /--trace-of NAME goes with --trace-out FILE/);
  // linux-6.18 fixes CVE-2022-2602: no-use-after-free holds, so it has no trace.
  const h = await run(['check', '--design', 'linux-6.18', '--scenario', 'cve-2022-2602', '--trace-out', file, '--trace-of', 'no-use-after-free']);
  t.is(h.code, 2);
  t.regex(h.out, /no-use-after-free\s+holds/, 'the result is printed first');
  t.deepEqual(h.errWrites, [`inflight: E_NO_TRACE: --trace-of no-use-after-free: no-use-after-free holds, so it has no trace: ${file} not written`]);
  t.false(existsSync(file));
  // No --trace-of and nothing violated: said so, with the witnesses whose traces can be written.
  const n = await run(['check', '--design', 'linux-6.18', '--scenario', 'cve-2022-2602', '--trace-out', file]);
  t.is(n.code, 0);
  t.deepEqual(n.errWrites, [`no property is violated, so there is no violation's trace: ${file} not written (a witness's trace: --trace-of request-completes-on-fixed-file | scenario-completes)`]);
  t.false(existsSync(file));
});
