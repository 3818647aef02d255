// Damaged, forged and misplaced checkpoints (issue 18, parts 2 and 3): every byte region and header field
// of a small checkpoint, corrupted; hand-forged files with a correct checksum; the design's identity; the
// paths a checkpoint may replace; a full disk during a periodic checkpoint; --max-states leaves one.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { always, check, decodeSnapshot, encodeSnapshot, sometimesStep, type CheckResult, type Model, type Snapshot } from '../checker/index.js';
import { checkpointFs } from '../cli/persist.js';
import { cli } from './helpers/cli.js';

const TMP = mkdtempSync(join(tmpdir(), 'inflight-ckpt-'));
const ONE_LINE = /^inflight: E_CHECKPOINT: [^\n]+$/;

// ---------------------------------------------------------------------------------------------------
// The kernel model through the CLI: seed-2019 at the default bounds (12,422 states), stopped at 400.

const BASE = ['check', '--design', 'seed-2019', '--json'];
const stats = (out: string) => {
  const j = JSON.parse(out) as { stop: string; stats: { distinct: number; generated: number; depth: number; pruned: number }; properties: unknown; witnesses: unknown };
  return { stop: j.stop, distinct: j.stats.distinct, generated: j.stats.generated, depth: j.stats.depth, pruned: j.stats.pruned, properties: j.properties, witnesses: j.witnesses };
};
let whole: ReturnType<typeof stats>;
let good: Buffer;
const goodFile = join(TMP, 'good.ckpt');

test.before(async () => {
  const w = await cli(BASE);
  whole = stats(w.out);
  const r = await cli([...BASE, '--max-states', '400', '--checkpoint', goodFile]);
  if (r.code !== 0 || !existsSync(goodFile)) throw new Error(`no checkpoint: ${r.err}`);
  good = readFileSync(goodFile);
});

let nfile = 0;
async function resumeBytes(bytes: Uint8Array): Promise<{ code: number; out: string; err: string }> {
  const f = join(TMP, `c-${nfile++}.ckpt`);
  writeFileSync(f, bytes);
  return cli([...BASE, '--resume', f]);
}

/** The file's regions: the checksum line, the JSON header, the padding and each typed array. */
function regions(buf: Buffer): { name: string; from: number; to: number }[] {
  const nl1 = buf.indexOf(0x0a);
  const nl2 = buf.indexOf(0x0a, nl1 + 1);
  const header = JSON.parse(buf.subarray(nl1 + 1, nl2).toString('utf8')) as { lengths: number[] };
  let at = nl2 + 1;
  const bodyStart = nl1 + 1;
  const padEnd = bodyStart + (at - bodyStart) + ((4 - ((at - bodyStart) % 4)) % 4);
  const out = [{ name: 'magic', from: 0, to: 21 }, { name: 'checksum', from: 21, to: nl1 + 1 }, { name: 'header', from: nl1 + 1, to: nl2 + 1 }];
  if (padEnd > at) out.push({ name: 'padding', from: at, to: padEnd });
  at = padEnd;
  ['visited', 'parents', 'stepTaken', 'cur', 'nxt'].forEach((name, i) => {
    out.push({ name, from: at, to: at + header.lengths[i]! * 4 });
    at += header.lengths[i]! * 4;
  });
  return out.filter((r) => r.to > r.from);
}

test('every region of a checkpoint, bit-flipped at every byte, is refused by decodeSnapshot', (t) => {
  const regs = regions(good);
  t.deepEqual(regs.map((r) => r.name).filter((n) => n !== 'padding'), ['magic', 'checksum', 'header', 'visited', 'parents', 'stepTaken', 'cur', 'nxt']);
  t.is(regs[regs.length - 1]!.to, good.length, 'the regions cover the file');
  let flips = 0;
  for (const r of regs) {
    // The fingerprint table is 32 KB of mostly zeros: every fourth byte there, every byte elsewhere.
    const stride = r.name === 'visited' ? 4 : 1;
    for (let i = r.from; i < r.to; i += stride) {
      const b = Buffer.from(good);
      b[i]! ^= 1 << (i % 8);
      const got = decodeSnapshot(b);
      if (typeof got !== 'string') return t.fail(`a flip at byte ${i} (${r.name}) was accepted`);
      flips++;
    }
  }
  t.log(`${flips} single-bit flips, all refused`);
  t.true(flips > 8000);
});

