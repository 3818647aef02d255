// Two properties of one's own (docs/patch-designs.md, "Properties of your own"): the 6.7-rc5 rule that a
// ring never travels in an SCM_RIGHTS message (domain.md §3.4, I9), as an invariant on states, and a
// witness on steps that the rule is at work (a send of a ring fd is refused), so that "holds" is not
// vacuous. Run:
//   npx inflight check --design seed-2019 --properties examples/ring-in-flight-properties.ts   # violated, 3 steps
//   npx inflight check --design linux-6.18 --properties examples/ring-in-flight-properties.ts  # holds; witness found
//   npx inflight explain ring-never-in-flight --properties examples/ring-in-flight-properties.ts
import { always, FD_BASE, fileName, sometimes, type World } from 'inflight/property';

/** The first io_uring file carried by an skb on some receive queue, as [ring, socket], if any. */
function ringInFlight(w: World): [number, number] | undefined {
  for (let id = 0; id < w.files.length; id++) {
    const f = w.files[id]!;
    const queues = [f.sock?.queue ?? [], f.ring?.ringSock?.queue ?? []];
    for (const q of queues) for (const skb of q) for (const g of skb.fds) if (w.files[g]!.kind === 'io_uring') return [g, id];
  }
  return undefined;
}

export default [
  always({
    name: 'ring-never-in-flight',
    title: 'no SCM_RIGHTS message on a receive queue carries an io_uring file',
    explain:
      'In every state, no skb on any unix socket\'s receive queue (nor on a ring_sock) has an io_uring file ' +
      'in its SCM_RIGHTS list. Since 6.7-rc5 (705318a99a13, "io_uring/af_unix: disable sending io_uring over ' +
      'sockets") scm_fp_copy refuses a ring fd with EINVAL, and rings cannot be registered either, so no cycle ' +
      'through SCM_RIGHTS or registered tables can contain a ring (domain.md I9).',
    check(w) {
      const hit = ringInFlight(w);
      return hit && `${fileName(w, hit[0])} is in flight on ${fileName(w, hit[1])}'s receive queue`;
    },
  }),
  sometimes({
    name: 'ring-fd-send-refused',
    title: 'witness: a sendmsg carrying a ring fd is refused with EINVAL',
    explain:
      'Some sendmsg passes an io_uring fd in SCM_RIGHTS and gets EINVAL. Finding it shows that the bounds let a ' +
      'task try to send a ring, so that a "holds" for ring-never-in-flight means the design refuses the send, ' +
      'not that nobody tried.',
    on: 'step',
    check(s, tr) {
      if (tr.step.syscall !== 'sendmsg' || tr.result.errno !== 'EINVAL' || tr.step.task === 'kernel') return undefined;
      const task = s.tasks[tr.step.task]!;
      const { rights } = tr.step.args as { rights: number[] };
      const ring = rights.map((fd) => task.fds[fd - FD_BASE]?.file).find((id) => id !== undefined && s.files[id]!.kind === 'io_uring');
      return ring === undefined ? undefined : `T${tr.step.task} sendmsg(SCM_RIGHTS [${fileName(s, ring)}]) returned EINVAL`;
    },
  }),
];
