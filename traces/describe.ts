// A world as a list of facts ("T0 fd 3" → "f2:io_uring"), so that a step's effect is the difference
// of two lists. Renderers show only what changed.
import { FD_BASE, fileName, type Skb, type UnixSock, type World } from '../model/world.js';

export type Facts = Map<string, string>;

const skb = (s: Skb, w: World): string =>
  `${s.oob ? 'oob-' : ''}skb[${s.fds.map((f) => fileName(w, f)).join(', ')}]${s.pinned ? '(reader)' : ''}${s.scmIoUring ? '(scm_io_uring)' : ''}`;
const skbs = (s: UnixSock, w: World): string => s.queue.map((x) => skb(x, w)).join(' ');

export function describeWorld(w: World): Facts {
  const out: Facts = new Map();
  w.tasks.forEach((t, i) => {
    if (!t.alive) return;
    out.set(`T${i}`, 'running');
    if (t.pending) out.set(`T${i} in`, t.pending.kind === 'recvmsg'
      ? `recvmsg(${t.pending.fd}${t.pending.peek ? `, MSG_PEEK): dup'ed [${t.pending.cookie.map((f) => fileName(w, f)).join(', ')}]` : '): copying from the head skb'}`
      : `connect(${t.pending.fd}): next ${t.pending.stage}`);
    t.fds.forEach((slot, j) => {
      if (slot) out.set(`T${i} fd ${j + FD_BASE}`, fileName(w, slot.file) + (slot.cloexec ? ' (cloexec)' : ''));
    });
  });
  w.files.forEach((f, id) => {
    const n = fileName(w, id);
    if (f.released) { out.set(n, 'released'); return; }
    out.set(`${n} f_count`, String(f.f_count));
    if (f.sock) {
      if (f.sock.queue.length) out.set(`${n} queue`, skbs(f.sock, w));
      if (f.sock.inflight) out.set(`${n} inflight`, String(f.sock.inflight));
      if (f.sock.peer !== null) out.set(`${n} peer`, fileName(w, f.sock.peer));
      if (f.sock.acceptQueue.length) out.set(`${n} accept queue`, f.sock.acceptQueue.map((e) => fileName(w, e)).join(', '));
      if (f.sock.listener !== null) out.set(`${n} listener`, fileName(w, f.sock.listener));
      if (f.sock.oobSkb) out.set(`${n} oob_skb`, skb(f.sock.oobSkb, w) + ' (held by u->oob_skb only)');
    }
    if (f.ring) {
      if (f.ring.table) out.set(`${n} registered`, `[${f.ring.table.map((x) => (x === null ? '-1' : fileName(w, x))).join(', ')}]`);
      f.ring.requests.forEach((q, i) => out.set(`${n} request ${i}`, `${q.op} on ${q.fixed ? 'fixed ' : ''}${fileName(w, q.file)} by T${q.task}: ${q.phase}`));
      if (f.ring.dying) out.set(`${n} ring`, 'dying (waits for its requests)');
      if (f.ring.ringSock) {
        if (f.ring.ringSock.queue.length) out.set(`${n} ring_sock queue`, skbs(f.ring.ringSock, w));
        if (f.ring.ringSock.inflight) out.set(`${n} inflight`, String(f.ring.ringSock.inflight));
      }
      if (f.ring.dead) out.set(`${n} ring`, 'torn down');
    }
  });
  if (w.gc.phase !== 'idle') {
    out.set('unix_gc', w.gc.phase);
    if (w.gc.candidates.length) out.set('unix_gc candidates', w.gc.candidates.map((f) => fileName(w, f)).join(', '));
    if (w.gc.collected.length) out.set('unix_gc collected', w.gc.collected.map((f) => fileName(w, f)).join(', '));
    if (w.gc.hitlist.length) out.set('unix_gc hitlist', w.gc.hitlist.map((x) => skb(x, w)).join(' '));
  }
  w.reports.forEach((r, i) => out.set(`KASAN ${i + 1}`, `${r.kind}: ${r.what}`));
  return out;
}

export interface Change { readonly fact: string; readonly before?: string; readonly after?: string }

export function diffFacts(a: Facts, b: Facts): Change[] {
  const out: Change[] = [];
  // A released file or an exited task is one change; its vanished details are not repeated.
  const gone: string[] = [];
  for (const [k, v] of b) {
    const old = a.get(k);
    if (old !== v) out.push(old === undefined ? { fact: k, after: v } : { fact: k, before: old, after: v });
    if (v === 'released' && old !== v) gone.push(`${k} `);
  }
  for (const [k, v] of a) {
    if (b.has(k)) continue;
    if (/^T\d+$/.test(k)) { out.push({ fact: k, before: v, after: 'exited' }); gone.push(`${k} `); continue; }
    if (gone.some((g) => k.startsWith(g))) continue;
    out.push({ fact: k, before: v });
  }
  return out;
}

export function formatChange(c: Change): string {
  if (c.before === undefined) return `${c.fact}: ${c.after}`;
  if (c.after === undefined) return `${c.fact}: ${c.before} → gone`;
  return `${c.fact}: ${c.before} → ${c.after}`;
}