test('corrupted in each region (a flipped bit, a zeroed word, cut short), resume is E_CHECKPOINT, exit 2, one line', async (t) => {
  for (const r of regions(good)) {
    const mid = r.from + ((r.to - r.from) >> 1);
    const cases: [string, Buffer][] = [];
    for (const at of [r.from, mid, r.to - 1]) { const b = Buffer.from(good); b[at]! ^= 0x10; cases.push([`flip@${at}`, b]); }
    const z = Buffer.from(good); z.fill(0, mid & ~3, Math.min(r.to, (mid & ~3) + 4)); cases.push(['zero word', z]);
    cases.push(['cut inside', good.subarray(0, mid)], ['cut at its end', good.subarray(0, r.to === good.length ? r.to - 1 : r.to)]);
    for (const [what, b] of cases) {
      if (b.equals(good)) continue;   // zeroing a word that is already zero changes nothing
      const res = await resumeBytes(b);
      t.is(res.code, 2, `${r.name}: ${what}`);
      t.regex(res.err, ONE_LINE, `${r.name}: ${what}`);
      t.is(res.out, '', `${r.name}: ${what}: nothing on stdout`);
    }
  }
  t.is((await resumeBytes(Buffer.alloc(0))).code, 2);
  t.is((await resumeBytes(Buffer.concat([good, Buffer.from('x')]))).code, 2, 'a byte appended');
});

test('the intact checkpoint resumes to exactly the whole run', async (t) => {
  const r = await resumeBytes(good);
  t.is(r.code, 1, r.err);
  t.deepEqual(stats(r.out), whole);
});

// ---------------------------------------------------------------------------------------------------
// Forged files: the snapshot changed and re-encoded, so that the checksum is right.

const decoded = () => {
  const d = decodeSnapshot(good);
  if (typeof d === 'string') throw new Error(d);
  return d;
};
type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] };
const forge = (f: (s: Mutable<Snapshot>) => void): Buffer => {
  const { snapshot, meta } = decoded();
  const s: Mutable<Snapshot> = { ...snapshot, visited: snapshot.visited.slice(), parents: snapshot.parents.slice(), stepTaken: snapshot.stepTaken.slice(),
    cur: snapshot.cur.slice(), nxt: snapshot.nxt.slice(), properties: snapshot.properties.map((p) => p && { ...p }), coverage: snapshot.coverage.map((c) => ({ ...c })) };
  f(s);
  return encodeSnapshot(s, meta);
};
const firstInitialOf = (s: Snapshot) => s.parents.findIndex((p) => p >= 0);
const occupied = (s: Snapshot) => { const out: number[] = []; for (let i = 0; i < s.visited.length; i += 2) if (s.visited[i]! | s.visited[i + 1]!) out.push(i); return out; };

