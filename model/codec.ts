// The World as 32-bit words, for the checker's compact frontier (CheckOptions.compact: waiting states kept
// in one flat arena, no object per state) and for the states that cross worker threads (--workers). A fixed
// field order, type by type; `decodeWorld(encodeWorld(w))` is deep-equal to w (a property test holds every
// field to it, so a field added to the World without being added here fails loudly). A state costs a few
// dozen words instead of a few kilobytes of objects.
import type { FdSlot, File, GcPhase, Pending, Report, Req, Ring, Scc, Skb, Task, UnixSock, World } from './world.js';

const KINDS = ['regular', 'unix', 'io_uring'] as const;
const SOCK_TYPES = ['dgram', 'stream', 'ring_sock'] as const;
const SOCK_STATES = ['unconnected', 'connected', 'listening', 'embryo'] as const;
const PHASES: readonly GcPhase[] = ['idle', 'select', 'scan', 'walk', 'dead', 'purge'];
const REQ_OPS = ['read', 'recv'] as const;
const REQ_PHASES = ['queued', 'blocked', 'picked'] as const;
const REPORTS = ['double-fput', 'use-after-free'] as const;

let out = new Int32Array(256);
let n = 0;
const put = (x: number): void => {
  if (n === out.length) { const b = new Int32Array(out.length * 2); b.set(out); out = b; }
  out[n++] = x;
};
const putList = (xs: readonly number[]): void => { put(xs.length); for (const x of xs) put(x); };
const putNullable = (x: number | null): void => put(x === null ? -1 : x);
const code = <T>(table: readonly T[], v: T): number => {
  const i = table.indexOf(v);
  if (i < 0) throw new Error(`codec: unknown value ${String(v)}`);
  return i;
};

function putSkb(s: Skb): void {
  put((s.oob ? 1 : 0) | (s.scmIoUring ? 2 : 0) | (s.pinned ? 4 : 0));
  putList(s.fds);
}

function putSock(s: UnixSock): void {
  put(code(SOCK_TYPES, s.type) | (code(SOCK_STATES, s.state) << 4) | (s.scmRights === false ? 256 : 0));
  putNullable(s.peer); putNullable(s.listener); put(s.inflight);
  putList(s.acceptQueue);
  put(s.queue.length);
  for (const skb of s.queue) putSkb(skb);
  if (s.oobSkb === null) put(0); else { put(1); putSkb(s.oobSkb); }
}

function putRing(r: Ring): void {
  put((r.dying ? 1 : 0) | (r.dead ? 2 : 0));
  if (r.table === null) put(-1); else { put(r.table.length); for (const x of r.table) putNullable(x); }
  if (r.ringSock === null) put(0); else { put(1); putSock(r.ringSock); }
  put(r.requests.length);
  for (const q of r.requests) { put(code(REQ_OPS, q.op) | (q.fixed ? 2 : 0) | (code(REQ_PHASES, q.phase) << 2)); put(q.file); put(q.task); }
}

function putSccs(sccs: readonly Scc[]): void {
  put(sccs.length);
  for (const c of sccs) { putList(c.members); putList(c.sccIndex); }
}

function putString(s: string): void {
  put(s.length);
  for (let i = 0; i < s.length; i++) put(s.charCodeAt(i));
}

/** w as words. The array is reused by the next call: copy it (the frontier arena does). */
export function encodeWorld(w: World): Int32Array {
  n = 0;
  put(w.tasks.length);
  for (const t of w.tasks) {
    put((t.alive ? 1 : 0)); put(t.pc); put(t.fds.length);
    for (const s of t.fds) put(s === null ? 0 : ((s.file + 1) << 1) | (s.cloexec ? 1 : 0));
    const p = t.pending;
    if (p === null) put(0);
    else if (p.kind === 'recvmsg') { put(1); put(p.fd); put(p.sock); put(p.peek ? 1 : 0); putList(p.cookie); }
    else { put(2); put(p.fd); put(p.sock); put(p.listener); put(p.embryo); put(p.stage === 'peer' ? 0 : 1); }
  }
  put(w.files.length);
  for (const f of w.files) {
    put(code(KINDS, f.kind) | (f.released ? 4 : 0) | (f.sock !== null ? 8 : 0) | (f.ring !== null ? 16 : 0));
    put(f.f_count);
    if (f.sock !== null) putSock(f.sock);
    if (f.ring !== null) putRing(f.ring);
  }
  const g = w.gc;
  put(code(PHASES, g.phase));
  putList(g.inflightList); putList(g.toSelect); putList(g.candidates);
  put(g.hitlist.length);
  for (const s of g.hitlist) putSkb(s);
  putList(g.collected);
  putSccs(g.sccs);
  put(g.nextScc); put(g.nextMember);
  put((g.sccDead ? 1 : 0) | (g.peekSeen ? 2 : 0) | (g.maybeCyclic ? 4 : 0) | (g.grouped ? 8 : 0));
  putSccs(g.lastSccs);
  put(g.maxSccIndex);
  put(g.edges.length);
  for (const e of g.edges) putList(e);
  putList(g.hitFrom);
  put(w.reports.length);
  for (const r of w.reports) { put(code(REPORTS, r.kind)); put(r.file); putString(r.what); }
  return out.subarray(0, n);
}

