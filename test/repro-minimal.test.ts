// `inflight repro --minimal`: a one-task trace as a flat main of raw syscall() calls. The C compiles with
// gcc -Wall, runs on this kernel, exits 0 when every result agrees and 1 naming the step when one differs
// (the kernel's own difference, or a recorded result planted in the trace file); a trace with more than
// one task is one E_REPRO_UNSUPPORTED line. The full form's exit status is checked here too.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.js';
import { runCheck } from '../cli/run.js';
import { DEFAULT_BOUNDS, SYSCALLS } from '../model/bounds.js';
import { builtinDesign } from '../model/designs/index.js';
import { scenarioBounds } from '../model/scenario.js';
import { handTrace } from '../oracle/hand.js';
import { builtinScenario, builtinScenarios } from '../scenarios/index.js';
import { traceToJson, type TraceFile } from '../traces/format.js';
import { ReproUnsupported } from '../traces/repro.js';
import { reproMinimalC } from '../traces/repro-minimal.js';

const dir = mkdtempSync(join(tmpdir(), 'inflight-repro-minimal-'));
const L618 = builtinDesign('linux-6.18')!;

const probe: { ok: true } | { ok: false; why: string } = (() => {
  if (spawnSync('gcc', ['--version']).status !== 0) return { ok: false, why: 'gcc is not installed' };
  const src = join(dir, 'probe.c');
  writeFileSync(src, '#include <unistd.h>\n#include <sys/syscall.h>\nint main(void) { unsigned p[30] = {0}; return syscall(425, 4, p) < 0; }\n');
  if (spawnSync('gcc', ['-O2', '-o', join(dir, 'probe'), src]).status !== 0) return { ok: false, why: 'gcc cannot build a test program' };
  return spawnSync(join(dir, 'probe'), { timeout: 5000 }).status === 0 ? { ok: true } : { ok: false, why: 'io_uring_setup is not permitted here' };
})();
const kernelTest = probe.ok ? test : test.skip;
if (!probe.ok) test('repro --minimal: the kernel tests are skipped', (t) => { t.log(`skipped: ${probe.why}`); t.pass(); });

async function cli(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err };
}

/** Compiles (gcc -O2 -Wall, no warning) and runs; returns the exit status and stdout. */
function build(t: { is: (a: unknown, b: unknown, m?: string) => void }, name: string, c: string): { status: number | null; out: string } {
  const src = join(dir, `${name}.c`);
  writeFileSync(src, c);
  const cc = spawnSync('gcc', ['-O2', '-Wall', '-o', join(dir, name), src], { encoding: 'utf8' });
  t.is(cc.status, 0, `gcc: ${cc.stderr}`);
  t.is(cc.stderr, '', 'gcc -Wall warns');
  const run = spawnSync(join(dir, name), { encoding: 'utf8', timeout: 20_000 });
  return { status: run.status, out: run.stdout };
}

// Everything a one-task trace can do: SCM_RIGHTS and a receive, a ring with registered files, an update,
// fixed and plain-fd reads (pending), a listener with a connection accepted, closes, a GC run.
const ONE_TASK = handTrace(L618, [
  [0, 'socketpair', { type: 'dgram' }], [0, 'open'], [0, 'sendmsg', { fd: 3, rights: [5] }], [0, 'close', { fd: 5 }],
  [0, 'recvmsg', { fd: 4, peek: false }], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 6, files: [5, -1] }],
  [0, 'io_uring_update', { fd: 6, offset: 1, files: [3] }], [0, 'io_uring_enter', { fd: 6, op: 'read', fixed: true, target: 0 }],
  [0, 'io_uring_enter', { fd: 6, op: 'read', fixed: false, target: 5 }], [0, 'io_uring_enter', { fd: 6, op: 'read', fixed: true, target: 7 }],
  [0, 'io_uring_enter', { fd: 5, op: 'read', fixed: false, target: 5 }],
  [0, 'socket', { type: 'stream' }], [0, 'bind', { fd: 7, addr: 0 }], [0, 'listen', { fd: 7 }], [0, 'socket', { type: 'stream' }],
  [0, 'connect', { fd: 8, addr: 0 }],
  [0, 'accept', { fd: 7 }], [0, 'accept', { fd: 7 }], [0, 'sendmsg', { fd: 4, rights: [4] }], [0, 'close', { fd: 6 }], [0, 'close', { fd: 3 }],
  [0, 'close', { fd: 4 }], ['kernel', 'unix_gc', {}], [0, 'close', { fd: 4 }],
], { tasks: 1, reqs: 3, fds: 8, files: 8, ops: SYSCALLS }, 'hand-written');