const FORGERIES: [string, (s: Mutable<Snapshot>) => void][] = [
  ['level -1', (s) => { s.level = -1; }],
  ['level +1', (s) => { s.level += 1; }],
  ['level 1e9', (s) => { s.level = 1e9; }],
  ['level 1.5', (s) => { s.level = 1.5; }],
  ['depth beyond level', (s) => { s.depth = s.level + 1; }],
  ['depth below level', (s) => { s.depth = s.level - 1; }],
  ['distinct +1', (s) => { s.distinct += 1; }],
  ['distinct -1', (s) => { s.distinct -= 1; }],
  ['generated below distinct', (s) => { s.generated = s.distinct - 1; }],
  ['generated +1', (s) => { s.generated += 1; }],
  ['coverage generated +1', (s) => { s.coverage[0] = { ...s.coverage[0]!, generated: s.coverage[0]!.generated + 1 }; }],
  ['pruned beyond distinct', (s) => { s.pruned = s.distinct + 1; }],
  ['skip beyond the actions', (s) => { s.skip = 100000; }],
  ['skip -1', (s) => { s.skip = -1; }],
  ['a parent after its child', (s) => { s.parents[5] = 7; }],
  ['a parent out of range', (s) => { s.parents[5] = 1e6; }],
  ['an initial state after a discovered one', (s) => { s.parents[5] = -1; s.stepTaken[5] = -1; }],
  ['an initial state that does not exist', (s) => { s.parents[0] = -3; }],
  ['a step index out of range', (s) => { s.stepTaken[s.cur[0]!] = 999; }],
  ['a step index of an expanded state changed', (s) => { s.stepTaken[firstInitialOf(s) + 1] = s.stepTaken[firstInitialOf(s)]!; }],
  ['a negative step', (s) => { s.stepTaken[3] = -2; }],
  ['a frontier index out of range', (s) => { s.cur[0] = s.distinct; }],
  ['a frontier index negative', (s) => { s.nxt[0] = -1; }],
  ['the frontier out of order', (s) => { s.cur.reverse(); }],
  ['a state dropped from the frontier', (s) => { s.cur = s.cur.filter((_, i) => i !== 1); }],
  ['the partly expanded state dropped', (s) => { s.cur = s.cur.subarray(1); }],
  ['a state dropped from the next level', (s) => { s.nxt = s.nxt.subarray(0, s.nxt.length - 1); }],
  ['a state of the wrong level in the frontier', (s) => { s.cur = Int32Array.of(s.nxt[0]!, ...s.cur); }],
  ['the next level emptied', (s) => { s.nxt = new Int32Array(0); }],
  ['a visited word zeroed', (s) => { const i = occupied(s)[3]!; s.visited[i] = 0; s.visited[i + 1] = 0; }],
  ['a visited fingerprint changed', (s) => { const i = occupied(s)[3]!; s.visited[i + 1]! ^= 1; }],
  ['a fingerprint replaced by one at its right place', (s) => {
    const i = occupied(s)[3]!;
    const mask = s.visited.length / 2 - 1;
    const hi = 0x1234567;
    // Linear probing from (lo ^ imul(hi, 0x9e3779b1)) & mask: choose lo so that the home slot is this one.
    s.visited[i] = hi;
    s.visited[i + 1] = ((i / 2) ^ Math.imul(hi, 0x9e3779b1)) & mask;
  }],
  ['a fingerprint added', (s) => { const i = s.visited.findIndex((_, k) => k % 2 === 0 && (s.visited[k]! | s.visited[k + 1]!) === 0); s.visited[i] = 0x12345; s.visited[i + 1] = 0x6789; }],
  ['the table full', (s) => { s.visited = new Uint32Array(32).fill(7); }],
  ['the table of a wrong size', (s) => { s.visited = s.visited.subarray(0, 30); }],
  ['a forged violation', (s) => { const i = s.properties.findIndex((p) => p === null); s.properties[i] = { path: { init: 0, steps: [0] }, message: 'forged' }; }],
  ['a forged violation with a real path', (s) => { const i = s.properties.findIndex((p) => p === null); s.properties[i] = { path: { init: 0, steps: [0, 0, 0] }, message: 'leaked' }; }],
  ['a verdict path out of range', (s) => { const i = s.properties.findIndex((p) => p === null); s.properties[i] = { path: { init: 0, steps: [99] }, message: 'x' }; }],
  ['a verdict removed', (s) => { s.properties = s.properties.slice(1); }],
  ['a verdict not an object', (s) => { (s.properties as unknown[])[0] = 5; }],
  ['coverage off by one', (s) => { s.coverage[0] = { ...s.coverage[0]!, distinct: s.coverage[0]!.distinct + 1 }; }],
  ['coverage not a list', (s) => { (s as { coverage: unknown }).coverage = {}; }],
  ['exact keys in a fingerprint run', (s) => { s.exactKeys = []; }],
];

