// The allocation-free views of model/holders.ts agree with the holder objects on every reachable world of
// every built-in design (small bounds, every op, phased GC and MSG_OOB too): forEachHeldFile gives the same
// files in the same order, with `root` as isRoot says; everyLiveFileInFdTables (no-leak's shortcut) is true
// only where reachable marks every live file. A planted world (a file only an skb holds) is caught.
import test from 'ava';
import { check } from '../checker/bfs.js';
import { DEFAULT_BOUNDS, SYSCALLS, type Bounds } from '../model/bounds.js';
import { builtinDesigns } from '../model/designs/index.js';
import { everyLiveFileInFdTables, forEachHeldFile, forEachHolder, isRoot, reachable } from '../model/holders.js';
import { kernelModel } from '../model/model.js';
import type { World } from '../model/world.js';

const BOUNDS: Bounds[] = [
  { ...DEFAULT_BOUNDS, depth: 6 },
  { ...DEFAULT_BOUNDS, ops: SYSCALLS, depth: 5 },
  { ...DEFAULT_BOUNDS, gc: 'phased', oob: true, files: 2, depth: 7 },
];

test('forEachHeldFile and everyLiveFileInFdTables agree with the holders and reachable on every reachable world', (t) => {
  let worlds = 0;
  let shortcut = 0;
  for (const design of builtinDesigns) {
    for (const bounds of BOUNDS) {
      const model = kernelModel(design, bounds);
      const problems: string[] = [];
      const probe = {
        name: 'probe', kind: 'always' as const, on: 'state' as const,
        check: (w: World) => {
          worlds++;
          const a: string[] = [];
          forEachHolder(w, design, (file, h) => a.push(`${file}:${isRoot(h)}`));
          const b: string[] = [];
          forEachHeldFile(w, design, (file, root) => b.push(`${file}:${root}`));
          if (a.join() !== b.join()) problems.push(`${design.name}: holders ${a.join()} but held files ${b.join()}`);
          if (everyLiveFileInFdTables(w)) {
            shortcut++;
            const seen = reachable(w, design);
            w.files.forEach((f, id) => { if (!f.released && !seen[id]) problems.push(`${design.name}: f${id} unreachable, yet the shortcut said every live file is in an fd table`); });
          }
          return undefined;
        },
      };
      check(model, { properties: [probe], maxDepth: bounds.depth, maxStates: 20_000 });
      t.deepEqual(problems.slice(0, 3), [], `${design.name} ${JSON.stringify(bounds)}`);
    }
  }
  t.log(`${worlds} worlds, the shortcut applies on ${shortcut}`);
  t.true(shortcut > 0 && shortcut < worlds, 'the shortcut is taken on some worlds and not on others');
});

test('everyLiveFileInFdTables: a live file outside every live task fd table is not; released files and an empty world are trivially so', (t) => {
  const slot = (file: number) => ({ file, cloexec: false });
  const sock = { type: 'dgram' as const, state: 'connected' as const, peer: 1, listener: null, acceptQueue: [], queue: [], oobSkb: null, inflight: 0 };
  const file = (extra: object = {}) => ({ kind: 'unix' as const, f_count: 1, released: false, sock, ring: null, ...extra });
  const base = (fds: (ReturnType<typeof slot> | null)[], files: ReturnType<typeof file>[]): World => ({
    tasks: [{ alive: true, fds, pending: null, pc: 0 }], files, gc: { phase: 'idle', inflightList: [], toSelect: [], candidates: [], hitlist: [], collected: [], sccs: [], nextScc: 0, nextMember: 0, sccDead: true, peekSeen: false, maybeCyclic: false, grouped: false, lastSccs: [], maxSccIndex: 0, edges: [], hitFrom: [] }, reports: [],
  }) as World;
  t.true(everyLiveFileInFdTables(base([slot(0), slot(1), null], [file(), file()])));
  t.false(everyLiveFileInFdTables(base([slot(0), null, null], [file(), file()])), 'f1 is held by nothing in an fd table');
  t.true(everyLiveFileInFdTables(base([slot(0), null, null], [file(), file({ released: true })])), 'a released file needs no holder');
  t.true(everyLiveFileInFdTables(base([null, null, null], [])));
  t.false(everyLiveFileInFdTables({ ...base([slot(0), null, null], [file()]), tasks: [{ alive: false, fds: [slot(0), null, null], pending: null, pc: 0 }] } as World), 'a dead task\'s table holds nothing');
});
