// io_uring requests (io_uring_enter, the io_wq worker, ring release waiting for requests, io_ring_exit),
// registration as Linux did it (sparse tables, the ring-fd rejection with rollback, FILES_UPDATE with
// ring_sock accounting), and the bugs they make expressible: CVE-2022-2602, CVE-2023-6531, liburing's
// ring-leak.c and file-register.c test_partial_register_fail.
import test from 'ava';
import { check } from '../checker/bfs.js';
import type { Property } from '../checker/model.js';
import { DEFAULT_BOUNDS, type Bounds, type SyscallName } from '../model/bounds.js';
import { builtinDesigns } from '../model/designs/index.js';
import { kernelModel } from '../model/model.js';
import type { Ctx, Transition } from '../model/step.js';
import type { World } from '../model/world.js';
import { makeProperties } from '../properties/index.js';
import { runCheck, surprises } from '../cli/run.js';
import { canonicalKey } from '../model/key.js';
import { scenarioBounds, type Scenario } from '../model/scenario.js';
import { builtinScenario } from '../scenarios/index.js';
import { ctxFor, run } from './helpers/world.js';

/** The `always` state properties' messages on w (undefined entries left out). */
function violations(ctx: Ctx, w: World): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of makeProperties(ctx)) {
    if (p.kind !== 'always' || p.on !== 'state') continue;
    const m = (p as Extract<Property<World, Transition>, { on: 'state' }>).check(w);
    if (m) out[p.name] = m;
  }
  return out;
}
const uafCheck = (ctx: Ctx) => makeProperties(ctx).find((p) => p.name === 'no-use-after-free') as Extract<Property<World, Transition>, { on: 'state' }>;

/** A compact view of a file: f_count, released, and for a ring its requests, dying/dead and ring_sock queue. */
function view(w: World, id: number): unknown {
  const f = w.files[id]!;
  const base = { f_count: f.f_count, released: f.released };
  if (f.sock) return { ...base, queue: f.sock.queue.map((s) => ({ fds: s.fds, pinned: s.pinned })), inflight: f.sock.inflight };
  if (f.ring) {
    return {
      ...base, dying: f.ring.dying, dead: f.ring.dead, table: f.ring.table,
      requests: f.ring.requests.map((q) => `${q.op}${q.fixed ? ' fixed' : ''} f${q.file} ${q.phase}`),
      ...(f.ring.ringSock ? { ringSock: f.ring.ringSock.queue.map((s) => s.fds), ringSockInflight: f.ring.ringSock.inflight } : {}),
    };
  }
  return base;
}

// ---------------------------------------------------------------------------------------------------
// CVE-2022-2602 (domain.md §4.3): s0 = f0 (fd 3), s1 = f1 (fd 4), ring r = f2 (fd 5), victim F = f3 (fd 6).
const CVE_2022_2602_SETUP = [
  'T0 socketpair dgram', 'T0 io_uring_setup', 'T0 open',   // 1
  'T0 io_uring_register 5 4 6',                             // 2: ring_sock skb K0 carries {s1, F}
  'T0 sendmsg 3 5',                                         // 3: K1 on s1's queue carries the ring
  'T0 enter 5 read fixed 1',                                // 5: a write on fixed F …
  'io_wq 2 0 block',                                        //    … that W runs and blocks in (inode lock)
  'T0 close 5', 'T0 close 6', 'T0 close 4', 'T0 close 3',   // 6
  'gc start', 'gc select', 'gc select', 'gc scan',          // 7: candidates {s1, ring}: garbage
];