test('hand-forged checkpoints with a correct checksum are refused when inconsistent', async (t) => {
  const reasons: string[] = [];
  for (const [what, f] of FORGERIES) {
    const res = await resumeBytes(forge(f));
    t.is(res.code, 2, `${what}: ${res.err}`);
    t.regex(res.err, ONE_LINE, what);
    t.notRegex(res.err, /\n\s+at /, what);
    reasons.push(`${what}: ${res.err.replace(/^.*?checkpoint(?: for \S+ at these bounds)? \(?/, '')}`);
  }
  t.log(reasons.join('\n'));
  t.log(`${FORGERIES.length} forgeries refused`);
});

/** The file with its JSON header changed by `f`, the arrays kept, and the checksum made right again. */
function reheader(buf: Buffer, f: (h: Record<string, unknown>) => void): Buffer {
  const nl1 = buf.indexOf(0x0a);
  const nl2 = buf.indexOf(0x0a, nl1 + 1);
  const h = JSON.parse(buf.subarray(nl1 + 1, nl2).toString('utf8')) as Record<string, unknown>;
  const oldHead = nl2 - nl1;   // header line with its newline
  const words = buf.subarray(nl1 + 1 + oldHead + ((4 - (oldHead % 4)) % 4));
  f(h);
  const head = Buffer.from(JSON.stringify(h) + '\n');
  const body = Buffer.concat([head, Buffer.alloc((4 - (head.length % 4)) % 4, 0x20), words]);
  return Buffer.concat([Buffer.from(`inflight-checkpoint/2 sha256:${createHash('sha256').update(body).digest('hex')}\n`), body]);
}

test('every header field, replaced by a wrong value with the checksum made right: refused', async (t) => {
  t.true(reheader(good, () => {}).equals(good), 'reheader without a change gives the same bytes');
  const header = JSON.parse(good.subarray(good.indexOf(0x0a) + 1, good.indexOf(0x0a, good.indexOf(0x0a) + 1)).toString('utf8')) as Record<string, unknown>;
  const keys = Object.keys(header);
  t.deepEqual(keys.sort(), ['coverage', 'depth', 'distinct', 'generated', 'lengths', 'level', 'meta', 'properties', 'pruned', 'skip', 'version'].sort());
  let n = 0;
  for (const k of keys) {
    for (const v of [null, -1, 'x', {}, [], 2 ** 53, undefined]) {
      if (JSON.stringify(v) === JSON.stringify(header[k])) continue;
      const r = await resumeBytes(reheader(good, (h) => { if (v === undefined) delete h[k]; else h[k] = v; }));
      t.is(r.code, 2, `${k} = ${JSON.stringify(v)}`);
      t.regex(r.err, ONE_LINE, `${k} = ${JSON.stringify(v)}`);
      n++;
    }
  }
  // Fields nested in meta: the design's identity and the bounds.
  for (const f of [(m: any) => { m.designId = 'module sha256:00'; }, (m: any) => { m.bounds.depth = 3; }, (m: any) => { m.symmetry = false; }, (m: any) => { m.exact = true; }]) {
    const r = await resumeBytes(reheader(good, (h) => { f(h['meta']); }));
    t.is(r.code, 2);
    t.regex(r.err, ONE_LINE);
    n++;
  }
  // An extra field the format does not have changes nothing that is read: the same result as the whole run.
  const extra = await resumeBytes(reheader(good, (h) => { h['comment'] = 'hello'; }));
  t.deepEqual(stats(extra.out), whole);
  t.log(`${n} header fields forged, all refused; an unknown extra field is ignored (identical result)`);
});

