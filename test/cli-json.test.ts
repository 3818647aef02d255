// --json of render, report and repro, with exact contents on known traces: seed-2019's 5-step leak
// (socketpair, io_uring_setup, sendmsg of the ring, io_uring_register of the other end, exit) and
// CVE-2022-2602 on linux-5.1 (the fixed file freed under request 0 at step 16).
import test from 'ava';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';

const TMP = mkdtempSync(join(tmpdir(), 'inflight-json-'));
const LEAK = join(TMP, 'leak.json');
let leak: Promise<unknown> | undefined;
const leakTrace = () => (leak ??= cli(['check', '--design', 'seed-2019', '--trace-out', LEAK]));

test('render --json: the last world of the leak as nodes, edges and marks (the same ids and classes as the DOT)', async (t) => {
  await leakTrace();
  const r = await cli(['render', LEAK, '--json']);
  t.is(r.code, 0, r.err);
  t.deepEqual(JSON.parse(r.out), {
    trace: LEAK, design: 'seed-2019', property: 'no-leak', step: 5, steps: 5, caption: 'T0 exit(0) = 0', format: 'dot',
    nodes: [
      { id: 'file_1', kind: 'file', title: 'f1:unix/dgram', rows: ['f_count 2 → 1', 'unreachable'], classes: ['file', 'unreachable', 'named'] },
      { id: 'queue_1', kind: 'queue', title: 'f1 receive queue', rows: ['skb 0 | f2:io_uring'], classes: ['queue', 'of-unreachable', 'named'] },
      { id: 'file_2', kind: 'file', title: 'f2:io_uring', rows: ['f_count 2 → 1', 'unreachable'], classes: ['file', 'unreachable', 'named'] },
      { id: 'table_2', kind: 'table', title: 'f2 registered files', rows: ['slot 0'], classes: ['table', 'of-unreachable', 'named'] },
    ],
    edges: [
      { from: 'file_1', to: 'queue_1', kind: 'has', classes: [] },
      { from: 'file_2', to: 'table_2', kind: 'has', classes: [] },
      { from: 'queue_1', fromPort: 's0e0', to: 'file_2', kind: 'holds', classes: ['unreachable'] },
      { from: 'table_2', fromPort: 'slot0', to: 'file_1', kind: 'holds', classes: ['unreachable'] },
    ],
    marks: { named: ['file_1', 'queue_1', 'file_2', 'table_2'], unreachable: ['file_1', 'file_2'], freed: [], released: [], dangling: [], new: [] },
  });
});

test('render --json --step 0 --out x.svg: the initial world (T0, no fds), and the SVG written', async (t) => {
  await leakTrace();
  const svg = join(TMP, 'step0.svg');
  const r = await cli(['render', LEAK, '--json', '--step', '0', '--out', svg]);
  t.is(r.code, 0, r.err);
  const j = JSON.parse(r.out) as Record<string, unknown>;
  t.like(j, { step: 0, caption: 'the initial world', format: 'svg', out: svg, edges: [],
    nodes: [{ id: 'task_0', kind: 'task', title: 'T0', rows: ['no open fds'], classes: ['task'] }] });
  t.regex(readFileSync(svg, 'utf8'), /<svg/);
});

test('render --json of CVE-2022-2602 at step 16: f3 freed, the dangling pointer of request 0', async (t) => {
  const uaf = join(TMP, 'uaf.json');
  await cli(['check', '--design', 'linux-5.1', '--scenario', 'cve-2022-2602', '--trace-out', uaf]);
  const j = JSON.parse((await cli(['render', uaf, '--json', '--step', '16'])).out) as { marks: Record<string, string[]>; nodes: { id: string; classes: string[] }[] };
  t.true(j.marks['freed']!.includes('file_3'));
  t.true(j.marks['dangling']!.includes('requests_2:r0 -> file_3'));
  t.deepEqual(j.nodes.find((n) => n.id === 'file_3')!.classes.slice(0, 3), ['file', 'released', 'freed']);
  const before = JSON.parse((await cli(['render', uaf, '--json', '--step', '15'])).out) as { marks: Record<string, string[]> };
  t.deepEqual([before.marks['freed'], before.marks['dangling']], [[], []]);
});

