// Syscall semantics, one behaviour per test, on the immutable path (immer), with expectations taken
// from the kernel (domain.md §1.2, §3; oracle.md for errnos measured on this machine's kernel).
import { newSkb } from '../model/world.js';
import test from 'ava';
import { ctxFor, run } from './helpers/world.js';
import { totInflight } from '../model/gc/unix-gc-2007.js';
import { applyStep } from '../model/apply.js';

const fcount = (w: { files: readonly { f_count: number }[] }, id: number): number => w.files[id]!.f_count;

test('open installs at the lowest free fd, starting at 3', (t) => {
  const ctx = ctxFor('seed-2019');
  const r = run(ctx, ['T0 open', 'T0 open', 'T0 close 3', 'T0 open']);
  t.deepEqual(r.results.map((x) => x.ret), [3, 4, 0, 3]);
  t.is(r.world.files.length, 3);
  t.true(r.world.files[0]!.released);
  t.is(r.world.tasks[0]!.fds[0]!.file, 2);
});

test('close of a closed fd is EBADF and changes nothing', (t) => {
  const ctx = ctxFor('seed-2019');
  const r = run(ctx, ['T0 open', 'T0 close 4']);
  t.deepEqual(r.results[1], { ret: -1, errno: 'EBADF' });
  t.is(r.worlds[2], r.worlds[1]);   // immer returns the same object when nothing changed
});

test('a full fd table gives EMFILE', (t) => {
  const ctx = ctxFor('seed-2019', { fds: 2 });
  const r = run(ctx, ['T0 open', 'T0 open', 'T0 dup 3']);
  t.deepEqual(r.results[2], { ret: -1, errno: 'EMFILE' });
});

test('io_uring_setup gives a CLOEXEC fd; dup clears CLOEXEC and takes a reference', (t) => {
  const ctx = ctxFor('seed-2019');
  const r = run(ctx, ['T0 io_uring_setup', 'T0 dup 3']);
  t.true(r.world.tasks[0]!.fds[0]!.cloexec);
  t.false(r.world.tasks[0]!.fds[1]!.cloexec);
  t.is(fcount(r.world, 0), 2);
});

test('fork copies the fd table, one reference per copied slot', (t) => {
  const ctx = ctxFor('seed-2019');
  const r = run(ctx, ['T0 open', 'T0 socketpair dgram', 'T0 fork']);
  t.is(r.results[2]!.ret, 1);
  t.true(r.world.tasks[1]!.alive);
  t.deepEqual(r.world.tasks[1]!.fds, r.world.tasks[0]!.fds);
  t.deepEqual([0, 1, 2].map((i) => fcount(r.world, i)), [2, 2, 2]);
});

test('exec closes only FD_CLOEXEC fds', (t) => {
  const ctx = ctxFor('seed-2019');
  const r = run(ctx, ['T0 open', 'T0 io_uring_setup', 'T0 exec']);
  t.truthy(r.world.tasks[0]!.fds[0]);
  t.is(r.world.tasks[0]!.fds[1], null);
  t.true(r.world.files[1]!.released);
});

test('exit closes every fd and ends the task; the last reference releases', (t) => {
  const ctx = ctxFor('seed-2019');
  const r = run(ctx, ['T0 open', 'T0 fork', 'T1 exit']);
  t.false(r.world.tasks[1]!.alive);
  t.is(fcount(r.world, 0), 1);
  t.false(r.world.files[0]!.released);
  const r2 = run(ctx, ['T0 exit'], r.world);
  t.true(r2.world.files[0]!.released);
  t.is(applyStep(r2.world, { task: 0, syscall: 'open', args: {} }, ctx), undefined, 'a dead task makes no calls');
});

test('sendmsg with SCM_RIGHTS: the skb on the peer queue owns one reference per entry, unix sockets are in flight', (t) => {
  const ctx = ctxFor('seed-2019');
  // fds 3,4 = pair A (f0,f1); 5 = regular f2
  const r = run(ctx, ['T0 socketpair dgram', 'T0 open', 'T0 sendmsg 3 4 5 4']);
  t.is(r.results[2]!.ret, 1);
  t.deepEqual(r.world.files[1]!.sock!.queue, [newSkb([1, 2, 1])]);   // lands on the peer (f1) of fd 3 (f0)
  t.deepEqual(r.world.files[0]!.sock!.queue, []);
  t.is(fcount(r.world, 1), 3);   // fd + two entries
  t.is(fcount(r.world, 2), 2);
  t.is(r.world.files[1]!.sock!.inflight, 2);
  t.is(totInflight(r.world, ctx.k), 2, 'regular files are not counted by unix_tot_inflight');
});