test('a checkpoint of the format before checksums is refused as such', async (t) => {
  const res = await resumeBytes(Buffer.from('{"magic":"inflight-checkpoint/1","meta":{}}\n'));
  t.is(res.code, 2);
  t.regex(res.err, /older format/);
});

test('another design, other bounds, another scenario: refused, naming what differs', async (t) => {
  const other = await cli(['check', '--design', 'viro-2019', '--resume', goodFile]);
  t.is(other.code, 2);
  t.regex(other.err, /made with design seed-2019/);
  const bounds = await cli(['check', '--design', 'seed-2019', '--fds', '4', '--resume', goodFile]);
  t.is(bounds.code, 2);
  t.regex(bounds.err, ONE_LINE);
});

test('an edited design module with the same name is another design: refused', async (t) => {
  const dir = mkdtempSync(join(TMP, 'design-'));
  const mod = join(dir, 'my-patch.ts');
  copyFileSync(new URL('./fixtures/my-patch.ts', import.meta.url), mod);
  const ck = join(dir, 'p.ckpt');
  const first = await cli(['check', '--design', mod, '--max-states', '200', '--checkpoint', ck]);
  t.true(existsSync(ck), first.err);
  // The same bytes: resumes.
  t.not((await cli(['check', '--design', mod, '--resume', ck])).code, 2);
  // A comment added: same name, same behaviour, other content.
  writeFileSync(mod, readFileSync(mod, 'utf8') + '\n// edited\n');
  const r = await cli(['check', '--design', mod, '--resume', ck]);
  t.is(r.code, 2);
  t.regex(r.err, /^inflight: E_CHECKPOINT: .*another version of design my-patch/);
});

// ---------------------------------------------------------------------------------------------------
// Where a checkpoint may be written.

test('--checkpoint refuses a symlink, a device, a directory, a FIFO, a missing directory, before the search', async (t) => {
  const dir = mkdtempSync(join(TMP, 'paths-'));
  const target = join(dir, 'target');
  writeFileSync(target, 'precious');
  const link = join(dir, 'link');
  symlinkSync(target, link);
  const dangling = join(dir, 'dangling');
  symlinkSync(join(dir, 'nowhere'), dangling);
  mkdirSync(join(dir, 'sub'));
  const fifo = join(dir, 'fifo');
  let haveFifo = true;
  try { execFileSync('mkfifo', [fifo]); } catch { haveFifo = false; }
  const cases: [string, RegExp][] = [[link, /symbolic link/], [dangling, /symbolic link/], ['/dev/null', /character device/], [join(dir, 'sub'), /directory/],
    [join(dir, 'no', 'such', 'x'), /does not exist/], ...(haveFifo ? [[fifo, /FIFO/] as [string, RegExp]] : [])];
  for (const [path, why] of cases) {
    const r = await cli(['check', '--design', 'seed-2019', '--checkpoint', path]);
    t.is(r.code, 2, path);
    t.regex(r.err, /^inflight: E_OUTPUT: [^\n]+$/, path);
    t.regex(r.err, why, path);
    t.is(r.out, '', `${path}: refused before the search`);
  }
  t.is(readFileSync(target, 'utf8'), 'precious');
  t.true(lstatSync(link).isSymbolicLink());
  t.true(lstatSync('/dev/null').isCharacterDevice());
  t.false(existsSync(join(dir, 'nowhere')));
  // A regular file is replaced; a new path is created.
  const file = join(dir, 'old.ckpt');
  writeFileSync(file, 'old');
  t.is((await cli(['check', '--design', 'seed-2019', '--max-states', '100', '--checkpoint', file])).code, 0);
  t.not(readFileSync(file, 'utf8'), 'old');
  t.is((await cli(['check', '--design', 'seed-2019', '--max-states', '100', '--checkpoint', join(dir, 'new.ckpt')])).code, 0);
  t.true(existsSync(join(dir, 'new.ckpt')));
});

