// Is a world well formed? Built-in recipes keep it so (tests hold them to it); a design's hooks are
// user code that may not, and a malformed world would make every later verdict meaningless.
import type { World } from './world.js';

const isCount = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0;

/** A one-line description of the first defect found, or undefined when the world is well formed. */
export function malformation(w: World): string | undefined {
  if (!Array.isArray(w.tasks) || !Array.isArray(w.files) || !Array.isArray(w.reports) || typeof w.gc !== 'object' || w.gc === null) return 'the world lost its shape';
  const n = w.files.length;
  const isFile = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0 && (x as number) < n;
  for (let t = 0; t < w.tasks.length; t++) {
    const task = w.tasks[t];
    if (!task || typeof task.alive !== 'boolean' || !Array.isArray(task.fds)) return `task ${t} is malformed`;
    for (let i = 0; i < task.fds.length; i++) {
      const slot = task.fds[i];
      if (slot === null) continue;
      if (typeof slot !== 'object' || !isFile(slot.file) || typeof slot.cloexec !== 'boolean') return `T${t}'s fd slot ${i + 3} is malformed`;
      if (!task.alive) return `exited task ${t} still has fd ${i + 3}`;
    }
  }
  for (let id = 0; id < n; id++) {
    const f = w.files[id];
    if (!f || typeof f !== 'object') return `f${id} is missing`;
    if (f.kind !== 'regular' && f.kind !== 'unix' && f.kind !== 'io_uring') return `f${id} has kind ${String(f.kind)}`;
    if (typeof f.released !== 'boolean') return `f${id}.released is not a boolean`;
    if (!Number.isInteger(f.f_count)) return `f${id}.f_count is ${String(f.f_count)}`;
    // An embryo (the server side of a connection not yet accepted) is a sock without a struct file.
    const embryo = f.sock?.state === 'embryo';
    if (!f.released && embryo && f.f_count !== 0) return `embryo f${id} has f_count ${f.f_count}`;
    if (!f.released && !embryo && f.f_count <= 0) return `f${id} is live with f_count ${f.f_count}`;
    if ((f.kind === 'unix') !== (f.sock !== null)) return `f${id} (${f.kind}) ${f.sock ? 'has' : 'lacks'} a socket`;
    if ((f.kind === 'io_uring') !== (f.ring !== null)) return `f${id} (${f.kind}) ${f.ring ? 'has' : 'lacks'} a ring`;
    for (const sock of [f.sock, f.ring?.ringSock]) {
      if (!sock) continue;
      if (!isCount(sock.inflight)) return `f${id}'s inflight is ${String(sock.inflight)}`;
      if (sock.peer !== null && !isFile(sock.peer)) return `f${id}'s peer is ${String(sock.peer)}`;
      const queue: unknown = sock.queue;
      const skbOk = (skb: unknown): boolean => {
        const s = skb as { fds?: unknown; oob?: unknown; scmIoUring?: unknown; pinned?: unknown } | null;
        return Array.isArray(s?.fds) && s.fds.every(isFile) && typeof s.oob === 'boolean' && typeof s.scmIoUring === 'boolean' && typeof s.pinned === 'boolean';
      };
      if (!Array.isArray(queue) || !queue.every(skbOk)) return `f${id}'s receive queue is malformed`;
      if (sock.oobSkb !== null && !skbOk(sock.oobSkb)) return `f${id}'s oob_skb is malformed`;
      if (!Array.isArray(sock.acceptQueue) || !sock.acceptQueue.every(isFile)) return `f${id}'s accept queue is malformed`;
      if (sock.listener !== null && !isFile(sock.listener)) return `f${id}'s listener is ${String(sock.listener)}`;
      if (sock.scmRights !== undefined && sock.scmRights !== false) return `f${id}'s scmRights is ${String(sock.scmRights)} (absent, or false)`;
    }
    const table: unknown = f.ring?.table ?? null;
    if (table !== null && (!Array.isArray(table) || !table.every((x) => x === null || isFile(x)))) return `f${id}'s registered table is malformed`;
    const reqs: unknown = f.ring?.requests ?? [];
    if (!Array.isArray(reqs) || !reqs.every((q) => isFile((q as { file?: unknown }).file))) return `f${id}'s requests are malformed`;
  }
  return undefined;
}
