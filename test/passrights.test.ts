// SO_PASSRIGHTS (6.16, 77cbe1a6d873; model/syscalls/setsockopt.ts, linux-6.18.ts soPassRights): which designs
// have it, sendmsg's EPERM and its place among the other errors, the embryo's inherited flag, and states that
// stay distinct on both paths.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handTrace, HAND_TRACES } from '../oracle/hand.js';
import { reproC } from '../traces/repro.js';
import { reproMinimalC } from '../traces/repro-minimal.js';
import { applyMutable, enabledSteps } from '../model/apply.js';

import { SYSCALLS } from '../model/bounds.js';
import { decodeWorld, encodeWorld } from '../model/codec.js';
import { resolveDesign } from '../model/design.js';
import { builtinDesign, builtinDesigns } from '../model/designs/index.js';
import { canonicalKey } from '../model/key.js';
import { applyStep, makeCtx } from '../model/apply.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import { scenarioBounds, type Scenario } from '../model/scenario.js';
import type { Step } from '../model/step.js';
import { initialWorld, type World } from '../model/world.js';
import { builtinScenario, builtinScenarios } from '../scenarios/index.js';
import { malformation } from '../model/validate.js';
import { ctxFor, run } from './helpers/world.js';

const WITH = ['linux-6.18', 'linux-6.18.54', 'linux-7.2'];

test('setsockopt(SO_PASSRIGHTS) is taken from 6.16 on (linux-6.18 and its descendants) and ENOPROTOOPT before', (t) => {
  for (const d of builtinDesigns) {
    const r = run(ctxFor(d.name), ['T0 socketpair stream', 'T0 setsockopt 3 0']);
    const has = WITH.includes(d.name);
    t.deepEqual(r.results[1], has ? { ret: 0 } : { ret: -1, errno: 'ENOPROTOOPT' }, d.name);
    // A refused call changes nothing; a taken one clears exactly the flag of fd 3's socket.
    if (has) { t.is(r.world.files[0]!.sock!.scmRights, false); t.false('scmRights' in r.world.files[1]!.sock!); }
    else t.deepEqual(r.world, r.worlds[1]);
  }
  // A user's design on linux-6.18 inherits the option.
  const mine = resolveDesign({ name: 'mine', summary: 'x', base: 'linux-6.18' }, builtinDesign);
  if (typeof mine === 'string') return t.fail(mine);
  t.deepEqual(run(ctxFor(mine), ['T0 socketpair dgram', 'T0 setsockopt 4 0']).results[1], { ret: 0 });
});

test('setsockopt errors: EBADF, then ENOTSOCK on a regular file and on a ring', (t) => {
  for (const d of ['linux-6.18', 'linux-6.1']) {
    const r = run(ctxFor(d), ['T0 open', 'T0 io_uring_setup', 'T0 setsockopt 9 0', 'T0 setsockopt 3 0', 'T0 setsockopt 4 1']);
    t.deepEqual(r.results.slice(2), [{ ret: -1, errno: 'EBADF' }, { ret: -1, errno: 'ENOTSOCK' }, { ret: -1, errno: 'ENOTSOCK' }], d);
  }
});

test('a receiver with SO_PASSRIGHTS off refuses SCM_RIGHTS with EPERM and nothing enters flight; plain data and the peer pass', (t) => {
  for (const type of ['dgram', 'stream']) {
    const ctx = ctxFor('linux-6.18');
    const r = run(ctx, [`T0 socketpair ${type}`, 'T0 open', 'T0 setsockopt 3 0', 'T0 sendmsg 4 5', 'T0 sendmsg 4 4 5', 'T0 sendmsg 3 5', 'T0 sendmsg 4']);
    t.deepEqual(r.results.slice(3), [{ ret: -1, errno: 'EPERM' }, { ret: -1, errno: 'EPERM' }, { ret: 1 }, { ret: 1 }], type);
    // The refused sends left the world as it was: no skb, no reference, nothing in flight.
    t.deepEqual(r.worlds[5], r.worlds[3]);
    t.is(r.world.files[2]!.f_count, 2, 'the regular file: its fd and the skb on fd 4\'s queue (sent the other way)');
    t.deepEqual(r.world.files[0]!.sock!.queue.map((s) => s.fds), [[]], 'only the send without rights reached fd 3');
    t.is(r.world.files[0]!.sock!.inflight + r.world.files[1]!.sock!.inflight, 0);
    // Turned on again: the same send is taken.
    const again = run(ctx, ['T0 setsockopt 3 1', 'T0 sendmsg 4 5'], r.world);
    t.deepEqual(again.results, [{ ret: 0 }, { ret: 1 }]);
    t.false('scmRights' in again.world.files[0]!.sock!);
  }
});

