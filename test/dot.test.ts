// The reference graph as DOT: exactly the nodes and edges the world's holders give, highlights where
// they belong, and SVG from the in-process Graphviz. The DOT text is read back here with a parser of
// its own (node statements and `a -> b` edges), not with anything from traces/dot.ts.
import test from 'ava';
import { makeCtx } from '../model/apply.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import type { Step } from '../model/step.js';
import type { World } from '../model/world.js';
import { makeProperties } from '../properties/index.js';
import { traceToDots, worldToDot } from '../traces/dot.js';
import { dotToSvg } from '../traces/svg.js';
import { ctxFor, design, playSteps, run } from './helpers/world.js';

/** Al Viro's scenario: a ring, a datagram socketpair, the ring registers one end, the ring's fd is
 *  sent to that end, the task exits. fds: 3 ring (f0), 4 and 5 the sockets (f1, f2). */
const SCENARIO: Step[] = [
  { task: 0, syscall: 'io_uring_setup', args: {} },
  { task: 0, syscall: 'socketpair', args: { type: 'dgram' } },
  { task: 0, syscall: 'io_uring_register', args: { fd: 3, files: [4] } },
  { task: 0, syscall: 'sendmsg', args: { fd: 5, rights: [3] } },
  { task: 0, syscall: 'exit', args: {} },
];

const play = (d: Design, steps: readonly Step[]): World[] => playSteps(d, steps);

interface Parsed {
  nodes: Map<string, string>;        // id → the attribute text of its statement
  edges: Map<string, string>;        // "from -> to" (ports kept) → attribute text
}

function parse(dot: string): Parsed {
  const nodes = new Map<string, string>();
  const edges = new Map<string, string>();
  const lines = dot.trim().split('\n');
  if (!/^digraph \w+ \{$/.test(lines[0]!) || lines[lines.length - 1] !== '}') throw new Error('not a digraph');
  for (const line of lines.slice(1, -1)) {
    const e = /^\s*([\w]+(?::[\w]+)?) -> ([\w]+(?::[\w]+)?) \[(.*)\];$/.exec(line);
    if (e) { edges.set(`${e[1]} -> ${e[2]}`, e[3]!); continue; }
    const n = /^\s*(\w+) \[(.*)\];$/.exec(line);
    if (n && !['graph', 'node', 'edge'].includes(n[1]!)) nodes.set(n[1]!, n[2]!);
  }
  return { nodes, edges };
}

const sorted = <T>(xs: Iterable<T>): T[] => [...xs].sort();
const classes = (attrs: string): string[] => (/class="([^"]*)"/.exec(attrs)?.[1] ?? '').split(' ').filter(Boolean);
const withClass = (m: Map<string, string>, c: string): string[] => sorted([...m].filter(([, a]) => classes(a).includes(c)).map(([k]) => k));

const seed = design('seed-2019');
const viro = design('viro-2019');
const seedWorlds = play(seed, SCENARIO);