test('sendmsg errors: closed fd in the rights EBADF, non-socket ENOTSOCK, dead peer ECONNREFUSED / EPIPE', (t) => {
  const ctx = ctxFor('seed-2019');
  const r = run(ctx, ['T0 socketpair dgram', 'T0 open', 'T0 sendmsg 3 9', 'T0 sendmsg 5 3', 'T0 close 4', 'T0 sendmsg 3 5',
    'T0 socketpair stream', 'T0 close 6', 'T0 sendmsg 4 5']);
  t.deepEqual(r.results.map((x) => x.errno), [undefined, undefined, 'EBADF', 'ENOTSOCK', undefined, 'ECONNREFUSED', undefined, undefined, 'EPIPE']);
});

test('a full receive queue gives EAGAIN (the model never blocks)', (t) => {
  const ctx = ctxFor('seed-2019', { skbs: 1 });
  const r = run(ctx, ['T0 socketpair dgram', 'T0 sendmsg 3', 'T0 sendmsg 3']);
  t.is(r.results[2]!.errno, 'EAGAIN');
});

test('recvmsg moves the references into new fds and takes them out of flight', (t) => {
  const ctx = ctxFor('seed-2019');
  const r = run(ctx, ['T0 socketpair dgram', 'T0 sendmsg 3 3', 'T0 recvmsg 4']);
  t.deepEqual(r.results[2], { ret: 1, fds: [5] });
  t.is(fcount(r.world, 0), 2);
  t.is(r.world.files[0]!.sock!.inflight, 0);
  t.deepEqual(r.world.files[1]!.sock!.queue, []);
  t.is(r.world.tasks[0]!.fds[2]!.file, 0);
});

test('MSG_PEEK leaves the skb and inflight alone and adds a reference per installed fd', (t) => {
  const ctx = ctxFor('seed-2019');
  const r = run(ctx, ['T0 socketpair dgram', 'T0 sendmsg 3 3', 'T0 peek 4']);
  t.deepEqual(r.results[2], { ret: 1, fds: [5] });
  t.is(fcount(r.world, 0), 3);   // fd 3, the skb entry, fd 5
  t.is(r.world.files[0]!.sock!.inflight, 1);
  t.is(r.world.files[1]!.sock!.queue.length, 1);
});

test('recvmsg with no room drops the carried references (MSG_CTRUNC)', (t) => {
  const ctx = ctxFor('seed-2019', { fds: 3 });
  const r = run(ctx, ['T0 socketpair dgram', 'T0 open', 'T0 sendmsg 3 5', 'T0 close 5', 'T0 open', 'T0 recvmsg 4']);
  t.deepEqual(r.results[5], { ret: 1, fds: [] });
  t.true(r.world.files[2]!.released, 'the carried regular file lost its last reference');
  t.is(r.world.files[1]!.sock!.queue.length, 0);
});

test('recvmsg on an empty queue is EAGAIN', (t) => {
  const r = run(ctxFor('seed-2019'), ['T0 socketpair dgram', 'T0 recvmsg 3']);
  t.is(r.results[1]!.errno, 'EAGAIN');
});

test('releasing a socket purges its queue and the carried files lose a reference', (t) => {
  const ctx = ctxFor('seed-2019');
  const r = run(ctx, ['T0 socketpair dgram', 'T0 open', 'T0 sendmsg 3 5', 'T0 close 5', 'T0 close 4']);
  t.true(r.world.files[1]!.released);
  t.true(r.world.files[2]!.released);
  t.is(r.world.files[0]!.sock!.peer, null, 'the surviving end lost its peer');
});

test('io_uring_register: counted table slots (seed-2019)', (t) => {
  const ctx = ctxFor('seed-2019');
  const r = run(ctx, ['T0 io_uring_setup', 'T0 socketpair dgram', 'T0 io_uring_register 3 4 5']);
  t.is(r.results[2]!.ret, 0);
  t.deepEqual(r.world.files[0]!.ring!.table, [1, 2]);
  t.is(fcount(r.world, 1), 2);
  t.is(r.world.files[1]!.sock!.inflight, 0, 'the GC is not told');
});

test('io_uring_register: the ring_sock skb owns the references, accounted in flight (viro-2019)', (t) => {
  const ctx = ctxFor('viro-2019');
  const r = run(ctx, ['T0 io_uring_setup', 'T0 socketpair dgram', 'T0 io_uring_register 3 4 5']);
  const ring = r.world.files[0]!.ring!;
  t.deepEqual(ring.table, [1, 2]);
  t.deepEqual(ring.ringSock!.queue, [{ ...newSkb([1, 2]), scmIoUring: true }]);
  t.is(fcount(r.world, 1), 2);
  t.is(r.world.files[1]!.sock!.inflight, 1);
});