test("EPERM's place among sendmsg's errors: after scm_send's and the peer's, before the full queue", (t) => {
  const ctx = ctxFor('linux-6.18', { skbs: 1, oob: true });
  // scm_send first: an fd not open is EBADF even to a receiver that refuses rights.
  t.deepEqual(run(ctx, ['T0 socketpair stream', 'T0 setsockopt 3 0', 'T0 sendmsg 4 8']).results[2], { ret: -1, errno: 'EBADF' });
  // The peer gone: EPIPE (stream), ECONNREFUSED (dgram) — checked before sk_scm_rights.
  t.deepEqual(run(ctx, ['T0 socketpair stream', 'T0 setsockopt 3 0', 'T0 dup 3', 'T0 close 3', 'T0 close 5', 'T0 sendmsg 4 4']).results[5], { ret: -1, errno: 'EPIPE' });
  t.deepEqual(run(ctx, ['T0 socketpair dgram', 'T0 setsockopt 3 0', 'T0 close 3', 'T0 sendmsg 4 4']).results[3], { ret: -1, errno: 'ECONNREFUSED' });
  // A full queue: EPERM comes first (the queue-full wait is after the check).
  t.deepEqual(run(ctx, ['T0 socketpair dgram', 'T0 sendmsg 4', 'T0 setsockopt 3 0', 'T0 sendmsg 4 4', 'T0 sendmsg 4']).results.slice(3), [{ ret: -1, errno: 'EPERM' }, { ret: -1, errno: 'EAGAIN' }]);
  // MSG_OOB: queue_oob makes the same check (stream); a dgram socket says EOPNOTSUPP before anything.
  t.deepEqual(run(ctx, ['T0 socketpair stream', 'T0 setsockopt 3 0', 'T0 sendmsg 4 4 oob']).results[2], { ret: -1, errno: 'EPERM' });
  t.deepEqual(run(ctx, ['T0 socketpair dgram', 'T0 setsockopt 3 0', 'T0 sendmsg 4 4 oob']).results[2], { ret: -1, errno: 'EOPNOTSUPP' });
  // The sender's own flag does not matter.
  t.deepEqual(run(ctx, ['T0 socketpair stream', 'T0 setsockopt 4 0', 'T0 sendmsg 4 4']).results[2], { ret: 1 });
});

test("an embryo takes its listener's flag at connect (3f84d577b79d), and keeps it through accept", (t) => {
  const ctx = ctxFor('linux-6.18');
  // Cleared before connect: the embryo refuses, before and after accept.
  // (One task: connect's three sub-steps are one step.)
  const before = run(ctx, ['T0 socket stream', 'T0 listen 3', 'T0 setsockopt 3 0', 'T0 socket stream', 'T0 connect 4 3',
    'T0 sendmsg 4 4', 'T0 accept 3', 'T0 sendmsg 4 4']);
  t.deepEqual([before.results[5], before.results[7]], [{ ret: -1, errno: 'EPERM' }, { ret: -1, errno: 'EPERM' }]);
  t.is(before.world.files[2]!.sock!.scmRights, false, 'the accepted socket has the flag off');
  // Set again on the accepted socket: it takes rights.
  t.deepEqual(run(ctx, ['T0 setsockopt 5 1', 'T0 sendmsg 4 4'], before.world).results, [{ ret: 0 }, { ret: 1 }]);
  // Cleared on the listener after the embryo's `peer` stage: the embryo keeps the flag set.
  // Cleared by another task while connect is between its `peer` and `queue` stages: also too late.
  const after = run(ctx, ['T0 socket stream', 'T0 listen 3', 'T0 socket stream', 'T0 fork', 'T0 connect 4 3', 'T0 resume connect(4) peer',
    'T1 setsockopt 3 0', 'T0 resume connect(4) queue', 'T0 sendmsg 4 4']);
  t.deepEqual(after.results.slice(6), [{ ret: 0 }, { ret: 0 }, { ret: 1 }]);
  t.false('scmRights' in after.world.files[2]!.sock!);
});

