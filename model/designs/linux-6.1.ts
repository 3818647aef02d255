// 6.1, "io_uring/af_unix: defer registered files gc to io_uring release" (0091bfc81741, Pavel Begunkov):
// ring_sock skbs are marked scm_io_uring; the GC still uses them to find cycles but puts them back
// instead of purging them, so only the ring's own release (which waits for its requests) puts registered
// files. Fixes CVE-2022-2602. MSG_OOB exists since 5.15, and its GC leak is not fixed until Feb 2024.
// The switches `scmIoUringRequeue: true` and `oob: 'leaky'` stand for the patches below
// (model/designs/switch-patches.ts).
import type { Draft } from 'immer';
import { defineDesign, type Overrides, type UnixSock } from '../design.js';

/** scmIoUringRequeue — unix_gc(): skbs marked scm_io_uring (the ring_sock's registration skbs) are
 *  unlinked from the hitlist and put back at the tail of their own queue: only the ring's release puts
 *  registered files. */
export const scmIoUringRequeue: Overrides = {
  unix_gc_collect_skb: (_k, base) => (w, from, skb, hit, requeue) => {
    if (skb.scmIoUring) requeue.push({ skb, to: from });
    else base(w, from, skb, hit, requeue);
  },
};

/** oob: 'leaky' — MSG_OOB as 5.15 added it (314001f0bf92): queue_oob on stream sockets; u->oob_skb holds
 *  a second reference to the OOB skb. A read without MSG_PEEK unlinks an OOB head skb (manage_oob) and
 *  drops only the queue's reference; a peek reads it like any other; the GC's purge (kfree_skb) leaves it
 *  alive through u->oob_skb, with what it carries (the leak aa82ac51d633 fixed). */
export const oobLeaky: Overrides = {
  unix_oob_supported: () => (w, sock) => w.files[sock]?.sock?.type === 'stream',
  unix_read_index: () => (w, sock, peek) => (w.files[sock]!.sock!.queue[0]?.oob === true && !peek ? 1 : 0),
  manage_oob: () => (w, id) => {
    const sock = w.files[id]!.sock!;
    if (sock.queue[0]?.oob === true) sock.oobSkb = sock.queue.shift()!;
  },
  unix_gc_collect_skb: (k, base) => (w, from, skb, hit, requeue) => {
    if (skb.oob) (k.unix_get_socket(w, from) as Draft<UnixSock>).oobSkb = skb;
    else base(w, from, skb, hit, requeue);
  },
};

export default defineDesign({
  name: 'linux-6.1',
  summary: '6.1: 5.14 + the GC never purges ring_sock skbs (CVE-2022-2602 fixed); MSG_OOB (5.15) leaks through the GC',
  base: 'linux-5.14',
  switches: { scmIoUringRequeue: true, oob: 'leaky' },
  // Verdicts at the default bounds: linux-5.14's. With --oob, no-leak is violated in 3 steps (the MSG_OOB
  // leak, domain.md §4.6, scenario oob-leak); CVE-2023-6531 needs requests and a phased GC (scenario).
  expected: {},
  source: '0091bfc81741 "io_uring/af_unix: defer registered files gc to io_uring release" (6.1 merge window)',
});