test('--resume reads only regular files (a device would never end)', async (t) => {
  const r = await cli(['check', '--design', 'seed-2019', '--resume', '/dev/zero']);
  t.is(r.code, 2);
  t.regex(r.err, /^inflight: E_CHECKPOINT: .*character device/);
});

test('a temporary left at the temporary name is replaced, never followed', async (t) => {
  const dir = mkdtempSync(join(TMP, 'tmpname-'));
  const target = join(dir, 'target');
  writeFileSync(target, 'precious');
  const file = join(dir, 'x.ckpt');
  symlinkSync(target, `${file}.tmp-${process.pid}`);
  t.is((await cli(['check', '--design', 'seed-2019', '--max-states', '100', '--checkpoint', file])).code, 0);
  t.is(readFileSync(target, 'utf8'), 'precious');
  t.true(decodeSnapshot(readFileSync(file)) instanceof Object);
  t.deepEqual(readdirSync(dir).sort(), ['target', 'x.ckpt']);
});

// ---------------------------------------------------------------------------------------------------
// A full disk during a periodic checkpoint (fault injection: portable), and on a real tmpfs if possible.

test.serial('a full disk at a periodic checkpoint: the partial result, the temporary removed, exit 2', async (t) => {
  const dir = mkdtempSync(join(TMP, 'full-'));
  const file = join(dir, 'run.ckpt');
  const real = checkpointFs.writeFileSync;
  let calls = 0;
  checkpointFs.writeFileSync = (f, data, opts) => {
    calls++;
    real(f, data.subarray(0, 100), opts);    // part of it reached the disk, then the disk was full
    throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
  };
  try {
    // Two tasks: about 0.9 M states, so that the first periodic checkpoint (after 1 s) comes mid-search.
    const r = await cli(['check', '--design', 'seed-2019', '--tasks', '2', '--checkpoint', file, '--checkpoint-every', '1', '--timeout', '60', '--json']);
    t.is(r.code, 2);
    t.is(calls, 1, 'one attempt, then the run stopped');
    t.regex(r.err, /^inflight: E_OUTPUT: cannot write checkpoint .*ENOSPC.*partial[^\n]*$/);
    const j = JSON.parse(r.out) as { stop: string; stats: { distinct: number } };
    t.is(j.stop, 'interrupted');
    t.true(j.stats.distinct > 0 && j.stats.distinct < 900000);
    t.deepEqual(readdirSync(dir), [], 'no temporary left, no checkpoint');
  } finally {
    checkpointFs.writeFileSync = real;
  }
});