test('the cleared flag keeps states apart (key, codec) and the world well formed', (t) => {
  const ctx = ctxFor('linux-6.18');
  const r = run(ctx, ['T0 socketpair dgram', 'T0 setsockopt 3 0']);
  const [on, off] = [r.worlds[1]!, r.world];
  t.notDeepEqual(Array.from(canonicalKey(on)), Array.from(canonicalKey(off)));
  t.deepEqual(decodeWorld(encodeWorld(off)), off);
  t.deepEqual(decodeWorld(encodeWorld(on)), on);
  t.is(malformation(off), undefined);
  const bad = { ...off, files: [{ ...off.files[0]!, sock: { ...off.files[0]!.sock!, scmRights: true } }, off.files[1]!] };
  t.regex(malformation(bad as never) ?? '', /scmRights/);
  // Turning it back on gives the very state it left (the same key): the flag is absent again.
  const back = run(ctx, ['T0 setsockopt 3 1'], off).world;
  t.deepEqual(back, on);
});

test('free exploration: setsockopt is not a default op; with it, linux-6.18 explores the calls that change the flag, linux-6.10 none', (t) => {
  t.false(ctxFor('linux-6.18').bounds.ops.includes('setsockopt'));
  t.true((SYSCALLS as readonly string[]).includes('setsockopt'));
  const ops = ['socketpair', 'setsockopt', 'sendmsg'] as const;
  for (const [name, n] of [['linux-6.18', 2], ['linux-6.10', 0]] as const) {
    const ctx = ctxFor(name, { ops: [...ops] });
    const w = run(ctx, ['T0 socketpair stream']).world;
    const calls = enabledSteps(w, ctx).filter((tr) => tr.step.syscall === 'setsockopt');
    t.is(calls.length, n, name);
    for (const tr of calls) {
      t.deepEqual(tr.step.args, { fd: (tr.step.args as { fd: number }).fd, val: 0 });
      const w2 = applyMutable(w, tr, ctx);
      // and from there, the call that sets it again
      t.deepEqual(enabledSteps(w2, ctx).filter((x) => x.step.syscall === 'setsockopt' && (x.step.args as { val: number }).val === 1).length, 1);
    }
  }
});

/** The programs of a one-task scenario run line by line (no GC step between: nothing is in flight to collect). */
function straight(sc: Scenario, designName: string): { steps: Step[]; results: { ret: number; errno?: string }[]; world: World } {
  const ctx = makeCtx(builtinDesign(designName)!, scenarioBounds(sc, DEFAULT_BOUNDS, {}));
  let w = initialWorld(1, ctx.bounds.fds);
  const steps: Step[] = [];
  const results: { ret: number; errno?: string }[] = [];
  for (const line of sc.programs[0]!) {
    const step = { task: 0, syscall: line.syscall, args: line.args } as Step;
    const r = applyStep(w, step, ctx);
    if (!r) throw new Error(`${sc.name}/${sc.variant}: ${line.syscall} impossible on ${designName}`);
    steps.push(step); results.push(r.result); w = r.world;
  }
  return { steps, results, world: w };
}

test("the selftest's *_disabled variants: each variant has its twin; on linux-6.18 every send is EPERM, nothing is in flight, every socket is released by the closes", (t) => {
  const selftests = builtinScenarios().filter((b) => b.name.startsWith('selftest-'));
  t.is(selftests.length, 5);
  for (const b of selftests) {
    const first = builtinScenario(b.name) as Scenario;
    const disabled = first.variants.filter((v) => v.endsWith('-disabled'));
    t.deepEqual(disabled, first.variants.filter((v) => !v.endsWith('-disabled')).map((v) => `${v}-disabled`), b.name);
    for (const v of disabled) {
      const sc = builtinScenario(b.name, v) as Scenario;
      for (const d of WITH) t.like(sc.expect[d], { 'no-leak': 'holds', 'scenario-completes': 'found' }, `${b.name}/${v} expects of ${d}`);
      for (const d of WITH) {
        const r = straight(sc, d);
        const of = (name: string) => r.results.filter((_x, i) => r.steps[i]!.syscall === name);
        t.true(of('sendmsg').length >= 2);
        t.true(of('sendmsg').every((x) => x.errno === 'EPERM'), `${b.name}/${v} on ${d}: every send EPERM`);
        t.true(of('setsockopt').every((x) => x.ret === 0 && !x.errno));
        t.true(r.world.files.every((f) => f.released), `${b.name}/${v} on ${d}: the closes release every socket, embryos too`);
        t.deepEqual(r.world.gc.inflightList, []);
      }
      // Without SO_PASSRIGHTS (linux-6.10): ENOPROTOOPT, and the sends go through as in the enabled variant.
      const old = straight(sc, 'linux-6.10');
      t.true(old.results.filter((_x, i) => old.steps[i]!.syscall === 'setsockopt').every((x) => x.errno === 'ENOPROTOOPT'));
      t.true(old.results.filter((_x, i) => old.steps[i]!.syscall === 'sendmsg').every((x) => x.ret === 1), `${b.name}/${v} on linux-6.10`);
    }
  }
});