test('CVE-2022-2602 on linux-5.14: the GC purges the ring_sock skb and frees F under the blocked request; W\'s resume is a use-after-free', (t) => {
  const ctx = ctxFor('linux-5.14', { tasks: 1, gc: 'phased' });
  const uaf = uafCheck(ctx);
  const r = run(ctx, [...CVE_2022_2602_SETUP, 'gc purge', 'gc purge', 'io_wq 2 0 complete', 'io_ring_exit 2']);
  t.deepEqual(r.results.slice(0, 7), [{ ret: 0, fds: [3, 4] }, { ret: 5 }, { ret: 6 }, { ret: 0 }, { ret: 1 }, { ret: 1 }, { ret: 0 }]);
  // After the closes: ring 1 (K1), s1 1 (K0), F 1 (K0).
  const closed = r.worlds[11]!;
  t.deepEqual([1, 2, 3].map((id) => closed.files[id]!.f_count), [1, 1, 1]);
  t.deepEqual(violations(ctx, closed), {});
  // The scan: both skbs on the hitlist (5.14 purges ring_sock skbs).
  const scanned = r.worlds[15]!;
  t.deepEqual(scanned.gc.hitlist.map((s) => s.fds), [[2], [1, 3]]);
  // Purge K1: the ring's last reference → release; W still runs → dying.
  const p1 = r.worlds[16]!;
  t.deepEqual(view(p1, 2), { f_count: 0, released: true, dying: true, dead: false, table: [1, 3], requests: ['read fixed f3 blocked'], ringSock: [], ringSockInflight: 0 });
  t.is(uaf.check(p1), undefined);
  // Purge K0: s1 and F released while W's request still points at F.
  const p2 = r.worlds[17]!;
  t.true(p2.files[3]!.released && p2.files[1]!.released);
  t.is(uaf.check(p2), 'dangling pointer: request 0 of ring f2 (fixed file) still points at released f3:regular');
  // W resumes: the write goes through the freed struct file.
  const resumed = r.worlds[18]!;
  t.deepEqual(resumed.reports, [{ kind: 'use-after-free', file: 3, what: 'io-wq: request 0 of f2 (read, fixed file) reads through released f3' }]);
  t.is(uaf.check(resumed), 'use after free: io-wq: request 0 of f2 (read, fixed file) reads through released f3');
  t.deepEqual(view(r.world, 2), { f_count: 0, released: true, dying: false, dead: true, table: null, requests: [], ringSock: [], ringSockInflight: 0 });
});

test('CVE-2022-2602 on linux-6.1: the requeued ring_sock skb keeps F until the ring\'s release, which waits for W', (t) => {
  const ctx = ctxFor('linux-6.1', { tasks: 1, gc: 'phased' });
  const r = run(ctx, [...CVE_2022_2602_SETUP, 'gc purge', 'io_wq 2 0 complete', 'io_ring_exit 2']);
  const scanned = r.worlds[15]!;
  t.deepEqual(scanned.gc.hitlist.map((s) => s.fds), [[2]], 'K0 went back to the ring_sock');
  const purged = r.worlds[16]!;
  t.is(purged.gc.phase, 'idle');
  t.deepEqual(view(purged, 2), { f_count: 0, released: true, dying: true, dead: false, table: [1, 3], requests: ['read fixed f3 blocked'], ringSock: [[1, 3]], ringSockInflight: 0 });
  t.deepEqual(view(purged, 3), { f_count: 1, released: false });
  const resumed = r.worlds[17]!;
  t.deepEqual(resumed.reports, []);
  t.deepEqual(view(resumed, 2), { f_count: 0, released: true, dying: true, dead: false, table: [1, 3], requests: [], ringSock: [[1, 3]], ringSockInflight: 0 });
  // io_ring_exit_work: the registered files go with the ring_sock skb.
  t.true(r.world.files.every((f) => f.released));
  t.deepEqual(r.world.reports, []);
  for (const w of r.worlds) t.deepEqual(violations(ctx, w), {});
});

// ---------------------------------------------------------------------------------------------------
// CVE-2023-6531 (domain.md §4.4): S = f0 (fd 3), S' = f1 (fd 4), ring R = f2 (fd 5).
test('CVE-2023-6531 on linux-6.1: a recv on fixed S pins S\'s head skb, the GC purges it as garbage, the copy is a use-after-free', (t) => {
  const ctx = ctxFor('linux-6.1', { tasks: 1, gc: 'phased' });
  const r = run(ctx, [
    'T0 socketpair stream', 'T0 io_uring_setup',
    'T0 io_uring_register 5 3',          // K0 on R's ring_sock carries S
    'T0 sendmsg 4 5',                    // K1 on S's queue carries R
    'T0 enter 5 recv fixed 0', 'io_wq 2 0 pick',
    'T0 close 5', 'T0 close 3', 'T0 close 4',
    'gc start', 'gc select', 'gc select', 'gc scan', 'gc purge',
    'io_wq 2 0 complete', 'io_ring_exit 2',
  ]);
  const picked = r.worlds[6]!;
  t.deepEqual(view(picked, 0), { f_count: 2, released: false, queue: [{ fds: [2], pinned: true }], inflight: 1 });
  t.deepEqual(view(picked, 2), { f_count: 2, released: false, dying: false, dead: false, table: [0], requests: ['recv fixed f0 picked'], ringSock: [[0]], ringSockInflight: 1 });
  const scanned = r.worlds[13]!;
  t.deepEqual(scanned.gc.hitlist.map((s) => ({ fds: s.fds, pinned: s.pinned })), [{ fds: [2], pinned: true }]);
  const purged = r.worlds[14]!;
  t.deepEqual(purged.reports, [{ kind: 'use-after-free', file: -1, what: 'an skb freed (unix_gc purge) while a reader still points at it (bare skb pointer across the copy)' }]);
  t.regex(uafCheck(ctx).check(purged)!, /^use after free: an skb freed \(unix_gc purge\)/);
  t.deepEqual(view(purged, 2), { f_count: 0, released: true, dying: true, dead: false, table: [0], requests: ['recv fixed f0 picked'], ringSock: [[0]], ringSockInflight: 0 });
  // The copy finds its skb gone (reported at the free); the ring's teardown then releases S.
  t.deepEqual(r.results[14], { ret: 0 });
  t.true(r.world.files.every((f) => f.released));
  t.is(r.world.reports.length, 1);
});

