// The reference graph of one world as Graphviz DOT: who holds which file, drawn from the one
// definition of a holder (model/holders.ts).
//
// Nodes (stable ids, so that tests and tools can read them back):
//   task_<t>      a live task; one row per open fd, port fd<N>
//   file_<f>      a live file (name, f_count, in-flight count), or a released one that something
//                 still points at (dashed: a dangling pointer)
//   queue_<f>     the receive queue of unix socket f (when not empty); one row per skb, one cell per
//                 SCM_RIGHTS entry, port s<skb>e<entry>
//   table_<f>     ring f's registered-file table (when registered); port slot<i>
//   ringsock_<f>  the queue of ring f's ring_sock (designs with ring_sock registration, when not empty)
//   gc_hitlist    skbs the unix GC has unlinked and not yet purged (never at rest in this model)
// Edges:
//   holder -> file         a counted reference (fd slot, skb entry, owning table slot, hitlist entry)
//   table_<f>:slotI -> x   a borrowed pointer (ring_sock designs): dashed grey
//   file_<f> -> queue_<f> / table_<f> / ringsock_<f>   the structure belongs to the file: grey, no arrowhead
//   file_<a> -> file_<b>   socketpair peers: dashed, no arrowhead, once per pair
// Highlights (also as `class` attributes, which Graphviz copies into the SVG):
//   unreachable  a live file no fd table reaches (filled red; its queue and table are filled too, class
//                of-unreachable); the references held by its structures are red
//   named        a file or structure the violation message names (thick red border)
//   new          a node or edge that was not in the previous world (blue); a changed f_count shows old → new
import { formatStep } from '../model/apply.js';
import type { Design } from '../model/design.js';
import { kernelOf } from '../model/kernel.js';
import { formatResult } from '../model/step.js';
import { forEachBorrowed, forEachDangling, forEachHolder, forEachRequestBorrow, forEachSkbReader, holderOwner, pinnedSkbOf, reachable, type Holder, type SkbReader } from '../model/holders.js';
import { FD_BASE, fileName, type FileId, type Skb, type World } from '../model/world.js';
import { traceStepToStep } from './build.js';
import type { TraceStep } from './format.js';
import { actorName } from './text.js';

export interface DotOptions {
  readonly design: Design;
  /** The violation message: the files and structures it names are highlighted. */
  readonly violation?: string;
  /** The world before this one: what appeared since is drawn in blue. */
  readonly previous?: World;
  /** A caption above the graph. */
  readonly title?: string;
}

export interface DotNode {
  readonly id: string;
  readonly label: string;          // an HTML-like label (without the outer < >)
  readonly classes: readonly string[];
}
export interface DotEdge {
  /** `node` or `node:port`. */
  readonly from: string;
  readonly to: string;
  readonly kind: 'holds' | 'borrows' | 'has' | 'peer' | 'reads';
  readonly classes: readonly string[];
}
export interface RefGraph {
  readonly nodes: readonly DotNode[];
  readonly edges: readonly DotEdge[];
}

const COLOR = {
  red: '#c62828', redFill: '#ffd9d6', blue: '#1565c0', blueFill: '#dbe9ff',
  grey: '#8a8a8a', head: '#eeeeee', dangling: '#f2f2f2',
} as const;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