// Registering a ring fd as a fixed file (issue 14): io_sqe_files_register (fs/io_uring.c 5.1, io_uring/rsrc.c
// later) fget()s the fd, then `if (io_is_uring_fops(file)) { fput(file); goto fail; }` with ret = -EBADF set
// before the fget's NULL check, and rolls back every reference taken; __io_sqe_files_update (5.5+) clears the
// entry's slot first, then the same check: err = -EBADF, the loop stops. Every design answers so (the model's
// base); designs without FILES_UPDATE (before 5.5) answer the update EINVAL.
test('a ring fd is never a fixed file: register (itself, another ring, mixed) EBADF with nothing kept; update EBADF after clearing its slot; every design', (t) => {
  const hasUpdate = (d: string) => !['seed-2019', 'viro-2019', 'flush-teardown', 'linux-5.1'].includes(d);
  for (const d of builtinDesigns) {
    const ctx = ctxFor(d.name, { files: 8, fds: 8 });
    const r = run(ctx, ['T0 io_uring_setup', 'T0 io_uring_setup', 'T0 socketpair dgram', 'T0 open',
      'T0 io_uring_register 3 3', 'T0 io_uring_register 3 5 4', 'T0 io_uring_register 3 4 7']);
    t.deepEqual(r.results.slice(4), [{ ret: -1, errno: 'EBADF' }, { ret: -1, errno: 'EBADF' }, { ret: -1, errno: 'EBADF' }], d.name);
    t.deepEqual(r.world, r.worlds[4], `${d.name}: the failed registrations left nothing behind`);
    const u = run(ctx, ['T0 io_uring_register 3 7 5', 'T0 update 3 0 4', 'T0 update 3 1 3'], r.world);
    t.deepEqual(u.results[0], { ret: 0 });
    if (!hasUpdate(d.name)) { t.deepEqual(u.results.slice(1), [{ ret: -1, errno: 'EINVAL' }, { ret: -1, errno: 'EINVAL' }], d.name); continue; }
    t.deepEqual(u.results.slice(1), [{ ret: -1, errno: 'EBADF' }, { ret: -1, errno: 'EBADF' }], d.name);
    t.deepEqual(u.world.files[0]!.ring!.table, [null, null], `${d.name}: both slots cleared before the ring fd was refused`);
    t.is(u.world.files[4]!.f_count, 1, `${d.name}: the canary lost the table's reference`);
  }
});

test('repro and repro --minimal make setsockopt (SOL_SOCKET, SO_PASSRIGHTS = 83), and the C compiles with -Wall', (t) => {
  const tr = handTrace(builtinDesign('linux-6.18')!, HAND_TRACES['passrights']!);
  const full = reproC(tr);
  t.regex(full, /\.kind = K_SETSOCKOPT, \.ret = 0, \.err = "", \.fd = 3, \.obj/);   // val 0: .flag left 0
  t.regex(full, /\.kind = K_SETSOCKOPT, \.ret = 0, \.err = "", \.fd = 6, \.flag = 1, /);
  t.regex(full, /case K_SETSOCKOPT: \{/);
  const min = reproMinimalC(tr);
  t.regex(min, /syscall\(__NR_setsockopt, 3, SOL_SOCKET, 83, &\(int\)\{ 0 \}, sizeof\(int\)\);\n\s+expect\(3, res, 0, ""\);/);
  t.regex(min, /expect\(4, res, -1, "EPERM"\);/);
  if (spawnSync('gcc', ['--version']).status !== 0) { t.log('gcc is not available: not compiled'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'inflight-passrights-'));
  for (const [name, c] of [['full', full], ['minimal', min]] as const) {
    const src = join(dir, `${name}.c`);
    writeFileSync(src, c);
    const cc = spawnSync('gcc', ['-O2', '-Wall', '-fsyntax-only', src], { encoding: 'utf8' });
    t.is(cc.status, 0, `${name}: ${cc.stderr}`);
    t.is(cc.stderr, '', `${name}: gcc -Wall warns`);
  }
  rmSync(dir, { recursive: true, force: true });
});
