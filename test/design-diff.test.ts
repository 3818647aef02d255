// Each built-in design is a patch on its base: what `designs --diff BASE DESIGN` lists is exactly what the
// design's commit changed (written out by hand below from the commits the design files name).
import test from 'ava';
import { diffDesigns, formatDiff, overridesOf } from '../model/design-diff.js';
import { builtinDesigns } from '../model/designs/index.js';
import { GRAPH_GC_FUNCTIONS } from '../model/gc/unix-gc-graph.js';
import { cli } from './helpers/cli.js';
import { design } from './helpers/world.js';

const RING_SOCK = ['unix_get_socket', 'io_ring_ctx_alloc', 'io_sqe_files_scm', 'io_sqe_file_register', 'io_rsrc_file_put', 'io_sqe_files_unregister', 'io_table_borrows'];
const OOB = ['unix_oob_supported', 'unix_read_index', 'manage_oob'];

const PATCHES: readonly { base: string; design: string; switches: string[]; functions: string[] }[] = [
  { base: 'seed-2019', design: 'viro-2019', switches: ['registration: table -> ring_sock'], functions: RING_SOCK },
  { base: 'seed-2019', design: 'flush-teardown', switches: ['flushTeardown: false -> true'], functions: ['io_uring_flush'] },
  { base: 'viro-2019', design: 'linux-5.1', switches: [], functions: [] },
  { base: 'linux-5.1', design: 'linux-5.14', switches: ['peekGuard: none -> gc-lock'], functions: ['unix_peek_fds_may_install', 'io_sqe_files_register', 'io_sqe_files_update'] },
  { base: 'linux-5.14', design: 'linux-6.1', switches: ['scmIoUringRequeue: false -> true', 'oob: unsupported -> leaky'], functions: ['unix_gc_collect_skb', ...OOB] },
  { base: 'linux-6.1', design: 'linux-6.7', switches: ['registration: ring_sock -> table', 'ringFdInScm: allow -> EINVAL'], functions: ['scm_fp_copy', ...RING_SOCK] },
  // The graph GC replaces every GC function (unix_gc_collect_skb among them, which 6.1's MSG_OOB wrapped).
  { base: 'linux-6.7', design: 'linux-6.10', switches: ['gc: 2007 -> graph', 'peekGuard: gc-lock -> none', 'oob: leaky -> fixed'], functions: [...GRAPH_GC_FUNCTIONS, 'unix_peek_fds_may_install', ...OOB] },
  // With 6.16's SO_PASSRIGHTS (77cbe1a6d873, 3f84d577b79d): setsockopt, sendmsg's EPERM, the embryo's inherited flag.
  { base: 'linux-6.10', design: 'linux-6.18', switches: ['peekGuard: none -> seqcount', 'soPassRights: false -> true'], functions: ['unix_peek_fds', 'unix_scc_dead', 'sk_setsockopt', 'unix_check_scm_rights', 'unix_stream_connect_peer'] },
  // 4a4263dfeaba touches __unix_walk_scc() only: the model's unix_walk_scc, no switch.
  { base: 'linux-6.18', design: 'linux-6.18.54', switches: [], functions: ['unix_walk_scc'] },
  // The Nov 2025 series changes the model only in close()'s trigger (da8fc7a39be8): unix_schedule_gc, no
  // switch; the rest of the series and d82ba05263c6 are not observable (model/designs/linux-7.2.ts).
  { base: 'linux-6.18.54', design: 'linux-7.2', switches: [], functions: ['unix_schedule_gc'] },
];

for (const p of PATCHES) {
  test(`${p.design} changes against ${p.base} exactly what its commit changed`, (t) => {
    const d = diffDesigns(design(p.base), design(p.design));
    t.deepEqual(d.switches.map((s) => `${s.name}: ${String(s.from)} -> ${String(s.to)}`), p.switches);
    t.deepEqual(d.functions.map((f) => f.name).sort(), [...p.functions].sort());
  });
}

