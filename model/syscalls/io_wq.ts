// io_wq: an io-wq worker (a kernel actor) advances one request of a ring by one stage.
//   read: queued → `block`   the worker issues it and waits (an inode lock, pipe data) holding the file
//                            pointer — for a fixed file a borrowed one, no reference (CVE-2022-2602's W)
//         blocked → `complete` it uses the struct file and posts the CQE; a request on a plain fd puts
//                            the reference it took at submission
//   recv (unix stream socket, unix_stream_read_generic):
//         queued → `pick`    under the socket's iolock, the head skb: a bare pointer (Skb.pinned), no skb
//                            reference; only with a non-empty queue and no other reader inside (iolock)
//         queued → `complete` at EOF (empty queue, peer released): nothing to copy
//         picked → `complete` copy and consume: unlink the pinned skb, un-account and fput what it carries
//                            (the request has no control buffer: the fds are dropped, as MSG_CTRUNC)
// If the struct file was released when the worker touches it, that is a use-after-free (reported like
// fget does, in w.reports); if the pinned skb was freed meanwhile, the free already reported it
// (destructSkb) and the consume finds nothing (CVE-2023-6531).
// The request leaves the ring's list before its file is put, so a request on a ring fd (a ring↔ring or
// self reference) releases that ring with no request of its own left.
import type { Draft } from 'immer';
import { cloneWorld } from '../apply.js';
import { GcLockBusy, type Kernel } from '../kernel.js';
import { ok, type Result, type Syscall } from '../step.js';
import { gcLocked, type FileId, type Req, type World } from '../world.js';

type W = Draft<World>;
export const WQ_STAGES = ['block', 'pick', 'complete'] as const;
export type WqStage = (typeof WQ_STAGES)[number];

/** The stage request `i` of ring `ring` can take now, or undefined when it waits (a recv with no data). */
export function nextStage(w: World, ring: FileId, i: number): WqStage | undefined {
  const q = w.files[ring]?.ring?.requests[i];
  if (!q) return undefined;
  if (q.phase !== 'queued') return 'complete';
  if (q.op === 'read') return 'block';
  const sock = w.files[q.file]!.sock;
  if (!sock) return 'complete';   // a recv on a file that is not a socket: not submitted (ENOTSOCK)
  if (sock.queue.length > 0) return sock.queue.some((s) => s.pinned) ? undefined : 'pick';
  return sock.peer === null ? 'complete' : undefined;
}

/** The CQE's res: a read returns 0 (the model has no data), a recv the one byte of the skb it consumes. */
function stageResult(w: World, q: Req, stage: WqStage): Result {
  if (stage !== 'complete' || q.op !== 'recv' || q.phase !== 'picked') return ok(0);
  return w.files[q.file]!.sock?.queue.some((s) => s.pinned) ? ok(1) : ok(0);
}

const uaf = (w: W, file: FileId, what: string): void => {
  w.reports.push({ kind: 'use-after-free', file, what });
};

/** One stage of request `i` of ring `ring` (the caller knows it is `nextStage`). */
export function advanceRequest(w: W, k: Kernel, ring: FileId, i: number, stage: WqStage): void {
  const requests = w.files[ring]!.ring!.requests;
  const q = requests[i]!;
  const file = q.file;
  const f = w.files[file]!;
  const who = `io-wq: request ${i} of f${ring} (${q.op}${q.fixed ? ', fixed file' : ''})`;
  if (stage === 'block') {
    if (f.released) uaf(w, file, `${who} issued on released f${file}`);
    q.phase = 'blocked';
    return;
  }
  if (stage === 'pick') {
    if (f.released) uaf(w, file, `${who} locks released f${file}`);
    f.sock!.queue[0]!.pinned = true;
    q.phase = 'picked';
    return;
  }
  // complete
  const { op, fixed, phase } = q;
  requests.splice(i, 1);
  if (f.released) uaf(w, file, `${who} ${op === 'read' ? 'reads through' : 'copies from'} released f${file}`);
  else if (op === 'recv' && phase === 'picked') {
    const queue = f.sock!.queue;
    const at = queue.findIndex((s) => s.pinned);
    if (at >= 0) {
      const [skb] = queue.splice(at, 1);
      skb!.pinned = false;
      k.unix_detach_fds(w, skb!.fds, file);
      for (const x of skb!.fds) k.fput(w, x, `${who}: no control buffer`);   // scm_destroy
    }
  }
  if (!fixed) k.fput(w, file, `${who} completes`);
}

/** Completes every request that runs (blocked, picked) — what the kernel will finish on its own. */
export function finishRunningRequests(w: W, k: Kernel): void {
  for (let id = 0; id < w.files.length; id++) {
    const r = w.files[id]!.ring;
    if (!r) continue;
    for (let i = 0; i < r.requests.length;) {
      if (r.requests[i]!.phase === 'queued') { i++; continue; }
      advanceRequest(w, k, id, i, 'complete');
    }
  }
}

/** Would `fn` take unix_gc_lock while the GC holds it? Then this kernel thread sleeps: the step is not
 *  possible now (a dry run on a copy, as apply.ts does for tasks; only while the GC holds the lock). */
export function waitsForGcLock(w: World, fn: (d: W) => void): boolean {
  if (!gcLocked(w.gc)) return false;
  try {
    fn(cloneWorld(w) as W);
    return false;
  } catch (e) {
    if (e instanceof GcLockBusy) return true;
    throw e;
  }
}

export const io_wq: Syscall<'io_wq'> = {
  name: 'io_wq',
  actor: 'kernel',
  explore(w) {
    const out: { ring: number; req: number; stage: WqStage }[] = [];
    w.files.forEach((f, ring) => {
      f.ring?.requests.forEach((_q, req) => {
        const stage = nextStage(w, ring, req);
        if (stage) out.push({ ring, req, stage });
      });
    });
    return out;
  },
  guard(w, _t, { ring, req, stage }, { k }) {
    const q = w.files[ring]?.ring?.requests[req];
    if (!q || nextStage(w, ring, req) !== stage) return undefined;
    if (waitsForGcLock(w, (d) => advanceRequest(d, k, ring, req, stage))) return undefined;
    return stageResult(w, q, stage);
  },
  recipe(w, _t, { ring, req, stage }, _r, { k }) {
    advanceRequest(w, k, ring, req, stage);
  },
  format: ({ ring, req, stage }) => `io_wq(f${ring} request ${req}): ${stage}`,
};