test('seed-2019 before exit: tasks, files, the ring table and the receive queue, every holder an edge', (t) => {
  const g = parse(worldToDot(seedWorlds[4]!, { design: seed }));
  t.deepEqual(sorted(g.nodes.keys()), ['file_0', 'file_1', 'file_2', 'queue_1', 'table_0', 'task_0']);
  t.deepEqual(sorted(g.edges.keys()), sorted([
    'task_0:fd3 -> file_0', 'task_0:fd4 -> file_1', 'task_0:fd5 -> file_2',   // fd slots
    'table_0:slot0 -> file_1',                                                  // the registration owns f1
    'queue_1:s0e0 -> file_0',                                                   // the skb on f1's queue owns the ring
    'file_0 -> table_0', 'file_1 -> queue_1',                                   // structures and their files
    'file_1 -> file_2',                                                         // socketpair peers, once
  ]));
  t.regex(g.edges.get('file_1 -> file_2')!, /style=dashed/, 'peer links are dashed');
  t.regex(g.edges.get('file_1 -> file_2')!, /dir=none/);
  // Labels: the file's name, kind and f_count; the task's fd rows.
  t.regex(g.nodes.get('file_0')!, /f0:io_uring/);
  t.regex(g.nodes.get('file_0')!, /f_count 2/);
  t.regex(g.nodes.get('file_1')!, /f1:unix\/dgram/);
  t.regex(g.nodes.get('task_0')!, /port="fd3"/);
  t.regex(g.nodes.get('queue_1')!, /port="s0e0">f0:io_uring</);
  // Everything is reachable: no highlight at all.
  t.deepEqual(withClass(g.nodes, 'unreachable'), []);
  t.deepEqual(withClass(g.edges, 'unreachable'), []);
  t.false(/#ffd9d6|#c62828/.test([...g.nodes.values(), ...g.edges.values()].join('\n')), 'no red anywhere');
});

test('seed-2019 after exit: the ring and the socket hold each other, both unreachable and highlighted', (t) => {
  const w = seedWorlds[5]!;
  const g = parse(worldToDot(w, { design: seed }));
  t.deepEqual(sorted(g.nodes.keys()), ['file_0', 'file_1', 'queue_1', 'table_0'], 'no task, and the released f2 is not drawn');
  t.deepEqual(sorted(g.edges.keys()), sorted(['table_0:slot0 -> file_1', 'queue_1:s0e0 -> file_0', 'file_0 -> table_0', 'file_1 -> queue_1']));
  t.deepEqual(withClass(g.nodes, 'unreachable'), ['file_0', 'file_1']);
  for (const id of ['file_0', 'file_1']) t.regex(g.nodes.get(id)!, /bgcolor="#ffd9d6"/, `${id} is filled red`);
  t.deepEqual(withClass(g.edges, 'unreachable'), ['queue_1:s0e0 -> file_0', 'table_0:slot0 -> file_1'], 'the cycle is drawn red');
  for (const e of withClass(g.edges, 'unreachable')) t.regex(g.edges.get(e)!, /color="#c62828"/);
});

test('the objects a violation names are highlighted: the leaked files, the table and the queue that hold them', (t) => {
  const w = seedWorlds[5]!;
  const noLeak = makeProperties(makeCtx(seed, DEFAULT_BOUNDS)).find((p) => p.name === 'no-leak')!;
  const message = noLeak.on === 'state' ? noLeak.check(w) : undefined;
  t.truthy(message);
  t.regex(message!, /f0:io_uring/);
  const g = parse(worldToDot(w, { design: seed, violation: message! }));
  t.deepEqual(withClass(g.nodes, 'named'), ['file_0', 'file_1', 'queue_1', 'table_0']);
  t.regex(g.nodes.get('file_0')!, /color="#c62828"[^>]* border="3"/);
  // A message naming only f1 marks only f1 (f1 is not f10, and the kind must match).
  const one = parse(worldToDot(w, { design: seed, violation: 'f1:unix/dgram has f_count 1 but 2 holders; f10:regular' }));
  t.deepEqual(withClass(one.nodes, 'named'), ['file_1']);
});

test('what appeared since the previous world is marked new (blue); a changed f_count shows old → new', (t) => {
  // sendmsg(5, [3]) puts an skb carrying the ring on f1's queue.
  const g = parse(worldToDot(seedWorlds[4]!, { design: seed, previous: seedWorlds[3]! }));
  t.deepEqual(withClass(g.nodes, 'new'), ['queue_1']);
  t.deepEqual(withClass(g.edges, 'new'), ['file_1 -> queue_1', 'queue_1:s0e0 -> file_0']);
  t.regex(g.nodes.get('file_0')!, /f_count 1 → 2/);
  t.notRegex(g.nodes.get('file_1')!, /→/);
  // Without a previous world nothing is new.
  t.deepEqual(withClass(parse(worldToDot(seedWorlds[4]!, { design: seed })).nodes, 'new'), []);
});

test('viro-2019: the registration lives on the ring_sock queue; the table only borrows (dashed)', (t) => {
  const worlds = play(viro, SCENARIO);
  const g = parse(worldToDot(worlds[4]!, { design: viro }));
  t.deepEqual(sorted(g.nodes.keys()), ['file_0', 'file_1', 'file_2', 'queue_1', 'ringsock_0', 'table_0', 'task_0']);
  t.deepEqual(sorted(g.edges.keys()), sorted([
    'task_0:fd3 -> file_0', 'task_0:fd4 -> file_1', 'task_0:fd5 -> file_2',
    'ringsock_0:s0e0 -> file_1', 'table_0:slot0 -> file_1', 'queue_1:s0e0 -> file_0',
    'file_0 -> ringsock_0', 'file_0 -> table_0', 'file_1 -> queue_1', 'file_1 -> file_2',
  ]));
  t.regex(g.edges.get('table_0:slot0 -> file_1')!, /class="borrows"/);
  t.regex(g.edges.get('table_0:slot0 -> file_1')!, /style=dashed/);
  t.regex(g.edges.get('ringsock_0:s0e0 -> file_1')!, /class="holds"/);
});

test('every edge ends at a declared node, ids are unique, and the text is deterministic', (t) => {
  for (const [d, worlds] of [[seed, seedWorlds], [viro, play(viro, SCENARIO)]] as const) {
    worlds.forEach((w, i) => {
      const text = worldToDot(w, { design: d, ...(i > 0 ? { previous: worlds[i - 1]! } : {}) });
      t.is(text, worldToDot(w, { design: d, ...(i > 0 ? { previous: worlds[i - 1]! } : {}) }));
      const g = parse(text);
      const declared = text.split('\n').filter((l) => /^\s*\w+ \[class=/.test(l)).length;
      t.is(g.nodes.size, declared, 'no node declared twice');
      for (const e of g.edges.keys()) {
        for (const end of e.split(' -> ')) t.true(g.nodes.has(end.split(':')[0]!), `${d.name} world ${i}: ${e}`);
      }
    });
  }
  // The initial world: one task with no fds, nothing else.
  const g0 = parse(worldToDot(seedWorlds[0]!, { design: seed }));
  t.deepEqual([...g0.nodes.keys()], ['task_0']);
  t.is(g0.edges.size, 0);
});

test('traceToDots gives one picture per world with a title naming the step', (t) => {
  const steps = SCENARIO.map((s, i) => ({ ...s, result: i === 1 ? { ret: 0, fds: [4, 5] } : { ret: i === 0 ? 3 : i === 3 ? 1 : 0 } }));
  const dots = traceToDots(steps, seedWorlds, { design: seed });
  t.is(dots.length, 6);
  t.regex(dots[0]!, /label="step 0 \/ 5: the initial world"/);
  t.regex(dots[4]!, /label="step 4 \/ 5: T0 sendmsg\(5, SCM_RIGHTS\[3\]\) = 1"/);
  t.false(traceToDots(steps, seedWorlds, { design: seed, titles: false })[4]!.includes('label="step'));
});

test('svg: Graphviz in WebAssembly renders an <svg> document that shows the file names', async (t) => {
  const svg = await dotToSvg(worldToDot(seedWorlds[5]!, { design: seed }));
  t.regex(svg, /<svg[\s>]/);
  t.true(svg.trimEnd().endsWith('</svg>'));
  for (const name of ['f0:io_uring', 'f1:unix/dgram', 'f1 receive queue', 'f0 registered files']) t.true(svg.includes(name), name);
  // The node classes reach the SVG, so a page can style or find them.
  t.regex(svg, /class="node file unreachable"/);
  await t.throwsAsync(() => dotToSvg('digraph { a -> }'), { message: /^graphviz: / });
});

// ------------------------------------------------------------------------------------------------
// A use-after-free: the freed object still pointed at, and the dangling edge.

/** CVE-2022-2602 on linux-5.1, as `check --scenario cve-2022-2602` finds it (16 steps): f0, f1 a dgram
 *  socketpair (fds 3, 4), f2 the ring (fd 5), f3 a regular file (fd 6); the ring registers f1 and f3 (its
 *  ring_sock skb owns them), the ring is sent to f0's peer f1, a read on fixed slot 1 (f3) is submitted, the
 *  fds are closed, the GC collects the ring and f1, the io-wq worker blocks in the read, and the GC's
 *  purge puts the ring (15) and then the registration skb with f1 and f3 (16): request 0 still points at f3. */
const CVE_2022_2602 = ['T0 socketpair dgram', 'T0 io_uring_setup', 'T0 open', 'T0 io_uring_register 5 4 6', 'T0 sendmsg 3 5',
  'T0 enter 5 read fixed 1', 'T0 close 5', 'T0 close 6', 'T0 close 4', 'gc start', 'gc select', 'gc select', 'gc scan',
  'io_wq 2 0 block', 'gc purge', 'gc purge'];
/** CVE-2023-6531 on linux-6.1 (13 steps): f0, f1 a stream socketpair (fds 3, 4), f2 the ring (fd 5) registers
 *  f0 and is sent to f0; an io_uring recv on fixed slot 0 (f0) is submitted; the worker picks f0's head skb
 *  (11: a bare pointer) while the GC runs, the scan unlinks that skb onto the hitlist (12) and the purge
 *  frees it (13). */
const CVE_2023_6531 = ['T0 socketpair stream', 'T0 io_uring_setup', 'T0 io_uring_register 5 3', 'T0 sendmsg 4 5',
  'T0 enter 5 recv fixed 0', 'T0 close 5', 'T0 close 3', 'gc start', 'gc select', 'gc select', 'io_wq 2 0 pick', 'gc scan', 'gc purge'];

const uafBounds = { tasks: 1, fds: 4, files: 4, skbs: 1, msgFds: 2, reqs: 1, gc: 'phased' as const };
const uafMessage = (ctx: ReturnType<typeof ctxFor>, w: World): string | undefined =>
  makeProperties(ctx).find((p) => p.name === 'no-use-after-free')!.check(w as never, undefined as never, undefined as never);
const dotsOf = (d: Design, worlds: readonly World[]): Parsed[] =>
  worlds.map((w, i) => parse(worldToDot(w, { design: d, ...(i > 0 ? { previous: worlds[i - 1]! } : {}) })));

test('CVE-2022-2602, the violating step: f3 drawn freed, the dangling edge from request 0 of the ring, the released ring and f1 kept', (t) => {
  const ctx = ctxFor('linux-5.1', uafBounds);
  const worlds = run(ctx, CVE_2022_2602).worlds;
  t.is(uafMessage(ctx, worlds[16]!), 'dangling pointer: request 0 of ring f2 (fixed file) still points at released f3:regular');
  t.is(uafMessage(ctx, worlds[15]!), undefined, 'f3 is still alive after the first purge step');
  const g = dotsOf(ctx.design, worlds)[16]!;
  t.deepEqual(withClass(g.nodes, 'freed'), ['file_3']);
  t.deepEqual(classes(g.nodes.get('file_3')!), ['file', 'released', 'freed']);
  t.regex(g.nodes.get('file_3')!, /color="#c62828"[^>]* style="dashed"/, 'a dashed red border');
  t.deepEqual(withClass(g.edges, 'dangling'), ['requests_2:r0 -> file_3']);
  const e = g.edges.get('requests_2:r0 -> file_3')!;
  t.deepEqual(classes(e), ['borrows', 'dangling']);
  t.regex(e, /color="#c62828"/);
  t.regex(e, /style=dashed/);
  t.regex(e, /label="dangling \(borrowed\)"/);
  // The ring was released at step 15, but its ctx waits for the request: it stays, with its structures,
  // and the released f1 that its table still names stays too (marked released, not freed: never read again).
  t.deepEqual(classes(g.nodes.get('file_2')!), ['file', 'released']);
  t.deepEqual(classes(g.nodes.get('file_1')!), ['file', 'released']);
  t.deepEqual(sorted(g.nodes.keys()), ['file_0', 'file_1', 'file_2', 'file_3', 'requests_2', 'table_2', 'task_0']);
  t.deepEqual(classes(g.edges.get('table_2:slot0 -> file_1')!), ['borrows']);
  t.deepEqual(classes(g.edges.get('table_2:slot1 -> file_3')!), ['borrows']);
});

test('CVE-2022-2602 before the free: no freed node and no dangling edge at any step; every edge ends at a drawn node', (t) => {
  const ctx = ctxFor('linux-5.1', uafBounds);
  const dots = dotsOf(ctx.design, run(ctx, CVE_2022_2602).worlds);
  dots.slice(0, 16).forEach((g, i) => {
    t.deepEqual(withClass(g.nodes, 'freed'), [], `step ${i}`);
    t.deepEqual(withClass(g.edges, 'dangling'), [], `step ${i}`);
  });
  // Step 15: the ring is released, its request borrows a live f3 (a plain borrow).
  t.deepEqual(classes(dots[15]!.edges.get('requests_2:r0 -> file_3')!), ['borrows']);
  t.deepEqual(classes(dots[15]!.nodes.get('file_3')!), ['file']);
  t.true(dots[15]!.nodes.has('requests_2'));
  for (const [i, g] of dots.entries()) for (const k of g.edges.keys()) for (const end of k.split(' -> ')) t.true(g.nodes.has(end.split(':')[0]!), `step ${i}: ${k}`);
});

test('CVE-2023-6531: the reader\'s skb pointer to the queue, then the hitlist, then to the freed skb (dangling)', (t) => {
  const ctx = ctxFor('linux-6.1', { ...uafBounds, fds: 3, files: 3, msgFds: 1 });
  const worlds = run(ctx, CVE_2023_6531).worlds;
  t.is(uafMessage(ctx, worlds[13]!), 'use after free: an skb freed (unix_gc purge) while a reader still points at it (bare skb pointer across the copy)');
  const dots = dotsOf(ctx.design, worlds);
  t.deepEqual(withClass(dots[11]!.edges, 'reads'), ['requests_2:r0 -> queue_0:s0']);
  t.deepEqual(withClass(dots[12]!.edges, 'reads'), ['requests_2:r0 -> gc_hitlist:s0']);
  const g = dots[13]!;
  t.deepEqual(withClass(g.nodes, 'freed'), ['freed_skb_0']);
  t.deepEqual(classes(g.nodes.get('freed_skb_0')!), ['skb', 'freed', 'new']);
  t.regex(g.nodes.get('freed_skb_0')!, /carried f2:io_uring/, 'what the freed skb carried, from the world before');
  t.deepEqual(withClass(g.edges, 'dangling'), ['requests_2:r0 -> freed_skb_0']);
  t.regex(g.edges.get('requests_2:r0 -> freed_skb_0')!, /label="dangling: skb freed"/);
  dots.slice(0, 13).forEach((x, i) => t.deepEqual([...withClass(x.nodes, 'freed'), ...withClass(x.edges, 'dangling')], [], `step ${i}`));
  for (const [i, x] of dots.entries()) for (const k of x.edges.keys()) for (const end of k.split(' -> ')) t.true(x.nodes.has(end.split(':')[0]!), `step ${i}: ${k}`);
});
