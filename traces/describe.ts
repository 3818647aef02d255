// A world as a list of facts ("T0 fd 3" → "f2:io_uring"), so that a step's effect is the difference
// of two lists. Renderers show only what changed.
import { FD_BASE, fileName, type Pending, type Skb, type UnixSock, type World } from '../model/world.js';
import { recvStage } from '../model/syscalls/recvmsg.js';

export type Facts = Map<string, string>;

const skb = (s: Skb, w: World): string =>
  `${s.oob ? 'oob-' : ''}skb[${s.fds.map((f) => fileName(w, f)).join(', ')}]${s.pinned ? '(reader)' : ''}${s.scmIoUring ? '(scm_io_uring)' : ''}`;
const skbs = (s: UnixSock, w: World): string => s.queue.map((x) => skb(x, w)).join(' ');

/** The name the facts give struct file's reference count: the design's kernel's (Design.refcount). */
export type Counter = 'f_count' | 'f_ref';

export function describeWorld(w: World, counter: Counter = 'f_count'): Facts {
  const out: Facts = new Map();
  describeTasks(w, out);
  for (let id = 0; id < w.files.length; id++) describeFile(w, id, out, counter);
  describeGc(w, out);
  describeReports(w, out, 0);
  return out;
}

// A world's facts come in parts that share no key: the tasks' (T<i>…), each file's (f<id>:…), the GC's
// (unix_gc…) and KASAN's. diffWorlds relies on that to diff part by part.
function describeTasks(w: World, out: Facts): void {
  w.tasks.forEach((t, i) => {
    if (!t.alive) return;
    out.set(`T${i}`, 'running');
    if (t.pending) out.set(`T${i} in`, t.pending.kind === 'recvmsg'
      ? `recvmsg(${t.pending.fd}${t.pending.peek ? ', MSG_PEEK' : ''}): ${describeRecv(w, t.pending)}`
      : `connect(${t.pending.fd}): next ${t.pending.stage}`);
    t.fds.forEach((slot, j) => {
      if (slot) out.set(`T${i} fd ${j + FD_BASE}`, fileName(w, slot.file) + (slot.cloexec ? ' (cloexec)' : ''));
    });
  });
}

/** Where a recvmsg in progress is (model/syscalls/recvmsg.ts, recvStage). */
function describeRecv(w: World, p: Extract<Pending, { kind: 'recvmsg' }>): string {
  const list = `[${p.cookie.map((f) => fileName(w, f)).join(', ')}]`;
  switch (recvStage(w, p)) {
    case 'install fds': return `dup'ed ${list}`;
    case 'detach': return `dequeued skb${list}, still in flight`;
    default: return 'copying from the head skb';
  }
}

function describeFile(w: World, id: number, out: Facts, counter: Counter): void {
  const f = w.files[id]!;
  const n = fileName(w, id);
  if (f.released) { out.set(n, 'released'); return; }
  out.set(`${n} ${counter}`, String(f.f_count));
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
}

function describeGc(w: World, out: Facts): void {
  if (w.gc.phase !== 'idle') {
    out.set('unix_gc', w.gc.phase);
    if (w.gc.candidates.length) out.set('unix_gc candidates', w.gc.candidates.map((f) => fileName(w, f)).join(', '));
    if (w.gc.collected.length) out.set('unix_gc collected', w.gc.collected.map((f) => fileName(w, f)).join(', '));
    if (w.gc.hitlist.length) out.set('unix_gc hitlist', w.gc.hitlist.map((x) => skb(x, w)).join(' '));
  }
}

function describeReports(w: World, out: Facts, from: number): void {
  for (let i = from; i < w.reports.length; i++) { const r = w.reports[i]!; out.set(`KASAN ${i + 1}`, `${r.kind}: ${r.what}`); }
}

/** The same list as `diffFacts(describeWorld(a), describeWorld(b))`, in the same order, in time that does
 *  not grow with the files both worlds share unchanged: a trace that opened and closed thousands of files
 *  keeps every released one (ids are never reused), and describing them all at every step made replay
 *  quadratic. A file whose record is the same object in a and b has the same facts in both, unless a file
 *  it names changed its name (a socket that started listening, an embryo accepted): only live files name
 *  others (a released file is one fact), so those are described whenever some name changed. */
export function diffWorlds(a: World, b: World, counter: Counter = 'f_count'): Change[] {
  const after: Change[] = [];
  const gone: Change[] = [];
  const part = (fa: Facts, fb: Facts): void => { const [x, y] = diffParts(fa, fb); after.push(...x); gone.push(...y); };
  const ta: Facts = new Map(); const tb: Facts = new Map();
  describeTasks(a, ta); describeTasks(b, tb);
  part(ta, tb);
  // One pass over the ids, comparing records as objects; only the files a step touched are described.
  const n = Math.max(a.files.length, b.files.length);
  const changed: number[] = [];
  for (let id = 0; id < n; id++) if (a.files[id] !== b.files[id]) changed.push(id);
  // A file the step allocated renames nothing: no record of a well-formed world names an id beyond its files.
  let renamed = false;
  for (const id of changed) if (id < a.files.length && (id >= b.files.length || fileName(a, id) !== fileName(b, id))) { renamed = true; break; }
  let ids = changed;
  if (renamed) {
    ids = [];
    for (let id = 0; id < n; id++) if (a.files[id] !== b.files[id] || !b.files[id]!.released) ids.push(id);
  }
  for (const id of ids) {
    const fa: Facts = new Map(); const fb: Facts = new Map();
    if (a.files[id] !== undefined) describeFile(a, id, fa, counter);
    if (b.files[id] !== undefined) describeFile(b, id, fb, counter);
    part(fa, fb);
  }
  const ga: Facts = new Map(); const gb: Facts = new Map();
  describeGc(a, ga); describeGc(b, gb);
  // Reports are only appended, and one's facts are its own: those a and b share as objects are skipped.
  let same = 0;
  while (same < a.reports.length && same < b.reports.length && a.reports[same] === b.reports[same]) same++;
  describeReports(a, ga, same); describeReports(b, gb, same);
  part(ga, gb);
  return [...after, ...gone];
}

export interface Change { readonly fact: string; readonly before?: string; readonly after?: string }

export function diffFacts(a: Facts, b: Facts): Change[] {
  const [x, y] = diffParts(a, b);
  return [...x, ...y];
}

/** diffFacts in two lists: the facts of b that are new or changed (in b's order), then those of a that are
 *  gone (in a's order). */
function diffParts(a: Facts, b: Facts): [Change[], Change[]] {
  const out: Change[] = [];
  // A released file or an exited task is one change; its vanished details are not repeated.
  const gone: string[] = [];
  for (const [k, v] of b) {
    const old = a.get(k);
    if (old !== v) out.push(old === undefined ? { fact: k, after: v } : { fact: k, before: old, after: v });
    if (v === 'released' && old !== v) gone.push(`${k} `);
  }
  const removed: Change[] = [];
  for (const [k, v] of a) {
    if (b.has(k)) continue;
    if (/^T\d+$/.test(k)) { removed.push({ fact: k, before: v, after: 'exited' }); gone.push(`${k} `); continue; }
    if (gone.some((g) => k.startsWith(g))) continue;
    removed.push({ fact: k, before: v });
  }
  return [out, removed];
}

export function formatChange(c: Change): string {
  if (c.before === undefined) return `${c.fact}: ${c.after}`;
  if (c.after === undefined) return `${c.fact}: ${c.before} → gone`;
  return `${c.fact}: ${c.before} → ${c.after}`;
}