const reEsc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The files and structures a violation message names, as node ids. */
export function namedInViolation(w: World, message: string): Set<string> {
  const out = new Set<string>();
  w.files.forEach((_, id) => {
    if (new RegExp(`(?<![\\w])${reEsc(fileName(w, id))}(?![\\w/])`).test(message)) out.add(`file_${id}`);
  });
  for (const m of message.matchAll(/\bf(\d+)'s receive queue\b/g)) out.add(`queue_${m[1]}`);
  for (const m of message.matchAll(/\bf(\d+)'s registered file table\b/g)) out.add(`table_${m[1]}`);
  for (const m of message.matchAll(/\bf(\d+)'s ring_sock\b/g)) out.add(`ringsock_${m[1]}`);
  return out;
}

const holderPort = (h: Holder): string => {
  switch (h.kind) {
    case 'fd': return `task_${h.task}:fd${h.fd}`;
    case 'skb': return `queue_${h.sock}:s${h.skb}e${h.entry}`;
    case 'ring_sock_skb': return `ringsock_${h.ring}:s${h.skb}e${h.entry}`;
    case 'ring_table': return `table_${h.ring}:slot${h.slot}`;
    case 'gc_hitlist': return `gc_hitlist:s${h.skb}e${h.entry}`;
    case 'oob_skb': return `oob_${h.sock}:s0e${h.entry}`;
    case 'cookie': return `task_${h.task}:cookie`;
    case 'request': return `requests_${h.ring}:r${h.req}`;
  }
};

function skbRows(queue: readonly Skb[], w: World): string {
  const width = Math.max(1, ...queue.map((s) => s.fds.length));
  return queue.map((skb, s) => {
    const cells = skb.fds.map((f, e) => `<td port="s${s}e${e}">${esc(fileName(w, f))}</td>`);
    if (cells.length === 0) cells.push('<td>(no fds)</td>');
    const pad = width - Math.max(1, skb.fds.length);
    return `<tr><td port="s${s}" align="left">skb ${s}</td>${cells.join('')}${pad > 0 ? `<td colspan="${pad}"></td>` : ''}</tr>`;
  }).join('');
}

const table = (head: string, rows: string, span: number, headBg: string = COLOR.head): string =>
  `<table border="0" cellborder="1" cellspacing="0" cellpadding="4"><tr><td colspan="${span}" bgcolor="${headBg}"><b>${head}</b></td></tr>${rows}</table>`;

/** The reference graph of w, before it is written out (the tests read it back from the DOT text). */
export function refGraph(w: World, design: Design, previous?: World): RefGraph {
  const nodes: DotNode[] = [];
  const edges: DotEdge[] = [];
  const seen = reachable(w, design);
  const drawn = new Set<FileId>();
  const pointedAt = new Set<FileId>();
  forEachHolder(w, design, (f) => pointedAt.add(f));
  forEachBorrowed(w, design, (f) => pointedAt.add(f));
  forEachRequestBorrow(w, (f) => pointedAt.add(f));
  // A released ring whose teardown waits for its requests (io_ring_ctx_wait_and_kill) keeps its ctx: its
  // structures are drawn, and the files its table still names stay in the picture.
  const dying = (id: FileId): boolean => w.files[id]!.released && w.files[id]!.ring?.dying === true;
  w.files.forEach((f, id) => { if (dying(id)) for (const x of f.ring!.table ?? []) if (x !== null) pointedAt.add(x); });
  // Freed and still pointed at (no-use-after-free's dangling pointers), or named by a KASAN report.
  const freed = new Set<FileId>();
  const danglingEdges = new Set<string>();
  forEachDangling(w, design, (d) => {
    freed.add(d.file);
    danglingEdges.add(`${d.kind === 'holder' ? holderPort(d.holder) : d.kind === 'request' ? `requests_${d.ring}:r${d.req}` : `table_${d.ring}:slot${d.slot}`} -> file_${d.file}`);
  });
  for (const r of w.reports) if (r.kind === 'use-after-free' && r.file >= 0 && w.files[r.file]?.released) { freed.add(r.file); pointedAt.add(r.file); }

  w.tasks.forEach((task, t) => {
    if (!task.alive) return;
    const rows = task.fds.map((slot, i) => slot
      ? `<tr><td port="fd${i + FD_BASE}" align="left">fd ${i + FD_BASE}${slot.cloexec ? ' <font point-size="9">cloexec</font>' : ''}</td></tr>` : '').join('');
    const p = task.pending;
    const inCall = p ? `<tr><td port="cookie" align="left"><i>in ${esc(p.kind === 'recvmsg' ? `recvmsg(${p.fd}${p.peek ? ', MSG_PEEK' : ''})` : `connect(${p.fd})`)}</i></td></tr>` : '';
    nodes.push({ id: `task_${t}`, label: table(`T${t}`, (rows + inCall) || '<tr><td><i>no open fds</i></td></tr>', 1), classes: ['task'] });
  });

  w.files.forEach((f, id) => {
    if (f.released && !pointedAt.has(id) && !dying(id)) return;
    drawn.add(id);
    const rows: string[] = [];
    if (freed.has(id)) rows.push(`<tr><td><font color="${COLOR.red}"><b>freed</b></font> (released, still pointed at)</td></tr>`);
    else if (dying(id)) rows.push('<tr><td><i>released: the ctx waits for its requests</i></td></tr>');
    else if (f.released) rows.push('<tr><td><i>released</i></td></tr>');
    else {
      const before = previous?.files[id];
      const changed = before !== undefined && !before.released && before.f_count !== f.f_count;
      // The count as the design's kernel names it: f_ref from 6.13 (Design.refcount).
      const rc = design.refcount;
      rows.push(changed ? `<tr><td bgcolor="${COLOR.blueFill}">${rc} ${before.f_count} → ${f.f_count}</td></tr>` : `<tr><td>${rc} ${f.f_count}</td></tr>`);
      const inflight = f.sock?.inflight || f.ring?.ringSock?.inflight || 0;
      if (inflight) rows.push(`<tr><td>in flight ${inflight}</td></tr>`);
      if (f.ring?.dead) rows.push('<tr><td><i>torn down</i></td></tr>');
      if (!seen[id]) rows.push(`<tr><td><font color="${COLOR.red}"><b>unreachable</b></font></td></tr>`);
    }
    const classes = ['file', ...(f.released ? ['released', ...(freed.has(id) ? ['freed'] : [])] : !seen[id] ? ['unreachable'] : [])];
    nodes.push({ id: `file_${id}`, label: table(esc(fileName(w, id)), rows.join(''), 1), classes });
    if (f.released && !dying(id)) return;
    // An unreachable file's structures are part of the leak: filled like the file (a released ring's are not).
    const part = seen[id] || f.released ? [] : ['of-unreachable'];
    const q = f.sock?.queue;
    if (q && q.length > 0) {
      nodes.push({ id: `queue_${id}`, label: table(`f${id} receive queue`, skbRows(q, w), 1 + Math.max(1, ...q.map((s) => s.fds.length))), classes: ['queue', ...part] });
      edges.push({ from: `file_${id}`, to: `queue_${id}`, kind: 'has', classes: [] });
    }
    const oob = f.sock?.oobSkb;
    if (oob) {
      nodes.push({ id: `oob_${id}`, label: table(`f${id} u->oob_skb (unlinked)`, skbRows([oob], w), 1 + Math.max(1, oob.fds.length)), classes: ['queue', ...part] });
      edges.push({ from: `file_${id}`, to: `oob_${id}`, kind: 'has', classes: [] });
    }
    for (const e of f.sock?.acceptQueue ?? []) edges.push({ from: `file_${id}`, to: `file_${e}`, kind: 'has', classes: [] });
    const r = f.ring;
    if (r && r.requests.length > 0) {
      const rows = r.requests.map((q, i) => `<tr><td port="r${i}" align="left">${q.op}${q.fixed ? ' fixed' : ''}: ${q.phase}</td></tr>`).join('');
      nodes.push({ id: `requests_${id}`, label: table(`f${id} requests`, rows, 1), classes: ['table', ...part] });
      edges.push({ from: `file_${id}`, to: `requests_${id}`, kind: 'has', classes: [] });
      r.requests.forEach((q, i) => {
        const from = `requests_${id}:r${i}`;
        if (q.fixed) edges.push({ from, to: `file_${q.file}`, kind: 'borrows', classes: danglingEdges.has(`${from} -> file_${q.file}`) ? ['dangling'] : [] });
      });
    }
    if (r?.table) {
      const owns = !kernelOf(design).io_table_borrows(w, id);
      const rows = r.table.map((x, i) => `<tr><td port="slot${i}" align="left">slot ${i}${x === null ? ' (-1)' : ''}</td></tr>`).join('') || '<tr><td><i>empty</i></td></tr>';
      nodes.push({ id: `table_${id}`, label: table(`f${id} registered files${owns ? '' : ' <font point-size="9">(borrowed)</font>'}`, rows, 1), classes: ['table', ...part] });
      edges.push({ from: `file_${id}`, to: `table_${id}`, kind: 'has', classes: [] });
      // A dying ring's borrowed slots (forEachBorrowed skips released rings): never read again, not dangling.
      if (f.released && !owns) r.table.forEach((x, i) => { if (x !== null) edges.push({ from: `table_${id}:slot${i}`, to: `file_${x}`, kind: 'borrows', classes: [] }); });
    }
    const rq = r?.ringSock?.queue;
    if (rq && rq.length > 0) {
      nodes.push({ id: `ringsock_${id}`, label: table(`f${id} ring_sock queue`, skbRows(rq, w), 1 + Math.max(1, ...rq.map((s) => s.fds.length))), classes: ['queue', ...part] });
      edges.push({ from: `file_${id}`, to: `ringsock_${id}`, kind: 'has', classes: [] });
    }
  });

  if (w.gc.hitlist.length > 0) {
    nodes.push({ id: 'gc_hitlist', label: table('unix GC hitlist', skbRows(w.gc.hitlist, w), 1 + Math.max(1, ...w.gc.hitlist.map((s) => s.fds.length))), classes: ['queue'] });
  }

  // Counted references: the edges out of an unreachable file's structures are the leak itself.
  forEachHolder(w, design, (file, h) => {
    const owner = holderOwner(h);
    const from = holderPort(h);
    const dangling = danglingEdges.has(`${from} -> file_${file}`);
    edges.push({ from, to: `file_${file}`, kind: 'holds', classes: dangling ? ['dangling'] : owner !== undefined && !seen[owner] && !w.files[owner]!.released ? ['unreachable'] : [] });
  });
  forEachBorrowed(w, design, (file, ring, slot) => {
    const from = `table_${ring}:slot${slot}`;
    edges.push({ from, to: `file_${file}`, kind: 'borrows', classes: danglingEdges.has(`${from} -> file_${file}`) ? ['dangling'] : [] });
  });
  // Readers' bare skb pointers: to the skb's row on its queue or on the GC's hitlist, or to the freed skb.
  forEachSkbReader(w, (r, where) => {
    const from = readerPort(r);
    if (where.at === 'queue') { edges.push({ from, to: `queue_${r.sock}:s${where.index}`, kind: 'reads', classes: [] }); return; }
    if (where.at === 'hitlist') { edges.push({ from, to: `gc_hitlist:s${where.index}`, kind: 'reads', classes: [] }); return; }
    const id = `freed_skb_${r.sock}`;
    if (!nodes.some((n) => n.id === id)) {
      const carried = previous ? pinnedSkbIn(previous, r.sock) : undefined;
      const rows = `<tr><td><font color="${COLOR.red}"><b>freed</b></font> (was the head of f${r.sock}'s receive queue)</td></tr>` +
        (carried && carried.fds.length > 0 ? `<tr><td>carried ${carried.fds.map((f) => esc(fileName(w, f))).join(', ')}</td></tr>` : '');
      nodes.push({ id, label: table('skb', rows, 1), classes: ['skb', 'freed'] });
    }
    edges.push({ from, to: id, kind: 'reads', classes: ['dangling'] });
  });
  w.files.forEach((f, id) => {
    const peer = f.sock?.peer;
    if (f.released || peer === null || peer === undefined || !drawn.has(peer)) return;
    if (peer < id && w.files[peer]?.sock?.peer === id) return;   // drawn once per pair, from the lower id
    edges.push({ from: `file_${id}`, to: `file_${peer}`, kind: 'peer', classes: [] });
  });

  if (!previous) return { nodes, edges };
  const before = refGraph(previous, design);
  const oldNodes = new Set(before.nodes.map((n) => n.id));
  const oldEdges = new Set(before.edges.map(edgeKey));
  return {
    nodes: nodes.map((n) => (oldNodes.has(n.id) ? n : { ...n, classes: [...n.classes, 'new'] })),
    edges: edges.map((e) => (oldEdges.has(edgeKey(e)) ? e : { ...e, classes: [...e.classes, 'new'] })),
  };
}

export const edgeKey = (e: DotEdge): string => `${e.from} -> ${e.to}`;

const readerPort = (r: SkbReader): string => (r.kind === 'task' ? `task_${r.task}:cookie` : `requests_${r.ring}:r${r.req}`);

/** The skb a reader of `sock` had pinned in w (on the queue or the hitlist), as forEachSkbReader finds it. */
function pinnedSkbIn(w: World, sock: FileId): Skb | undefined {
  const p = pinnedSkbOf(w, sock);
  return p.at === 'freed' ? undefined : p.skb;
}

function nodeStmt(n: DotNode, named: boolean): string {
  const cls = [...n.classes, ...(named ? ['named'] : [])];
  const has = (c: string): boolean => cls.includes(c);
  // The border and fill go on the HTML table; the node itself is shape=plain.
  const border = named || has('freed') ? COLOR.red : has('new') ? COLOR.blue : has('released') ? COLOR.grey : 'black';
  const fill = has('unreachable') || has('of-unreachable') ? COLOR.redFill : has('released') || has('freed') ? COLOR.dangling : 'white';
  const width = named ? 3 : has('new') || has('freed') ? 2 : 0;
  const style = has('released') || has('freed') ? ' style="dashed"' : '';
  const label = n.label.replace(/^<table /, `<table color="${border}" bgcolor="${fill}"${style} `)
    .replace(/^(<table[^>]*) border="0"/, `$1 border="${width}"`);
  return `  ${n.id} [class=${quote(cls.join(' '))}, label=<${label}>];`;
}

function edgeStmt(e: DotEdge): string {
  const attrs: string[] = [];
  const has = (c: string): boolean => e.classes.includes(c);
  // A dangling pointer is red whatever else it is: the violation itself.
  const color = has('dangling') ? COLOR.red : has('new') ? COLOR.blue : has('unreachable') ? COLOR.red : e.kind === 'holds' ? 'black' : COLOR.grey;
  attrs.push(`class=${quote([e.kind, ...e.classes].join(' '))}`, `color=${quote(color)}`);
  if (e.kind === 'has') attrs.push('arrowhead=none', 'penwidth=3', 'weight=4');
  else if (has('new') || has('unreachable') || has('dangling')) attrs.push('penwidth=2');
  if (has('dangling')) attrs.push('style=dashed', `label=${quote(e.kind === 'reads' ? 'dangling: skb freed' : e.kind === 'borrows' ? 'dangling (borrowed)' : 'dangling')}`, `fontcolor=${quote(COLOR.red)}`);
  else if (e.kind === 'borrows') attrs.push('style=dashed', 'arrowhead=onormal', 'label="borrowed"', `fontcolor=${quote(COLOR.grey)}`);
  else if (e.kind === 'reads') attrs.push('style=dotted', 'label="reads"', `fontcolor=${quote(COLOR.grey)}`);
  if (e.kind === 'borrows' && has('dangling')) attrs.push('arrowhead=onormal');
  if (e.kind === 'peer') attrs.push('style=dashed', 'dir=none', 'label="peer"', `fontcolor=${quote(COLOR.grey)}`, 'constraint=false');
  return `  ${e.from} -> ${e.to} [${attrs.join(', ')}];`;
}

/** The reference graph of one world as DOT text. Deterministic: the same world gives the same text. */
export function worldToDot(w: World, opts: DotOptions): string {
  const g = refGraph(w, opts.design, opts.previous);
  const named = opts.violation ? namedInViolation(w, opts.violation) : new Set<string>();
  const out = [
    'digraph inflight {',
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.6${opts.title ? `, labelloc=t, labeljust=l, label=${quote(opts.title)}` : ''}];`,
    '  node [shape=plain, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
  ];
  for (const n of g.nodes) out.push(nodeStmt(n, named.has(n.id)));
  for (const e of g.edges) out.push(edgeStmt(e));
  out.push('}');
  return out.join('\n') + '\n';
}

/** One line saying what a step did: `T0 sendmsg(3, SCM_RIGHTS[5]) = 1`. */
export function stepCaption(s: TraceStep): string {
  return `${actorName(s.task)} ${formatStep(traceStepToStep(s))} = ${formatResult(s.result)}`;
}

/** The DOT of every world of a trace: worlds[0] is the initial world, worlds[i] the world after step i.
 *  Each picture marks what appeared since the world before, and the objects the violation names. */
export function traceToDots(steps: readonly TraceStep[], worlds: readonly World[], opts: TraceDotOptions): string[] {
  return worlds.map((w, i) => traceDot(steps, i, w, i > 0 ? worlds[i - 1]! : undefined, opts));
}

export interface TraceDotOptions { readonly design: Design; readonly violation?: string; readonly titles?: boolean }

/** The DOT of world i of a trace (`previous` is world i - 1), as traceToDots draws it. */
export function traceDot(steps: readonly TraceStep[], i: number, w: World, previous: World | undefined, opts: TraceDotOptions): string {
  return worldToDot(w, {
    design: opts.design,
    ...(opts.violation !== undefined ? { violation: opts.violation } : {}),
    ...(previous !== undefined ? { previous } : {}),
    ...(opts.titles === false ? {} : { title: i === 0 ? `step 0 / ${steps.length}: the initial world` : `step ${i} / ${steps.length}: ${stepCaption(steps[i - 1]!)}` }),
  });
}