test('the C is a flat main: one raw syscall per step, literal fds, the helpers from minimal.c, strings only in the tables', (t) => {
  const c = reproMinimalC(ONE_TASK);
  const m = c.slice(c.indexOf('int main(void)'));
  t.regex(m, /\/\* step 1 \*\/\n {2}res = syscall\(__NR_socketpair, AF_UNIX, SOCK_DGRAM, 0, pair\);\n {2}expect_fds\(1, res, 0, "", 2, \(int\[\]\)\{ 3, 4 \}, 2, pair\);/);
  t.regex(m, /res = syscall\(__NR_sendmsg, 3, rights_msg\(1, \(int\[\]\)\{ 5 \}\), MSG_DONTWAIT \| MSG_NOSIGNAL\);\n {2}expect\(3, res, 1, ""\);/);
  t.regex(m, /res = syscall\(__NR_io_uring_register, 6, IORING_REGISTER_FILES, \(int\[\]\)\{ 5, -1 \}, 2\);/);
  t.regex(m, /sqe->opcode = IORING_OP_READ; sqe->flags = IOSQE_FIXED_FILE; sqe->fd = 0;/);
  t.regex(m, /res = syscall\(__NR_io_uring_enter, 6, 1, 0, 0, NULL, 0\);\n {2}expect_enter\(9, res, 1, ""\);/);
  // A fixed slot past the table: the CQE's EBADF is the design's result.
  t.regex(m, /expect_enter\(11, res, -1, "EBADF"\);/);
  t.regex(m, /sqe = sqe_get\(5, NULL\);[\s\S]*expect_enter\(12, res, -1, "EOPNOTSUPP"\);/);
  t.regex(m, /addr = abstract_name\(0, &len\);\n {2}res = syscall\(__NR_bind, 7, addr, len\);/);
  t.regex(m, /addr = abstract_name\(0, &len\);\n {2}res = syscall\(__NR_connect, 8, addr, len\);/);
  t.regex(m, /\/\* step 24 \*\/\n {2}res = syscall\(__NR_socket, AF_UNIX, SOCK_DGRAM, 0\);   \/\* the GC's kick/);
  t.regex(m, /return finish\(NSTEPS\);\n\}\n$/);
  // No step text in main: it is in step_text, as literals.
  t.notRegex(m, /T0 /);
  t.regex(c, /const char \*const step_text\[NSTEPS \+ 1\] = \{ "", "T0 socketpair\(AF_UNIX, SOCK_DGRAM\)", /);
  t.regex(c, /^#include <sys\/syscall\.h>$/m);
  t.notRegex(c, /#include <liburing/);
});

kernelTest('a one-task trace that agrees: compiles with -Wall, runs, prints no step, exits 0', (t) => {
  const r = build(t, 'one-task', reproMinimalC(ONE_TASK));
  t.is(r.status, 0, r.out);
  t.notRegex(r.out, /DIFFERS/);
  t.regex(r.out, /^inflight repro --minimal: 25 steps of design linux-6\.18\nthe kernel's results agree with the trace's at all 25 steps\n$/);
});

kernelTest('a planted mismatch (a recorded result edited in the file): both forms exit 1 naming the step', async (t) => {
  // Step 3's sendmsg returned 1; the file now says EBADF. The design still gives 1 and so does the kernel.
  const planted: TraceFile = { ...ONE_TASK, steps: ONE_TASK.steps.map((s, i) => (i === 2 ? { ...s, result: { ret: -1, errno: 'EBADF' } } : s)) };
  const file = join(dir, 'planted.json');
  writeFileSync(file, traceToJson(planted));
  const min = await cli(['repro', file, '--minimal']);
  t.is(min.code, 0, min.err.join('\n'));
  const r = build(t, 'planted-min', min.out);
  t.is(r.status, 1, r.out);
  t.regex(r.out, /^step 3 T0 sendmsg\(3, SCM_RIGHTS\[5\]\): kernel 1; trace -1 EBADF \(the design gives 1\); DIFFERS$/m);
  t.is(r.out.match(/DIFFERS/g)?.length, 1, 'only step 3 differs');
  t.regex(r.out, /the kernel's results DIFFER from the trace's\n$/);
  const full = await cli(['repro', file]);
  t.is(full.code, 0, full.err.join('\n'));
  const f = build(t, 'planted-full', full.out);
  t.is(f.status, 1, f.out);
  t.regex(f.out, /^step 3 T0 sendmsg\(3, SCM_RIGHTS\[5\]\): kernel 1; trace 1; DIFFERS\n {8}the trace file recorded -1 EBADF; design linux-6\.18 gives the result compared here$/m);
  t.regex(f.out, /\nthe kernel's results DIFFER from the trace's\n/);
  // A planted result on a step with no syscall of its own (the GC's kick) is named too.
  const gc = { ...ONE_TASK, steps: ONE_TASK.steps.map((s, i) => (i === 23 ? { ...s, result: { ret: 7 } } : s)) };
  const g = build(t, 'planted-gc', reproMinimalC(gc));
  t.is(g.status, 1, g.out);
  t.regex(g.out, /^step 24 kernel unix_gc\(\): no syscall here; the trace file recorded 7, which is not what the design gives; DIFFERS$/m);
});

kernelTest('the kernel differs from the design (seed-2019 sends a ring fd; 6.18 refuses with EINVAL): both forms exit 1 naming the step', async (t) => {
  const v = runCheck(builtinDesign('seed-2019')!, DEFAULT_BOUNDS).properties.find((p) => p.name === 'no-leak');
  if (!v?.trace) { t.fail('seed-2019 gave no no-leak trace'); return; }
  t.true(v.trace.steps.every((s) => s.task === 0 || s.task === 'kernel'), 'a one-task trace');
  const n = v.trace.steps.findIndex((s) => s.syscall === 'sendmsg' && (s.args as { rights: number[] }).rights.length > 0) + 1;
  const r = build(t, 'seed-min', reproMinimalC(v.trace));
  t.is(r.status, 1, r.out);
  t.regex(r.out, new RegExp(`^step ${n} T0 sendmsg\\(.*\\): kernel -1 EINVAL; trace 1; DIFFERS$`, 'm'));
  const file = join(dir, 'seed.json');
  writeFileSync(file, traceToJson(v.trace));
  const full = await cli(['repro', file]);
  const f = build(t, 'seed-full', full.out);
  t.is(f.status, 1);
  t.regex(f.out, new RegExp(`^step ${n} T0 sendmsg.*: kernel -1 EINVAL; trace 1; DIFFERS$`, 'm'));
});

test('a trace with more than one task: one E_REPRO_UNSUPPORTED line saying why, exit 2, no C', async (t) => {
  const two = handTrace(L618, [[0, 'socketpair', { type: 'dgram' }], [0, 'fork'], [1, 'close', { fd: 3 }]], { tasks: 2 }, 'hand-written');
  const file = join(dir, 'two.json');
  writeFileSync(file, traceToJson(two));
  const r = await cli(['repro', file, '--minimal']);
  t.is(r.code, 2);
  t.is(r.out, '');
  t.deepEqual(r.err, [`inflight: E_REPRO_UNSUPPORTED: ${file}: --minimal makes one-task traces only: step 2 (fork) makes a second task; the full form (without --minimal) runs one process per task`]);
  t.is((await cli(['repro', file])).code, 0, 'the full form makes it');
  // A GC after the task's exit: no process is left to kick it.
  const late = handTrace(L618, [[0, 'socketpair', { type: 'dgram' }], [0, 'exit'], ['kernel', 'unix_gc', {}]], { tasks: 1 }, 'hand-written');
  t.throws(() => reproMinimalC(late), { instanceOf: ReproUnsupported, message: /step 3 \(unix_gc\): it comes after the task's exit at step 2/ });
});

kernelTest('exit ends the program (its files go with it), with the verdict of the steps before', (t) => {
  const ex = handTrace(L618, [[0, 'socketpair', { type: 'stream' }], [0, 'close', { fd: 9 }], [0, 'exit']], { tasks: 1, fds: 8 }, 'hand-written');
  const c = reproMinimalC(ex);
  t.regex(c, /expect\(2, res, -1, "EBADF"\);\n {2}\/\* step 3 \*\/\n {2}\/\* exit: [^\n]*\*\/\n {2}return finish\(NSTEPS\);/);
  const r = build(t, 'exit', c);
  t.is(r.status, 0, r.out);
});

test('every one-task trace of a built-in scenario has a --minimal C that gcc -Wall compiles', (t) => {
  let made = 0, refused = 0;
  const cc = spawnSync('gcc', ['--version']).status === 0;
  for (const b of builtinScenarios()) {
    const sc = builtinScenario(b.name);
    if (!sc || typeof sc === 'string') continue;
    for (const dname of Object.keys(sc.expect)) {
      const design = builtinDesign(dname);
      if (!design) continue;
      for (const p of runCheck(design, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc }).properties) {
        if (!p.trace) continue;
        let c: string;
        try { c = reproMinimalC(p.trace); } catch (e) {
          t.true(e instanceof ReproUnsupported && /one-task traces only/.test(e.message), String(e));
          t.true(p.trace.steps.some((s) => s.syscall === 'fork' || (s.task !== 0 && s.task !== 'kernel')), 'refused only for a second task');
          refused++;
          continue;
        }
        made++;
        if (!cc) continue;
        const src = join(dir, `scen-${made}.c`);
        writeFileSync(src, c);
        const r = spawnSync('gcc', ['-O2', '-Wall', '-fsyntax-only', src], { encoding: 'utf8' });
        t.is(r.status, 0, `${b.name} ${dname}: ${r.stderr}`);
        t.is(r.stderr, '', `${b.name} ${dname}: gcc -Wall warns`);
      }
    }
  }
  t.log(`${made} one-task scenario traces made, ${refused} refused (more than one task)`);
  t.true(made > 0);
});

test('README documents --minimal', (t) => {
  t.regex(readFileSync(new URL('../README.md', import.meta.url), 'utf8'), /repro [^\n]*--minimal/);
});