test('CVE-2023-6531 on linux-6.7: the ring fd cannot be sent (EINVAL); S\'s table reference is counted, so S is never a GC candidate', (t) => {
  const ctx = ctxFor('linux-6.7', { tasks: 1, gc: 'phased' });
  const r = run(ctx, [
    'T0 socketpair stream', 'T0 io_uring_setup', 'T0 io_uring_register 5 3',
    'T0 sendmsg 4 5', 'T0 sendmsg 4',   // the ring fd: EINVAL; a plain message instead
    'T0 enter 5 recv fixed 0', 'io_wq 2 0 pick',
    'T0 close 5', 'T0 close 3', 'T0 close 4',
    'gc start',                          // nothing in flight: the run ends at once
    'io_wq 2 0 complete', 'io_ring_exit 2',
  ]);
  t.deepEqual(r.results[3], { ret: -1, errno: 'EINVAL' });
  t.deepEqual(view(r.worlds[3]!, 0), { f_count: 2, released: false, queue: [], inflight: 0 });
  t.deepEqual(r.results[11], { ret: 1 }, 'the recv consumes the one byte');
  t.deepEqual(view(r.worlds[10]!, 2), { f_count: 0, released: true, dying: true, dead: false, table: [0], requests: ['recv fixed f0 picked'] });
  t.true(r.world.files.every((f) => f.released));
  t.deepEqual(r.world.reports, []);
  for (const w of r.worlds) t.deepEqual(violations(ctx, w), {});
});

// ---------------------------------------------------------------------------------------------------
// liburing test/ring-leak.c test_iowq_request_cancel: the pipe is two regular files here (r = f1, w = f2).
for (const d of builtinDesigns) {
  test(`ring-leak test_iowq_request_cancel on ${d.name}: ring exit cancels the poll-waiting read, waits for the io-wq one, puts the registered write end`, (t) => {
    const ctx = ctxFor(d, { tasks: 1, reqs: 2 });
    const r = run(ctx, [
      'T0 io_uring_setup', 'T0 open', 'T0 open',      // ring f0 (fd 3), pipe r f1 (fd 4), w f2 (fd 5)
      'T0 io_uring_register 3 4 5', 'T0 close 5',      // the write end: only the ring holds it
      'T0 enter 3 read fixed 0',                       // waits in poll (queued)
      'T0 enter 3 read fixed 0', 'io_wq 0 1 block',    // IOSQE_ASYNC: an io-wq worker blocks in the read
      'T0 close 3',                                    // io_uring_queue_exit
    ]);
    t.deepEqual(r.results.slice(3, 7), [{ ret: 0 }, { ret: 0 }, { ret: 1 }, { ret: 1 }]);
    const exiting = r.world;
    if (d.switches.flushTeardown) {
      // The rejected ->flush design tears the ring down at the close itself, under the blocked worker.
      t.like(view(exiting, 0), { released: true, dying: true, dead: true, requests: ['read fixed f1 blocked'] });
      t.true(exiting.files[2]!.released);
    } else {
      t.like(view(exiting, 0), { released: true, dying: true, dead: false, requests: ['read fixed f1 blocked'] });
      t.false(exiting.files[2]!.released, 'the teardown waits for the blocked worker');
    }
    // The worker is interrupted (modelled as its completion), then io_ring_exit_work drops the table.
    const done = run(ctx, ['io_wq 0 0 complete', 'io_ring_exit 0'], exiting);
    t.true(done.world.files[2]!.released, 'read(fds[0]) sees EOF');
    t.false(done.world.files[1]!.released);
    t.deepEqual(done.world.reports, []);
    for (const w of [...r.worlds, ...done.worlds]) t.deepEqual(violations(ctx, w), {});
  });
}

