// io_uring on the real kernel (issue 14, part 4): the executor submits the model's requests as SQEs
// (IORING_OP_READ of a file, IORING_OP_RECV of a stream socket, IORING_OP_POLL_ADD for a request on a
// ring), fixed or plain, and the kernel's results, CQE errors and file fates agree with linux-6.18; a
// planted wrong prediction is caught; the interleavings the kernel cannot follow are refused, one line.
// Serial: the executor's runs share the machine's unix GC.
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinDesign } from '../model/designs/index.js';
import { compare, predict, type Prediction } from '../oracle/compare.js';
import { executorBinary, gccAvailable, OracleUnavailable, runOnKernel, type KernelResult } from '../oracle/executor.js';
import { handTrace, HAND_TRACES, type HandStep } from '../oracle/hand.js';
import { traceToJson } from '../traces/format.js';
import { cli } from './helpers/cli.js';

const design = builtinDesign('linux-6.18')!;
const dir = mkdtempSync(join(tmpdir(), 'inflight-oracle-uring-'));
const NAMES = ['enter-recv', 'enter-read-poll', 'enter-errors'] as const;

function prediction(name: string, steps: readonly HandStep[] = HAND_TRACES[name]!): Prediction {
  const tr = handTrace(design, steps);
  const p = predict(name, tr.steps, tr.bounds, design);
  if (typeof p === 'string') throw new Error(p);
  return p;
}

let cached: { r?: KernelResult; preds: Prediction[]; skip?: string } | undefined;
function run(): { r?: KernelResult; preds: Prediction[]; skip?: string } {
  if (cached) return cached;
  const preds = NAMES.map((n) => prediction(n));
  if (!gccAvailable()) return (cached = { preds, skip: 'gcc is not available' });
  try {
    const r = runOnKernel(preds.map((p) => p.script));
    cached = r.header.io_uring === 'ok' ? { r, preds } : { preds, skip: `io_uring is not usable here (${r.header.io_uring_errno ?? '?'})` };
  } catch (e) {
    if (!(e instanceof OracleUnavailable)) throw e;
    cached = { preds, skip: e.message };
  }
  return cached;
}
const skipped = (t: ExecutionContext): boolean => { const s = run().skip; if (s) { t.log(`skipped: ${s}`); t.pass(); } return s !== undefined; };

test.serial('the io_uring hand traces are made whole by the executor (nothing refused), and all agree with linux-6.18', (t) => {
  for (const p of run().preds) t.is(p.notMade, undefined, p.script.name);
  if (skipped(t)) return;
  const { r, preds } = run();
  preds.forEach((p, i) => {
    const c = compare(p, r!.runs[i]!, r!.header);
    t.true(c.agrees, `${p.script.name}: ${JSON.stringify(c.steps.filter((s) => s.status !== 'agree'))} ${JSON.stringify(c.fates.filter((f) => !f.agrees))}`);
  });
});

test.serial('recv: inline with data (the carried file put at once), pending without, holding its socket past close and unregister until data comes', (t) => {
  if (skipped(t)) return;
  const k = run().r!.runs[0]!;
  // Step 7: the fixed recv consumes the skb that carries f2 (closed fd): f2 goes at the call.
  t.like(k.steps[6], { ret: 1 });
  t.deepEqual(k.steps[6]!.rel, [2]);
  // Steps 10-12: the plain recv waits; unregister and close(4) leave f1 held by the request.
  t.like(k.steps[9], { ret: 1 });
  t.false((k.steps[9] as { cqe?: number }).cqe !== undefined, 'no CQE yet: pending');
  for (const i of [10, 11]) t.deepEqual(k.steps[i]!.rel, [], `step ${i + 1}`);
  // Step 13's data completes it (the model: the io-wq stages of steps 14-15): f1 goes.
  t.deepEqual([12, 13, 14].flatMap((i) => k.steps[i]!.rel ?? []), [1]);
});

test.serial('read and poll: a plain read holds its file, a poll of ring B holds B and its table until the poller\'s close', (t) => {
  if (skipped(t)) return;
  const k = run().r!.runs[1]!;
  t.deepEqual(k.steps.slice(0, 12).flatMap((s) => s.rel ?? []), [], 'nothing goes before the rings close');
  t.deepEqual(k.steps[12]!.rel, [1], 'A\'s close cancels its read: f1');
  t.deepEqual([...k.steps[13]!.rel!].sort(), [0, 3], 'C\'s close cancels its poll: B goes, and B\'s table\'s f0');
});

