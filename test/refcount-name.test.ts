// struct file's reference count is `f_ref` from 6.13 (90ee6ed776c0 "fs: port files to file_ref"), `f_count`
// before: traces (text, the HTML viewer's facts) and pictures (DOT) print the name of the design's kernel.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDesign } from '../model/design.js';
import { builtinDesign, builtinDesigns } from '../model/designs/index.js';
import { handTrace } from '../oracle/hand.js';
import { describeWorld } from '../traces/describe.js';
import { worldToDot } from '../traces/dot.js';
import { traceToJson } from '../traces/format.js';
import { renderSteps } from '../traces/text.js';
import { cli } from './helpers/cli.js';
import { ctxFor, run } from './helpers/world.js';

const F_REF = ['linux-6.18', 'linux-6.18.54', 'linux-7.2'];

test('the built-in designs: f_ref from linux-6.18 on, f_count before; a user design inherits its base\'s, or says its own', (t) => {
  for (const d of builtinDesigns) t.is(d.refcount, F_REF.includes(d.name) ? 'f_ref' : 'f_count', d.name);
  t.is(builtinDesign('linux-6.18[soPassRights=false]')!.refcount, 'f_ref', 'a switched built-in keeps its version\'s name');
  const on = (base: string, extra: object = {}) => resolveDesign({ name: 'mine', summary: 'x', base, ...extra }, builtinDesign);
  t.like(on('linux-6.18'), { refcount: 'f_ref' });
  t.like(on('linux-7.2'), { refcount: 'f_ref' });
  t.like(on('linux-6.10'), { refcount: 'f_count' });
  t.like(on('linux-6.18', { refcount: 'f_count' }), { refcount: 'f_count' });
  t.is(on('linux-6.18', { refcount: 'count' }), "design 'mine': refcount must be 'f_count' or 'f_ref'");
});

test('text traces: each file\'s count under the design\'s name (changes and --full)', (t) => {
  const ctx = ctxFor('linux-6.18');
  const steps = ['T0 socketpair dgram', 'T0 sendmsg 4 3'];
  const r = run(ctx, steps);
  const tr = handTrace(builtinDesign('linux-6.18')!, [[0, 'socketpair', { type: 'dgram' }], [0, 'sendmsg', { fd: 4, rights: [3] }]]);
  const ref = renderSteps(tr.steps, r.worlds, { counter: 'f_ref' });
  t.regex(ref, /f0:unix\/dgram f_ref: 1 → 2/);
  t.notRegex(ref, /f_count/);
  t.regex(renderSteps(tr.steps, r.worlds, { counter: 'f_ref', full: true }), /f1:unix\/dgram f_ref: 1/);
  const old = renderSteps(tr.steps, r.worlds);
  t.regex(old, /f0:unix\/dgram f_count: 1 → 2/);
  t.notRegex(old, /f_ref/);
  t.true(describeWorld(r.world, 'f_ref').has('f0:unix/dgram f_ref'));
  t.true(describeWorld(r.world).has('f0:unix/dgram f_count'));
});

test('pictures: the file node says f_ref or f_count as the design\'s kernel does, also for a change', (t) => {
  const r = run(ctxFor('linux-6.18'), ['T0 socketpair dgram', 'T0 sendmsg 4 3']);
  const ref = worldToDot(r.world, { design: builtinDesign('linux-7.2')!, previous: r.worlds[1]! });
  t.regex(ref, /f_ref 1 → 2/);
  t.regex(ref, /<td>f_ref 1<\/td>/);
  t.notRegex(ref, /f_count/);
  const old = worldToDot(r.world, { design: builtinDesign('linux-6.10')!, previous: r.worlds[1]! });
  t.regex(old, /f_count 1 → 2/);
  t.notRegex(old, /f_ref/);
});

test('inflight replay prints the replaying design\'s name: f_ref on linux-6.18, f_count on linux-6.10', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inflight-refcount-'));
  const file = join(dir, 'trace.json');
  writeFileSync(file, traceToJson(handTrace(builtinDesign('linux-6.18')!, [[0, 'socketpair', { type: 'dgram' }], [0, 'sendmsg', { fd: 4, rights: [3] }]])));
  const a = await cli(['replay', file, '--design', 'linux-6.18']);
  t.regex(a.out, /f_ref: 1 → 2/);
  t.notRegex(a.out, /f_count/);
  const b = await cli(['replay', file, '--design', 'linux-6.10']);
  t.regex(b.out, /f_count: 1 → 2/);
  t.notRegex(b.out, /f_ref/);
});