// ring-leak.c test_scm_cycles: sp = f0 (fd 3), f1 (fd 4); ring f2 (fd 5); pipe r f3 (fd 6), w f4 (fd 7).
const SCM_CYCLE = {
  register: ['T0 io_uring_register 5 6 7 3 4'],
  update: ['T0 io_uring_register 5 -1 -1 -1 -1', 'T0 update 5 0 6 7 3 4'],
} as const;
for (const d of ['linux-5.1', 'linux-5.14', 'linux-6.1', 'linux-6.7', 'linux-6.10', 'linux-6.18']) {
  for (const variant of ['register', 'update'] as const) {
    test(`ring-leak test_scm_cycles(update=${variant === 'update'}) on ${d}`, (t) => {
      const ctx = ctxFor(d, { tasks: 1, files: 6, fds: 6 });
      const r = run(ctx, [
        'T0 socketpair dgram', 'T0 io_uring_setup', 'T0 open', 'T0 open',
        'T0 sendmsg 3 5',
        ...SCM_CYCLE[variant],
        'T0 close 7', 'T0 close 3', 'T0 close 4', 'T0 close 5',
        'gc',
      ]);
      const sent = r.results[4]!;
      const registered = r.results.slice(5, 5 + SCM_CYCLE[variant].length);
      // 5.1 had neither sparse sets nor FILES_UPDATE (both 5.5): fget(-1) fails the registration (EBADF),
      // the opcode is unknown (EINVAL), and the ring's fd in flight is all that is left of the cycle.
      const pre55 = d === 'linux-5.1' && variant === 'update';
      t.deepEqual(registered, pre55 ? [{ ret: -1, errno: 'EBADF' }, { ret: -1, errno: 'EINVAL' }] : variant === 'update' ? [{ ret: 0 }, { ret: 4 }] : [{ ret: 0 }]);
      if (pre55) {
        t.deepEqual(sent, { ret: 1 });
        t.is(r.worlds[r.worlds.length - 2]!.files[2]!.ring!.table, null);
      } else if (d === 'linux-5.1' || d === 'linux-5.14' || d === 'linux-6.1') {
        t.deepEqual(sent, { ret: 1 });
        const beforeGc = r.worlds[r.worlds.length - 2]!;
        t.false(beforeGc.files[4]!.released, 'before the GC the cycle holds the write end');
        t.deepEqual(view(beforeGc, 2), { f_count: 1, released: false, dying: false, dead: false, table: [3, 4, 0, 1], requests: [], ringSock: [[3, 4, 0, 1]], ringSockInflight: 1 });
      } else {
        t.deepEqual(sent, { ret: -1, errno: 'EINVAL' }, 'liburing skips the test (T_EXIT_SKIP)');
      }
      // read(fds[0]) returns EOF: the write end is released; only the read end stays.
      t.true(r.world.files[4]!.released);
      t.deepEqual(r.world.files.map((f) => f.released), [true, true, true, false, true]);
      for (const w of r.worlds) t.deepEqual(violations(ctx, w), {});
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// file-register.c test_partial_register_fail: ring f0 (fd 3), pipe r f1 (fd 4), w f2 (fd 5).
for (const d of builtinDesigns) {
  test(`test_partial_register_fail on ${d.name}: [r, w, -1, ring, -1] fails with EBADF and leaves no reference`, (t) => {
    const ctx = ctxFor(d, { tasks: 1 });
    const r = run(ctx, ['T0 io_uring_setup', 'T0 open', 'T0 open', 'T0 io_uring_register 3 4 5 -1 3 -1', 'T0 close 5']);
    t.deepEqual(r.results[3], { ret: -1, errno: 'EBADF' });
    t.deepEqual(r.worlds[4]!.files.map((f) => f.f_count), [1, 1, 1]);
    t.is(r.worlds[4]!.files[0]!.ring!.table, null);
    t.true(r.world.files[2]!.released, 'read(fds[0]) sees EOF');
    t.deepEqual(r.world.reports, []);
    const atomic = makeProperties(ctx).find((p) => p.name === 'failure-atomicity') as Extract<Property<World, Transition>, { on: 'step' }> | undefined;
    if (atomic) t.is(atomic.check(r.worlds[3]!, { step: { task: 0, syscall: 'io_uring_register', args: { fd: 3, files: [4, 5, -1, 3, -1] } }, result: r.results[3]! }, r.worlds[4]!), undefined);
  });
}

// ---------------------------------------------------------------------------------------------------
// Registration details.
test('register: -1 leaves a sparse slot; ring_sock gets one skb with the files only; an all-sparse table gets none', (t) => {
  const ctx = ctxFor('linux-6.1', { tasks: 1 });
  const r = run(ctx, ['T0 io_uring_setup', 'T0 open', 'T0 io_uring_register 3 -1 4 -1']);
  t.deepEqual(view(r.world, 0), { f_count: 1, released: false, dying: false, dead: false, table: [null, 1, null], requests: [], ringSock: [[1]], ringSockInflight: 0 });
  t.deepEqual(view(r.world, 1), { f_count: 2, released: false });
  const sparse = run(ctx, ['T0 io_uring_setup', 'T0 io_uring_register 3 -1 -1']);
  t.deepEqual(view(sparse.world, 0), { f_count: 1, released: false, dying: false, dead: false, table: [null, null], requests: [], ringSock: [], ringSockInflight: 0 });
});

// Before 5.5 (c3a31e605620 FILES_UPDATE, 08a451739a9b sparse sets): fget(-1) is no file, and the update's
// opcode is __io_uring_register's default. The 2019 designs and linux-5.1 are that kernel; 5.14 on have both.
test('before 5.5: -1 fails the registration with EBADF; FILES_UPDATE is an unknown opcode (EINVAL) that changes nothing', (t) => {
  for (const d of ['seed-2019', 'viro-2019', 'flush-teardown', 'linux-5.1']) {
    const ctx = ctxFor(d, { tasks: 1 });
    // ring f0 (fd 3), regular f1 (fd 4), f2 (fd 5)
    const r = run(ctx, ['T0 io_uring_setup', 'T0 open', 'T0 open', 'T0 io_uring_register 3 -1 4', 'T0 update 3 0 5',
      'T0 io_uring_register 3 4 4', 'T0 update 3 0 5', 'T0 update 3 1 -1', 'T0 update 3 0 9']);
    t.deepEqual(r.results.slice(3), [{ ret: -1, errno: 'EBADF' }, { ret: -1, errno: 'EINVAL' }, { ret: 0 },
      { ret: -1, errno: 'EINVAL' }, { ret: -1, errno: 'EINVAL' }, { ret: -1, errno: 'EINVAL' }], d);
    t.is(r.worlds[4]!.files[0]!.ring!.table, null, `${d}: the failed registration left no table`);
    t.deepEqual(r.worlds[4]!.files.map((f) => f.f_count), [1, 1, 1], d);
    // The registration holds f1 twice (counted slots, or ring_sock's skb); the updates touch nothing.
    t.deepEqual(r.world.files[0]!.ring!.table, [1, 1], d);
    t.deepEqual(r.world.files.map((f) => f.f_count), r.worlds[6]!.files.map((f) => f.f_count), d);
    t.deepEqual(r.world.files[2]!.f_count, 1, d);
    for (const w of r.worlds) t.deepEqual(violations(ctx, w), {}, d);
  }
  // 5.14 has both: the same calls register [-1, 4] and replace slot 0.
  const r = run(ctxFor('linux-5.14', { tasks: 1 }), ['T0 io_uring_setup', 'T0 open', 'T0 open', 'T0 io_uring_register 3 -1 4', 'T0 update 3 0 5']);
  t.deepEqual(r.results.slice(3), [{ ret: 0 }, { ret: 1 }]);
  t.deepEqual(r.world.files[0]!.ring!.table, [2, 1]);
});

test('update (ring_sock): adding joins the head skb (get_file + unix_inflight), removing takes the entry out and puts it; returns the number done', (t) => {
  const ctx = ctxFor('linux-6.1', { tasks: 1 });
  // ring f0 (fd 3), socketpair f1 (fd 4), f2 (fd 5), regular f3 (fd 6)
  const r = run(ctx, ['T0 io_uring_setup', 'T0 socketpair dgram', 'T0 open', 'T0 io_uring_register 3 -1 -1 -1',
    'T0 update 3 0 4 6', 'T0 update 3 2 5', 'T0 update 3 0 -1', 'T0 update 3 1 -1 -1']);
  t.deepEqual(r.results.slice(4), [{ ret: 2 }, { ret: 1 }, { ret: 1 }, { ret: 2 }]);
  t.deepEqual(view(r.worlds[5]!, 0), { f_count: 1, released: false, dying: false, dead: false, table: [1, 3, null], requests: [], ringSock: [[1, 3]], ringSockInflight: 0 });
  t.deepEqual(view(r.worlds[5]!, 1), { f_count: 2, released: false, queue: [], inflight: 1 });
  t.deepEqual(view(r.worlds[6]!, 0), { f_count: 1, released: false, dying: false, dead: false, table: [1, 3, 2], requests: [], ringSock: [[1, 3, 2]], ringSockInflight: 0 });
  t.deepEqual(view(r.worlds[7]!, 1), { f_count: 1, released: false, queue: [], inflight: 0 });
  // The last update empties the skb: it is freed.
  t.deepEqual(view(r.world, 0), { f_count: 1, released: false, dying: false, dead: false, table: [null, null, null], requests: [], ringSock: [], ringSockInflight: 0 });
  t.deepEqual(r.world.files.map((f) => f.f_count), [1, 1, 1, 1]);
  for (const w of r.worlds) t.deepEqual(violations(ctx, w), {});
});

test('update: a ring fd fails its entry with EBADF after the slot was cleared (as __io_sqe_files_update does); errors before the loop', (t) => {
  for (const d of ['linux-6.1', 'linux-6.18']) {
    const ctx = ctxFor(d, { tasks: 1 });
    // ring f0 (fd 3), regular f1 (fd 4), f2 (fd 5)
    const r = run(ctx, ['T0 io_uring_setup', 'T0 open', 'T0 open', 'T0 io_uring_register 3 4 4',
      'T0 update 3 1 3', 'T0 update 3 0 5 3', 'T0 update 3 1 -1 -1', 'T0 update 3 0', 'T0 update 4 0 5', 'T0 update 3 0 9']);
    t.deepEqual(r.results.slice(4), [{ ret: -1, errno: 'EBADF' }, { ret: 1 }, { ret: -1, errno: 'EINVAL' }, { ret: -1, errno: 'EINVAL' },
      { ret: -1, errno: 'EOPNOTSUPP' }, { ret: -1, errno: 'EBADF' }], d);
    // The first update "failed" but had already dropped slot 1's f1 (the kernel clears the slot before it
    // fgets the new fd). failure-atomicity lets a failed call drop references, not take them.
    t.deepEqual(r.worlds[4]!.files.map((f) => f.f_count), [1, 3, 1], d);
    t.deepEqual(r.worlds[5]!.files[0]!.ring!.table, [1, null], d);
    t.deepEqual(r.worlds[5]!.files.map((f) => f.f_count), [1, 2, 1], d);
    const atomic = makeProperties(ctx).find((p) => p.name === 'failure-atomicity') as Extract<Property<World, Transition>, { on: 'step' }> | undefined;
    if (atomic) {
      const tr: Transition = { step: { task: 0, syscall: 'io_uring_update', args: { fd: 3, offset: 1, files: [3] } }, result: r.results[4]! };
      t.is(atomic.check(r.worlds[4]!, tr, r.worlds[5]!), undefined, d);
    }
    // Entry 0 replaced f1 by f2; entry 1 (the ring fd) found its slot empty and stopped the loop: 1 done.
    t.deepEqual(r.worlds[6]!.files[0]!.ring!.table, [2, null], d);
    t.deepEqual(r.worlds[6]!.files.map((f) => f.f_count), [1, 1, 2], d);
    t.deepEqual(r.world.files[0]!.ring!.table, [null, null], 'fd 9 is not open: EBADF after clearing slot 0');
    t.deepEqual(r.world.files.map((f) => f.f_count), [1, 1, 1], d);
  }
});

test('update and unregister wait while a request borrows a file they would put', (t) => {
  const ctx = ctxFor('linux-6.18', { tasks: 1 });
  const r = run(ctx, ['T0 io_uring_setup', 'T0 open', 'T0 open', 'T0 io_uring_register 3 4 5', 'T0 enter 3 read fixed 0']);
  t.throws(() => run(ctx, ['T0 update 3 0 -1'], r.world), { message: /impossible step/ });
  t.throws(() => run(ctx, ['T0 io_uring_unregister 3'], r.world), { message: /impossible step/ });
  const other = run(ctx, ['T0 update 3 1 -1'], r.world);
  t.deepEqual(other.results, [{ ret: 1 }], 'slot 1 is not in use');
  const after = run(ctx, ['io_wq 0 0 block', 'io_wq 0 0 complete', 'T0 update 3 0 -1', 'T0 io_uring_unregister 3'], other.world);
  t.deepEqual(after.results, [{ ret: 0 }, { ret: 0 }, { ret: 1 }, { ret: 0 }]);
  t.deepEqual(after.world.files.map((f) => f.f_count), [1, 1, 1]);
});

// ---------------------------------------------------------------------------------------------------
// Requests.
test('io_uring_enter: a plain fd takes a reference until completion; an empty slot or a closed fd is a -EBADF CQE, nothing queued', (t) => {
  const ctx = ctxFor('linux-6.18', { tasks: 1, reqs: 2 });
  // ring f0 (fd 3), regular f1 (fd 4)
  const r = run(ctx, ['T0 io_uring_setup', 'T0 open', 'T0 io_uring_register 3 -1', 'T0 enter 3 read fixed 0', 'T0 enter 3 read 9',
    'T0 enter 3 recv 4', 'T0 enter 4 read 4', 'T0 enter 3 read 4', 'T0 close 4']);
  t.deepEqual(r.results.slice(3), [{ ret: -1, errno: 'EBADF' }, { ret: -1, errno: 'EBADF' }, { ret: -1, errno: 'ENOTSOCK' },
    { ret: -1, errno: 'EOPNOTSUPP' }, { ret: 1 }, { ret: 0 }]);
  t.deepEqual(view(r.world, 0), { f_count: 1, released: false, dying: false, dead: false, table: [null], requests: ['read f1 queued'] });
  t.deepEqual(view(r.world, 1), { f_count: 1, released: false }, 'the request holds the file after close');
  t.deepEqual(violations(ctx, r.world), {});
  const done = run(ctx, ['io_wq 0 0 block', 'io_wq 0 0 complete'], r.world);
  t.true(done.world.files[1]!.released, 'the request\'s fput was the last');
  t.throws(() => run(ctxFor('linux-6.18', { tasks: 1, reqs: 1 }), ['T0 io_uring_setup', 'T0 open', 'T0 enter 3 read 4', 'T0 enter 3 read 4']),
    { message: /impossible step: T0 enter 3 read 4/ }, 'beyond bounds.reqs');
});

test('ring release cancels queued requests (a plain-fd one puts its reference) and waits for a running one', (t) => {
  const ctx = ctxFor('linux-6.18', { tasks: 1, reqs: 2 });
  // ring f0 (fd 3), regular f1 (fd 4), f2 (fd 5)
  const r = run(ctx, ['T0 io_uring_setup', 'T0 open', 'T0 open', 'T0 io_uring_register 3 5', 'T0 enter 3 read 4',
    'T0 enter 3 read fixed 0', 'io_wq 0 1 block', 'T0 close 4', 'T0 close 5', 'T0 close 3']);
  t.true(r.world.files[1]!.released, 'the queued plain-fd read was cancelled and put f1');
  t.deepEqual(view(r.world, 0), { f_count: 0, released: true, dying: true, dead: false, table: [2], requests: ['read fixed f2 blocked'] });
  t.deepEqual(view(r.world, 2), { f_count: 1, released: false }, 'the dying ring\'s table still holds f2');
  t.deepEqual(violations(ctx, r.world), {}, 'no-leak: the kernel will finish the request and the teardown');
  t.throws(() => run(ctx, ['io_ring_exit 0'], r.world), { message: /impossible step/ });
  const done = run(ctx, ['io_wq 0 0 complete', 'io_ring_exit 0'], r.world);
  t.true(done.world.files.every((f) => f.released));
});

test('a request on its own ring fd holds the ring; its completion releases the ring with no request left', (t) => {
  const ctx = ctxFor('linux-5.1', { tasks: 1 });
  const r = run(ctx, ['T0 io_uring_setup', 'T0 enter 3 read 3', 'T0 close 3']);
  t.deepEqual(view(r.world, 0), { f_count: 1, released: false, dying: false, dead: false, table: null, requests: ['read f0 queued'], ringSock: [], ringSockInflight: 0 });
  t.deepEqual(violations(ctx, r.world), {});
  const done = run(ctx, ['io_wq 0 0 block', 'io_wq 0 0 complete'], r.world);
  t.deepEqual(view(done.world, 0), { f_count: 0, released: true, dying: false, dead: true, table: null, requests: [], ringSock: [], ringSockInflight: 0 });
});

// ---------------------------------------------------------------------------------------------------
// Found by search (free exploration; the ops are restricted to what the bugs need, `exit` instead of
// `close` — one step closes every fd — so that each search finishes in seconds).
const searchBounds = (ops: readonly SyscallName[]): Bounds => ({
  ...DEFAULT_BOUNDS, tasks: 1, files: 3, fds: 3, skbs: 1, msgFds: 1, reqs: 1, gc: 'phased', depth: 0, ops,
});
const OPS_2602: readonly SyscallName[] = ['socketpair', 'io_uring_setup', 'io_uring_register', 'sendmsg', 'io_uring_enter', 'exit', 'unix_gc', 'io_wq', 'io_ring_exit'];

function searchUaf(design: string, onlyFiles: boolean) {
  const m = kernelModel(builtinDesigns.find((d) => d.name === design)!, searchBounds(OPS_2602));
  const uaf = uafCheck(m.ctx);
  // Only the struct-file part of the property: the skb use-after-free of CVE-2023-6531 (a recv on a
  // stream socket) is a different bug, which 6.1 still has.
  const prop = onlyFiles
    ? { ...uaf, check: (w: World) => uaf.check({ ...w, reports: w.reports.filter((x) => x.file >= 0) }) }
    : uaf;
  const witness = makeProperties(m.ctx).find((p) => p.name === 'request-completes-on-fixed-file')!;
  return check(m, { properties: [prop, witness], pruneViolating: true });
}

test('search: CVE-2022-2602 (a freed struct file under a fixed-file request) is found on linux-5.14', (t) => {
  const a = searchUaf('linux-5.14', true);
  t.is(a.properties[0]!.status, 'violated');
  t.regex(a.properties[0]!.message!, /^dangling pointer: request 0 of ring f2 \(fixed file\) still points at released f1:unix\/dgram$/);
  t.is(a.properties[0]!.path!.steps.length, 11);   // socketpair, setup, sendmsg, register, enter, exit, GC ×5
  t.log(`linux-5.14: ${a.stats.distinct} states`);
});

test('search: CVE-2022-2602 cannot happen on linux-6.1 (every interleaving, io-wq and ring exit included)', (t) => {
  const b = searchUaf('linux-6.1', true);
  t.is(b.stop, 'exhausted');
  t.is(b.properties[0]!.status, 'holds');
  t.is(b.witnesses[0]!.status, 'found');
  t.log(`linux-6.1: ${b.stats.distinct} states (exhausted)`);
});

test('search: CVE-2023-6531 (an skb freed under an io_uring recv) is found on linux-6.1', (t) => {
  const a = searchUaf('linux-6.1', false);
  t.is(a.properties[0]!.status, 'violated');
  t.regex(a.properties[0]!.message!, /^use after free: an skb freed \(unix_gc purge\) while a reader still points at it/);
  t.log(`linux-6.1: ${a.stats.distinct} states`);
});

test('search: CVE-2023-6531 cannot happen on linux-6.7', (t) => {
  const b = searchUaf('linux-6.7', false);
  t.is(b.stop, 'exhausted');
  t.is(b.properties[0]!.status, 'holds');
  t.is(b.witnesses[0]!.status, 'found');
  t.log(`linux-6.7: ${b.stats.distinct} states (exhausted)`);
});

// ---------------------------------------------------------------------------------------------------
// The built-in scenarios (scenarios/*.json; test/scenarios.test.ts checks every design's `expect`).
const scenarioOf = (name: string, variant?: string): Scenario => {
  const s = builtinScenario(name, variant);
  if (typeof s !== 'object') throw new Error(`no scenario ${name}: ${String(s)}`);
  return s;
};
const traceOf = (r: ReturnType<typeof runCheck>, prop: string): string[] =>
  (r.properties.find((p) => p.name === prop)?.trace?.steps ?? []).map((s) => `${s.task === 'kernel' ? 'kernel' : `T${s.task}`} ${s.syscall}${s.syscall === 'io_wq' || s.syscall === 'unix_gc' ? ` ${JSON.stringify(s.args)}` : ''}`);

test('scenario cve-2022-2602: the shortest counterexample on linux-5.14 blocks W before the closes; linux-6.1 holds and W completes', (t) => {
  const sc = scenarioOf('cve-2022-2602');
  const r = runCheck(builtinDesigns.find((d) => d.name === 'linux-5.14')!, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
  t.is(r.stop, 'exhausted');
  t.deepEqual(surprises(r), []);
  const steps = traceOf(r, 'no-use-after-free');
  t.deepEqual(steps.slice(0, 6), ['T0 socketpair', 'T0 io_uring_setup', 'T0 open', 'T0 io_uring_register', 'T0 sendmsg', 'T0 io_uring_enter']);
  t.true(steps.includes('kernel io_wq {"ring":2,"req":0,"stage":"block"}'));
  t.is(steps[steps.length - 1], 'kernel unix_gc {"phase":"purge"}');
  const ok = runCheck(builtinDesigns.find((d) => d.name === 'linux-6.1')!, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
  t.deepEqual(surprises(ok), []);
  t.log(`linux-5.14: ${r.stats.distinct} states; linux-6.1: ${ok.stats.distinct} states`);
});

test('scenario cve-2023-6531: on linux-6.1 the io-wq pick comes before the GC purge that frees the pinned skb', (t) => {
  const sc = scenarioOf('cve-2023-6531');
  const r = runCheck(builtinDesigns.find((d) => d.name === 'linux-6.1')!, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
  t.deepEqual(surprises(r), []);
  const steps = traceOf(r, 'no-use-after-free');
  t.true(steps.indexOf('kernel io_wq {"ring":2,"req":0,"stage":"pick"}') >= 0);
  t.is(steps[steps.length - 1], 'kernel unix_gc {"phase":"purge"}');
  t.regex(r.properties.find((p) => p.name === 'no-use-after-free')!.message!, /an skb freed \(unix_gc purge\) while a reader still points at it/);
});

test('key: a released ring still waiting for a request is not the same state as a torn-down one', (t) => {
  const ctx = ctxFor('linux-6.1', { tasks: 1, gc: 'phased' });
  const r = run(ctx, [...CVE_2022_2602_SETUP, 'gc purge', 'io_wq 2 0 complete', 'io_ring_exit 2']);
  const key = (w: World) => Array.from(canonicalKey(w)).join(',');
  const dying = r.worlds[16]!;   // ring released, W blocked, K0 on the ring_sock
  const done = r.world;
  t.not(key(dying), key(done));
  t.not(key(dying), key(r.worlds[17]!), 'W completed: the ring still waits for io_ring_exit');
});