test('every built-in Linux design names its base, and the patches above cover each of them', (t) => {
  for (const d of builtinDesigns) {
    if (d.name === 'seed-2019') { t.is(d.base, undefined); continue; }
    t.truthy(PATCHES.find((p) => p.design === d.name && p.base === d.base), d.name);
  }
});

test('who overrides a function: the switch patches first, in the order applied, then the design chain', (t) => {
  t.deepEqual(overridesOf(design('linux-6.1'), 'unix_gc_collect_skb'), ['linux-6.1 (scmIoUringRequeue=true)', 'linux-6.1 (oob=leaky)']);
  t.deepEqual(overridesOf(design('seed-2019'), 'unix_gc_collect_skb'), []);
  t.deepEqual(overridesOf(design('linux-6.18'), 'unix_scc_dead'), ['linux-6.10 (gc=graph)', 'linux-6.18 (peekGuard=seqcount)']);
  t.deepEqual(overridesOf(design('linux-6.18.54'), 'unix_walk_scc'), ['linux-6.10 (gc=graph)', 'linux-6.18.54']);
  // The trigger is the model's own until 7.x: no switch patch and no design before linux-7.2 touches it.
  t.deepEqual(overridesOf(design('linux-6.18.54'), 'unix_schedule_gc'), []);
  t.deepEqual(overridesOf(design('linux-7.2'), 'unix_schedule_gc'), ['linux-7.2']);
});

test('the text form lists switches, functions and expectations; identical designs have no difference', (t) => {
  const text = formatDiff(diffDesigns(design('linux-6.1'), design('linux-6.7')));
  t.regex(text, /^linux-6\.7 against linux-6\.1:/);
  t.regex(text, /ringFdInScm: allow -> EINVAL/);
  t.regex(text, /scm_fp_copy +the model -> linux-6\.7 \(ringFdInScm=EINVAL\)/);
  t.regex(text, /gc-releases-ring-cycle: found -> not-found/);
  t.is(formatDiff(diffDesigns(design('linux-6.18'), design('linux-6.18'))), 'linux-6.18 against linux-6.18: no difference');
});

test('CLI: designs --diff A B, as text and --json, a user design file too; a wrong call is E_USAGE', async (t) => {
  const r = await cli(['designs', '--diff', 'linux-6.10', 'linux-6.18']);
  t.is(r.code, 0);
  t.regex(r.out, /peekGuard: none -> seqcount/);
  const j = await cli(['designs', '--diff', 'seed-2019', 'test/fixtures/my-patch.ts', '--json']);
  t.is(j.code, 0);
  const d = JSON.parse(j.out) as { from: string; to: string; switches: { name: string }[]; functions: { name: string; to: string[] }[] };
  t.is(d.to, 'my-patch');
  t.deepEqual(d.switches.map((s) => s.name), ['registration', 'flushTeardown']);
  t.deepEqual(d.functions.find((f) => f.name === 'io_uring_flush')!.to, ['flush-teardown (flushTeardown=true)']);
  const bad = await cli(['designs', '--diff', 'linux-6.18']);
  t.is(bad.code, 2);
  t.regex(bad.err, /E_USAGE: designs --diff needs two designs/);
  const unknown = await cli(['designs', '--diff', 'linux-6.18', 'nope']);
  t.not(unknown.code, 0);
  t.regex(unknown.err, /E_DESIGN/);
});

test('the switches are read in one place: model/designs/switch-patches.ts (design.ts resolves them, design-diff compares them)', async (t) => {
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
  const allowed = new Set(['model/designs/switch-patches.ts', 'model/design.ts', 'model/design-diff.ts']);
  const readers = ['model', 'properties', 'traces'].flatMap(files)
    // Any use of a design's switches object (a read, or an alias to read it through), except handing it to
    // switchPatches.
    .filter((p) => !allowed.has(p) && /\.switches\b/.test(readFileSync(p, 'utf8').replaceAll('switchPatches(design.switches)', '')));
  t.deepEqual(readers, []);
});