test.serial('errors: the CQE\'s ENOTSOCK, EINVAL, EBADF; the call\'s EOPNOTSUPP and EBADF', (t) => {
  if (skipped(t)) return;
  const k = run().r!.runs[2]!;
  t.deepEqual(k.steps.slice(4, 10).map((s) => s.errno), ['ENOTSOCK', 'EINVAL', 'EBADF', 'EBADF', 'EOPNOTSUPP', 'EBADF']);
  t.deepEqual(k.steps.slice(4, 8).map((s) => (s as { cqe?: number }).cqe), [-88, -22, -9, -9], 'posted as CQEs; the call returned 1');
  t.deepEqual(k.steps.slice(8, 10).map((s) => (s as { enter_ret?: number }).enter_ret), [-1, -1]);
});

test.serial('a planted wrong prediction is caught: a plain read that holds no reference (its file released at the fd\'s close)', (t) => {
  if (skipped(t)) return;
  const { r, preds } = run();
  const p = preds[1]!;
  // Plant: f1 released right after close(4) (step 7), as a design whose plain-fd request took no reference would say.
  const fates = p.fates.map((f, i) => (i >= 7 ? f.map((x, id) => (id === 1 ? 'released' as const : x)) : f));
  const c = compare({ ...p, fates }, r!.runs[1]!, r!.header);
  t.false(c.agrees);
  t.regex(c.steps[6]!.why.join(' '), /^f1:regular predicted released, still live in the kernel$/);
});

test.serial('what the kernel cannot follow is refused by inflight kernel, one line naming the step, exit 2', async (t) => {
  const cases: [string, HandStep[], RegExp][] = [
    ['read of a socket', [[0, 'socketpair', { type: 'stream' }], [0, 'io_uring_setup'], [0, 'io_uring_enter', { fd: 5, op: 'read', fixed: false, target: 3 }]],
      /step 3 \(io_uring_enter\(5, IORING_OP_READ, fd 3\)\) cannot be made by the kernel oracle: a read of a unix socket/],
    ['a recv left waiting', [[0, 'socketpair', { type: 'stream' }], [0, 'io_uring_setup'], [0, 'sendmsg', { fd: 4, rights: [] }], [0, 'io_uring_enter', { fd: 5, op: 'recv', fixed: false, target: 3 }], [0, 'close', { fd: 4 }]],
      /step 5 \(close\(4\)\) cannot be made by the kernel oracle: a recv with data \(or at EOF\) waits here/],
    ['io-wq blocking', [[0, 'open'], [0, 'io_uring_setup'], [0, 'io_uring_enter', { fd: 4, op: 'read', fixed: false, target: 3 }], ['kernel', 'io_wq', { ring: 1, req: 0, stage: 'block' }]],
      /step 4 \(io_wq\(f1 request 0\): block\) cannot be made by the kernel oracle: no io-wq worker blocks/],
    ['exit with a poll of a ring', [[0, 'io_uring_setup'], [0, 'io_uring_setup'], [0, 'io_uring_enter', { fd: 3, op: 'read', fixed: false, target: 4 }], [0, 'exit']],
      /step 4 \(exit\(0\)\) cannot be made by the kernel oracle: the kernel cancels the task's io_uring requests at exit/],
    ['the teardown canary\'s slot', [[0, 'open'], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 4, files: [3] }], [0, 'io_uring_enter', { fd: 4, op: 'read', fixed: true, target: 1 }]],
      /step 4 .*cannot be made by the kernel oracle: its slot is one past the ring's table/],
  ];
  for (const [what, steps, re] of cases) {
    const file = join(dir, `${what.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, traceToJson(handTrace(design, steps)));
    const r = await cli(['kernel', file]);
    t.is(r.code, 2, what);
    t.regex(r.err, new RegExp(`^inflight: E_KERNEL_UNSUPPORTED: .*${re.source}`), what);
    t.false(r.err.trim().includes('\n'), `${what}: one line`);
  }
});

test.serial('the executor refuses a malformed io_uring_enter line before any syscall (fatal)', (t) => {
  if (!gccAvailable()) { t.log('skipped: gcc is not available'); t.pass(); return; }
  const bad = ['0 io_uring_enter 3 write plain 3', '0 io_uring_enter 3 read fixed 600', '0 io_uring_enter 3 read plain 600', '0 io_uring_enter 600 read plain 3',
    '0 io_uring_enter 3 read sideways 3', '0 io_uring_enter 3 read plain', 'kernel io_wq 3'];
  for (const line of bad) {
    const r = spawnSync(executorBinary(), [], { input: `trace 0 1 3\n0 io_uring_setup -> 3\n${line}\nend\n`, encoding: 'utf8', timeout: 20_000 });
    const last = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((o) => o['fatal'] !== undefined);
    t.truthy(last, `${line}: ${r.stdout}`);
    t.regex(String(last?.['fatal']), /^step 2: /, line);
  }
});