test.serial('a failing rename keeps the previous checkpoint and removes the temporary', async (t) => {
  const dir = mkdtempSync(join(TMP, 'rename-'));
  const file = join(dir, 'run.ckpt');
  writeFileSync(file, good);
  const real = checkpointFs.renameSync;
  checkpointFs.renameSync = () => { throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' }); };
  try {
    const r = await cli(['check', '--design', 'seed-2019', '--max-states', '300', '--checkpoint', file]);
    t.is(r.code, 2);
    t.regex(r.err, /^inflight: E_OUTPUT: cannot write checkpoint .*EIO[^\n]*$/);
    t.regex(r.out, /no-leak +holds within \d+ steps?$/m, 'the result is printed');
    t.deepEqual(readdirSync(dir), ['run.ckpt']);
    t.true(readFileSync(file).equals(good));
  } finally {
    checkpointFs.renameSync = real;
  }
});

// A real full file system: a 64 KB tmpfs (root and mount privileges; skipped elsewhere). Mounted only
// for the test's own time (a probe mount at load says whether it can be).
const MNT = join(TMP, 'tmpfs');
mkdirSync(MNT);
const mountTmpfs = (): void => { execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', MNT], { stdio: 'ignore' }); };
const umountTmpfs = (): void => { execFileSync('umount', [MNT], { stdio: 'ignore' }); };
let canMount = false;
try { mountTmpfs(); umountTmpfs(); canMount = true; } catch { /* not root, or no mount privilege (containers, CI) */ }
(canMount ? test.serial : test.skip)('a real full tmpfs (64 KB) at a periodic checkpoint: partial result, nothing left, exit 2 [skipped without mount privileges]', async (t) => {
  mountTmpfs();
  try {
    const file = join(MNT, 'run.ckpt');
    const r = await cli(['check', '--design', 'seed-2019', '--tasks', '2', '--checkpoint', file, '--checkpoint-every', '1', '--timeout', '60', '--json']);
    t.is(r.code, 2);
    t.regex(r.err, /^inflight: E_OUTPUT: cannot write checkpoint .*ENOSPC/);
    t.is((JSON.parse(r.out) as { stop: string }).stop, 'interrupted');
    t.deepEqual(readdirSync(MNT), []);
  } finally {
    umountTmpfs();
  }
});

test.after.always(() => { rmSync(TMP, { recursive: true, force: true }); });

// ---------------------------------------------------------------------------------------------------
// --max-states leaves a checkpoint (the README promises one at every limit), also inside an expansion.

test('--max-states writes a checkpoint; resuming, again at limits, ends exactly as the whole run', async (t) => {
  const dir = mkdtempSync(join(TMP, 'limit-'));
  const file = join(dir, 'run.ckpt');
  let r = await cli([...BASE, '--max-states', '3001', '--checkpoint', file]);
  t.is(stats(r.out).stop, 'states');
  t.true(existsSync(file));
  for (const limit of ['6007', '9999']) {
    r = await cli([...BASE, '--max-states', limit, '--resume', file, '--checkpoint', file]);
    t.is(stats(r.out).stop, 'states');
    t.is(stats(r.out).distinct, Number(limit));
  }
  r = await cli([...BASE, '--resume', file]);
  t.deepEqual(stats(r.out), whole);
});

// A generic model: every possible maxStates, so that the stop falls inside expansions at every action.
type S = readonly number[];
const counters = (n: number, k: number): Model<S, number> => ({
  initial: () => [Array(n).fill(0)],
  steps: (s) => { const out: number[] = []; s.forEach((v, i) => { if (v < k) out.push(i); out.push(n + i); }); return out; },
  next: (s, a) => s.map((v, i) => (a < n ? (i === a ? v + 1 : v) : i === a - n ? 0 : v)),
  key: (s) => s,
  label: (a) => (a < n ? 'bump' : 'reset'),
});
const sameness = (r: CheckResult) => ({
  stop: r.stop, distinct: r.stats.distinct, generated: r.stats.generated, depth: r.stats.depth, pruned: r.stats.pruned, coverage: r.coverage,
  verdicts: [...r.properties, ...r.witnesses].map((p) => [p.name, p.status, p.path, p.message]),
});

test('a stop at maxStates inside an expansion resumes exactly, for every maxStates', (t) => {
  const m = counters(3, 3);
  const props = [always<S>('sum-not-8', (s) => (s[0]! + s[1]! + s[2]! === 8 ? 'sum 8' : undefined)),
    sometimesStep<S, number>('reset-full', (s, a, u) => (a >= 3 && s[a - 3] === 3 && u[a - 3] === 0 ? 'reset' : undefined))];
  const opts = { properties: props, pruneViolating: true };
  const w = check(m, opts);
  for (let max = 1; max < w.stats.distinct; max++) {
    const r = check(m, { ...opts, maxStates: max });
    t.is(r.stop, 'states');
    const back = decodeSnapshot(encodeSnapshot(r.snapshot!(), null));
    if (typeof back === 'string') return t.fail(`maxStates ${max}: ${back}`);
    t.deepEqual(sameness(check(m, { ...opts, resume: back.snapshot })), sameness(w), `maxStates ${max}`);
  }
});