// Decoding: a cursor over the words.
let src: Int32Array = new Int32Array(0);
let at = 0;
const get = (): number => src[at++]!;
const getList = (): number[] => { const k = get(); const xs = new Array<number>(k); for (let i = 0; i < k; i++) xs[i] = get(); return xs; };
const getNullable = (): number | null => { const x = get(); return x === -1 ? null : x; };

function getSkb(): Skb {
  const flags = get();
  return { fds: getList(), oob: (flags & 1) !== 0, scmIoUring: (flags & 2) !== 0, pinned: (flags & 4) !== 0 };
}

function getSock(): UnixSock {
  const ts = get();
  const peer = getNullable();
  const listener = getNullable();
  const inflight = get();
  const acceptQueue = getList();
  const k = get();
  const queue = new Array<Skb>(k);
  for (let i = 0; i < k; i++) queue[i] = getSkb();
  const oobSkb = get() === 1 ? getSkb() : null;
  const sock: UnixSock = { type: SOCK_TYPES[ts & 15]!, state: SOCK_STATES[(ts >> 4) & 15]!, peer, listener, acceptQueue, queue, oobSkb, inflight };
  return (ts & 256) !== 0 ? { ...sock, scmRights: false } : sock;
}

function getRing(): Ring {
  const flags = get();
  const tl = get();
  let table: (number | null)[] | null = null;
  if (tl >= 0) { table = new Array(tl); for (let i = 0; i < tl; i++) table[i] = getNullable(); }
  const ringSock = get() === 1 ? getSock() : null;
  const k = get();
  const requests = new Array<Req>(k);
  for (let i = 0; i < k; i++) {
    const c = get();
    requests[i] = { op: REQ_OPS[c & 1]!, fixed: (c & 2) !== 0, phase: REQ_PHASES[c >> 2]!, file: get(), task: get() };
  }
  return { table, ringSock, requests, dying: (flags & 1) !== 0, dead: (flags & 2) !== 0 };
}

function getSccs(): Scc[] {
  const k = get();
  const out = new Array<Scc>(k);
  for (let i = 0; i < k; i++) out[i] = { members: getList(), sccIndex: getList() };
  return out;
}

function getString(): string {
  const k = get();
  let s = '';
  for (let i = 0; i < k; i++) s += String.fromCharCode(get());
  return s;
}

/** The world the words say (fresh, mutable objects). */
export function decodeWorld(words: Int32Array): World {
  src = words;
  at = 0;
  const nt = get();
  const tasks = new Array<Task>(nt);
  for (let i = 0; i < nt; i++) {
    const alive = get() === 1;
    const pc = get();
    const nf = get();
    const fds = new Array<FdSlot | null>(nf);
    for (let j = 0; j < nf; j++) { const x = get(); fds[j] = x === 0 ? null : { file: (x >> 1) - 1, cloexec: (x & 1) !== 0 }; }
    const pk = get();
    let pending: Pending | null = null;
    if (pk === 1) pending = { kind: 'recvmsg', fd: get(), sock: get(), peek: get() === 1, cookie: getList() };
    else if (pk === 2) pending = { kind: 'connect', fd: get(), sock: get(), listener: get(), embryo: get(), stage: get() === 0 ? 'peer' : 'queue' };
    tasks[i] = { alive, fds, pending, pc };
  }
  const nfiles = get();
  const files = new Array<File>(nfiles);
  for (let i = 0; i < nfiles; i++) {
    const c = get();
    const f_count = get();
    const sock = (c & 8) !== 0 ? getSock() : null;
    const ring = (c & 16) !== 0 ? getRing() : null;
    files[i] = { kind: KINDS[c & 3]!, f_count, released: (c & 4) !== 0, sock, ring };
  }
  const phase = PHASES[get()]!;
  const inflightList = getList();
  const toSelect = getList();
  const candidates = getList();
  const nh = get();
  const hitlist = new Array<Skb>(nh);
  for (let i = 0; i < nh; i++) hitlist[i] = getSkb();
  const collected = getList();
  const sccs = getSccs();
  const nextScc = get();
  const nextMember = get();
  const flags = get();
  const lastSccs = getSccs();
  const maxSccIndex = get();
  const ne = get();
  const edges = new Array<number[]>(ne);
  for (let i = 0; i < ne; i++) edges[i] = getList();
  const hitFrom = getList();
  const nr = get();
  const reports = new Array<Report>(nr);
  for (let i = 0; i < nr; i++) reports[i] = { kind: REPORTS[get()]!, file: get(), what: getString() };
  return {
    tasks, files, reports,
    gc: {
      phase, inflightList, toSelect, candidates, hitlist, collected, sccs, nextScc, nextMember,
      sccDead: (flags & 1) !== 0, peekSeen: (flags & 2) !== 0, maybeCyclic: (flags & 4) !== 0, grouped: (flags & 8) !== 0,
      lastSccs, maxSccIndex, edges, hitFrom,
    },
  };
}