test('repro --json: the program\'s path, what each step makes and where its result is compared, the files', async (t) => {
  await leakTrace();
  const c = join(TMP, 'repro.c');
  const r = await cli(['repro', LEAK, '--json', '--out', c]);
  t.is(r.code, 0, r.err);
  const step = (n: number, call: string, expect: string) => ({ step: n, task: 0, call, makes: 'the syscall', expect, compared: n });
  t.deepEqual(JSON.parse(r.out), {
    trace: LEAK, design: 'seed-2019', traceDesign: 'seed-2019', property: 'no-leak', form: 'full', out: c,
    steps: [step(1, 'T0 socketpair(AF_UNIX, SOCK_DGRAM)', '0 [fds 3, 4]'), step(2, 'T0 io_uring_setup(8, &params)', '5'),
      step(3, 'T0 sendmsg(3, SCM_RIGHTS[5])', '1'), step(4, 'T0 io_uring_register(5, IORING_REGISTER_FILES, [4])', '0'), step(5, 'T0 exit(0)', '0')],
    // f0 (fd 3) is closed by the exit; f1 and the ring hold each other.
    files: [{ name: 'f0', kind: 'unix', madeAt: 1, modelReleased: true }, { name: 'f1', kind: 'unix', madeAt: 1, modelReleased: false },
      { name: 'f2', kind: 'ring', madeAt: 2, modelReleased: false }],
    checks: ["each step's result (return value, errno, fds) against design seed-2019's, at the step where the call returns",
      "which of the trace's files the kernel released by the end, against the model's fate"],
  });
  // Without --out the program's text is in the JSON, the same as repro prints.
  const text = JSON.parse((await cli(['repro', LEAK, '--json'])).out) as { program: string; out?: string };
  t.is(text.out, undefined);
  t.is(text.program, readFileSync(c, 'utf8'));
  t.is((await cli(['repro', LEAK])).out, text.program.replace(/\n$/, ''));
});

test('repro --minimal --json: the flat program (the same text as repro --minimal prints) and what it compares; no plan of observers or files', async (t) => {
  await leakTrace();
  const r = await cli(['repro', LEAK, '--minimal', '--json']);
  t.is(r.code, 0, r.err);
  const j = JSON.parse(r.out) as Record<string, unknown>;
  t.like(j, { trace: LEAK, design: 'seed-2019', form: 'minimal' });
  t.is(j['steps'], undefined);
  t.is(j['files'], undefined);
  t.deepEqual(j['checks'], ["each step's result (return value, errno, fds) against design seed-2019's, right after its syscall (a call in sub-steps: with the result where the trace's call returns)"]);
  t.is((await cli(['repro', LEAK, '--minimal'])).out, String(j['program']).replace(/\n$/, ''));
  t.not(j['program'], JSON.parse((await cli(['repro', LEAK, '--json'])).out).program);
});

test('report --json: the pages and files written, their sizes, and each design\'s verdicts', async (t) => {
  const dir = join(TMP, 'site');
  const r = await cli(['report', '--out', dir, '--designs', 'seed-2019,viro-2019', '--depth', '5', '--json']);
  t.is(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { dir: string; index: string; pages: unknown[]; pictures: number; files: { file: string; bytes: number }[]; bytes: number;
    designs: { design: string; verdicts: Record<string, { status: string; steps?: number }> }[] };
  t.is(j.dir, dir);
  t.is(j.index, join(dir, 'index.html'));
  t.deepEqual(j.pages, [
    { design: 'seed-2019', property: 'no-leak', file: 'seed-2019--no-leak.html' },
    { design: 'seed-2019', property: 'gc-releases-cycle', file: 'seed-2019--gc-releases-cycle.html' },
    { design: 'viro-2019', property: 'gc-releases-cycle', file: 'viro-2019--gc-releases-cycle.html' },
  ]);
  // 6 pictures of the 5-step leak, 5 of each 4-step witness.
  t.is(j.pictures, 16);
  t.deepEqual(j.files.map((f) => f.file), ['index.html', 'seed-2019--no-leak.html', 'seed-2019--gc-releases-cycle.html', 'viro-2019--gc-releases-cycle.html']);
  for (const f of j.files) t.is(f.bytes, statSync(join(dir, f.file)).size, f.file);
  t.is(j.bytes, j.files.reduce((a, f) => a + f.bytes, 0));
  t.deepEqual(j.designs.map((d) => d.design), ['seed-2019', 'viro-2019']);
  t.deepEqual(j.designs[0]!.verdicts['no-leak'], { status: 'violated', checkedDepth: 5, steps: 5 });
  t.deepEqual(j.designs[1]!.verdicts['no-leak'], { status: 'bounded', checkedDepth: 5 });
});