test('io_uring_register errors: EBUSY twice, EBADF for a ring fd with everything rolled back, EOPNOTSUPP on a non-ring', (t) => {
  const ctx = ctxFor('seed-2019');
  const base = run(ctx, ['T0 io_uring_setup', 'T0 socketpair dgram', 'T0 io_uring_setup']);
  const bad = run(ctx, ['T0 io_uring_register 3 4 6 5', 'T0 io_uring_register 3 3', 'T0 io_uring_register 3 9', 'T0 io_uring_register 4 5'], base.world);
  t.deepEqual(bad.results.map((x) => x.errno), ['EBADF', 'EBADF', 'EBADF', 'EOPNOTSUPP']);
  t.deepEqual(bad.world, base.world, 'the failed registrations left nothing behind');
  const ok = run(ctx, ['T0 io_uring_register 3 4', 'T0 io_uring_register 3 5'], base.world);
  t.deepEqual(ok.results.map((x) => x.errno), [undefined, 'EBUSY']);
});

test('io_uring_unregister drops the registrations; ENXIO when none', (t) => {
  for (const d of ['seed-2019', 'viro-2019']) {
    const ctx = ctxFor(d);
    const r = run(ctx, ['T0 io_uring_setup', 'T0 open', 'T0 io_uring_register 3 4', 'T0 io_uring_unregister 3', 'T0 io_uring_unregister 3']);
    t.is(fcount(r.world, 1), 1, d);
    t.is(r.world.files[0]!.ring!.table, null, d);
    t.is(r.results[4]!.errno, 'ENXIO', d);
  }
});

test('the ring releases its registered files on the final fput', (t) => {
  for (const d of ['seed-2019', 'viro-2019']) {
    const r = run(ctxFor(d), ['T0 io_uring_setup', 'T0 open', 'T0 io_uring_register 3 4', 'T0 close 4', 'T0 close 3']);
    t.true(r.world.files[1]!.released, d);
    t.true(r.world.files[0]!.ring!.dead, d);
  }
});

test('unix GC: a cycle of two sockets is collected by every design (oracle.md 1b)', (t) => {
  for (const d of ['seed-2019', 'viro-2019']) {
    const ctx = ctxFor(d);
    // A = f0 (fd 3), B = f1 (fd 4): A sends A (lands on B's queue), B sends B (lands on A's queue).
    const r = run(ctx, ['T0 socketpair dgram', 'T0 sendmsg 3 3', 'T0 sendmsg 4 4', 'T0 close 3', 'T0 close 4']);
    const live = r.world.files.map((f, i) => (f.released ? -1 : i)).filter((i) => i >= 0);
    t.deepEqual(live, [0, 1], `${d}: the two in-flight sockets keep each other alive`);
    const after = run(ctx, ['gc'], r.world);
    t.true(after.world.files.every((f) => f.released), d);
    t.is(totInflight(after.world, ctx.k), 0);
  }
});

test('unix GC leaves alone a socket reachable from an fd', (t) => {
  const ctx = ctxFor('viro-2019');
  const r = run(ctx, ['T0 socketpair dgram', 'T0 sendmsg 3 3', 'T0 close 3', 'gc']);
  t.false(r.world.files[0]!.released);
  t.is(r.world.files[1]!.sock!.queue.length, 1, 'the queue of a reachable socket is not purged');
  t.deepEqual(r.world.gc, r.worlds[r.worlds.length - 2]!.gc, 'the GC state is back at rest');
});

test("Al Viro's cycle: seed-2019's GC cannot see it, viro-2019's collects it", (t) => {
  const script = ['T0 io_uring_setup', 'T0 socketpair dgram', 'T0 io_uring_register 3 5', 'T0 sendmsg 4 3', 'T0 exit', 'gc'];
  const seed = run(ctxFor('seed-2019'), script);
  t.deepEqual(seed.world.files.map((f) => f.released), [false, true, false]);
  const viro = run(ctxFor('viro-2019'), script);
  t.deepEqual(viro.world.files.map((f) => f.released), [true, true, true]);
});

test('flush-teardown tears the ring down on a close that is not the last', (t) => {
  const r = run(ctxFor('flush-teardown'), ['T0 io_uring_setup', 'T0 open', 'T0 io_uring_register 3 4', 'T0 fork', 'T1 exit']);
  t.true(r.world.files[0]!.ring!.dead);
  t.false(r.world.files[0]!.released);
  t.is(r.world.files[1]!.f_count, 1, "the child's exit dropped the parent's registration");
  const again = run(ctxFor('flush-teardown'), ['T0 io_uring_register 3 4'], r.world);
  t.is(again.results[0]!.errno, 'ENXIO');
});
