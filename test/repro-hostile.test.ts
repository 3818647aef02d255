// issue 18, part 1: `inflight repro` and hostile traces. A reproducer is run as root on test machines, so
// nothing a trace file says may become code: repro reads a trace exactly as replay does (same checks, same
// codes), every number in the generated C is an integer the generator checked, and every string of the
// trace is a string literal in which anything but plain characters is an octal escape (no `?` for
// trigraphs, no `\` for line splices, no `"`), and appears nowhere else (not in comments).
// A generated corpus goes through `main(['repro', ...])` and the source text is scanned; a handful of
// reproducers are compiled with gcc -std=c11 -fsanitize=address,undefined and run.
import { fc } from '@fast-check/ava';
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.js';
import { SYSCALLS } from '../model/bounds.js';
import { builtinDesign } from '../model/designs/index.js';
import { handTrace } from '../oracle/hand.js';
import { traceToJson, type TraceFile, type TraceStep } from '../traces/format.js';
import { cstr, reproC } from '../traces/repro.js';

const dir = mkdtempSync(join(tmpdir(), 'inflight-repro-hostile-'));
const L618 = builtinDesign('linux-6.18')!;

async function repro(trace: unknown, extra: string[] = []): Promise<{ code: number; out: string; err: string[] }> {
  const file = join(dir, `t-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof trace === 'string' ? trace : JSON.stringify(trace));
  const out: string[] = [], err: string[] = [];
  const code = await main(['repro', file, ...extra], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err };
}
async function replay(trace: unknown, extra: string[] = []): Promise<{ code: number; err: string[] }> {
  const file = join(dir, `r-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(trace));
  const err: string[] = [];
  const code = await main(['replay', file, ...extra], { out: () => {}, err: (s) => err.push(s) });
  return { code, err };
}

// ---------------------------------------------------------------------------------------------- scanning

/** A C string literal as the generator may write it: plain characters and three-digit octal escapes. */
const LITERAL = /"(?:[A-Za-z0-9 ,.:;()[\]{}=+\-_<>/*#!&|^~'@$]|\\[0-7]{3})*"/g;
/** Any string literal at all (to find the ones that are not of the generator's form). */
const ANY_LITERAL = /"(?:[^"\\\n]|\\.)*"/g;

/** Decodes a literal of the generator's form to the string it stands for. */
const decode = (lit: string): string =>
  Buffer.from([...lit.slice(1, -1).matchAll(/\\([0-7]{3})|([^\\])/g)].map((m) => (m[1] ? parseInt(m[1], 8) : m[2]!.charCodeAt(0)))).toString('utf8');

/** Problems of a generated source: what could read differently in some compiler mode, or a trace string
 *  outside a literal. `marks` are substrings of the trace's strings that no other text contains. */
function scan(c: string, marks: readonly string[]): string[] {
  const bad: string[] = [];
  if (c.includes('??')) bad.push('a ?? (a trigraph in -std=c11)');
  if (/\\\r?\n/.test(c)) bad.push('a backslash at the end of a line (a line splice)');
  if (/[^\x09\x0a\x20-\x7e]/.test(c)) bad.push('a byte that is not printable ASCII');
  // The part between head.c and body.c is the generator's: only literals, numbers, names and punctuation.
  // (--minimal: from its part 2, main, to the end.)
  const minimal = c.includes('/* Part 2 of 2, generated');
  const gen = minimal ? c.slice(c.indexOf('/* Part 2 of 2, generated')) : c.slice(c.indexOf('/* Part 2 of 3, generated'), c.indexOf('/* inflight repro, part 3 of 3'));
  if (gen.length === 0) bad.push('no generated part');
  // main's code: one syscall or helper per line from the generator's templates; no comment but the generator's.
  if (minimal) for (const m of gen.replace(LITERAL, '""').matchAll(/\/\*([\s\S]*?)\*\//g)) if (/[^A-Za-z0-9 ,.:;()'_\-]/.test(m[1]!)) bad.push(`a comment not of the generator's form: ${m[0].slice(0, 60)}`);
  for (const m of gen.matchAll(ANY_LITERAL)) if (!new RegExp(`^${LITERAL.source}$`).test(m[0])) bad.push(`a literal not of the generator's form: ${m[0].slice(0, 60)}`);
  const code = gen.replace(LITERAL, '""');
  for (const m of code.matchAll(/-?\b\d[\w.+]*/g)) {
    if (!/^-?\d+$/.test(m[0]) || Math.abs(Number(m[0])) > 0x7fffffff) bad.push(`a number that is not a checked int: ${m[0]}`);
  }
  const outside = c.replace(ANY_LITERAL, '""');
  for (const mark of marks) if (outside.includes(mark)) bad.push(`the trace's ${JSON.stringify(mark)} outside a string literal`);
  return bad;
}

// ---------------------------------------------------------------------------------------------- compiling

const cc = spawnSync('gcc', ['--version']).status === 0;
const sanitizers = cc && (() => {
  const src = join(dir, 'probe.c');
  writeFileSync(src, 'int main(void) { return 0; }\n');
  return spawnSync('gcc', ['-std=c11', '-fsanitize=address,undefined', '-o', join(dir, 'probe'), src]).status === 0
    && spawnSync(join(dir, 'probe')).status === 0;
})();
const sanTest = sanitizers ? test : test.skip;
if (!sanitizers) test('the sanitizer builds are skipped', (t) => { t.log(`skipped: ${cc ? 'gcc cannot build with -fsanitize=address,undefined (libasan/libubsan missing?)' : 'no gcc'}`); t.pass(); });

/** Builds the reproducer with gcc -std=c11 -fsanitize=address,undefined (warnings are errors) and runs it
 *  in an empty directory; returns its output. No sanitizer report, exit 0, nothing created in its cwd. */
function sanitized(t: { is: (a: unknown, b: unknown, m?: string) => void; deepEqual: (a: unknown, b: unknown, m?: string) => void; notRegex: (s: string, r: RegExp, m?: string) => void }, name: string, c: string, status = 0): string {
  const src = join(dir, `${name}.c`);
  writeFileSync(src, c);
  const bin = join(dir, name);
  const b = spawnSync('gcc', ['-std=c11', '-O1', '-g', '-Wall', '-Werror', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-o', bin, src], { encoding: 'utf8' });
  t.is(b.status, 0, `gcc -std=c11: ${b.stderr}`);
  const cwd = mkdtempSync(join(dir, `${name}-cwd-`));
  const r = spawnSync(bin, { cwd, encoding: 'utf8', timeout: 20_000, env: { ...process.env, ASAN_OPTIONS: 'abort_on_error=0:exitcode=99' } });
  t.notRegex(r.stderr ?? '', /AddressSanitizer|runtime error|LeakSanitizer/, `sanitizer report: ${r.stderr}`);
  t.is(r.status, status, `the reproducer's exit status: ${r.stderr}`);
  t.deepEqual(readdirSync(cwd), [], 'the reproducer created files');
  return r.stdout;
}

const stepLine = (out: string, n: number): string => out.split('\n').find((l) => l.startsWith(`step ${n} `)) ?? '';

// ---------------------------------------------------------------------------------------------- the corpus

const base = (bounds: Partial<TraceFile['bounds']> = {}): TraceFile => handTrace(L618, [
  [0, 'socketpair', { type: 'dgram' }], [0, 'open'], [0, 'sendmsg', { fd: 3, rights: [5] }], [0, 'close', { fd: 5 }],
  [0, 'recvmsg', { fd: 4, peek: false }], [0, 'close', { fd: 3 }],
], { tasks: 2, files: 4, fds: 4, ops: SYSCALLS, ...bounds }, 'hand-written');

/** A trace with steps appended (results: whatever the trace file says; the model decides). */
const withSteps = (t: TraceFile, steps: TraceStep[]): TraceFile => ({ ...t, steps: [...t.steps, ...steps] });
const step = (syscall: string, args: Record<string, unknown>, result: Record<string, unknown> = { ret: 0 }, task: number | 'kernel' = 0): TraceStep =>
  ({ task, syscall, args, result } as unknown as TraceStep);

const TRIGRAPH_DESIGN = 'x??/\n"); system("touch PWNED-design"); //';

test('cstr: octal escapes for all but plain characters; % is one %, not %%; UTF-8 survives', (t) => {
  t.is(cstr('linux-6.18'), '"linux-6.18"');
  t.is(cstr('100% sure'), '"100\\045 sure"');
  t.is(cstr('a??/b'), '"a\\077\\077\\057b"'.replace('\\057', '/'));
  t.is(cstr('"\\\n'), '"\\042\\134\\012"');
  t.is(cstr('\u00e9'), '"\\303\\251"');
  // A digit after an escape stays a digit: every escape has three digits.
  t.is(cstr('?1'), '"\\0771"');
  t.is(decode(cstr('x??/\n"%n%s\u2028\u{1F600}')), 'x??/\n"%n%s\u2028\u{1F600}');
});

test('repro refuses what replay refuses, with the same code: unknown design, a step the design cannot make, a task of 1e9', async (t) => {
  const b = base();
  const cases: [string, unknown, string[], RegExp][] = [
    ['a design that is not built in', { ...b, design: TRIGRAPH_DESIGN }, [], /^inflight: E_DESIGN_UNKNOWN: /],
    ['task 1e9', withSteps(b, [step('open', {}, { ret: 3 }, 1e9)]), [], /^inflight: E_TRACE_INVALID: .*step 7/],
    ['a resume of no call', withSteps(b, [step('resume', { call: 'connect(3)', stage: 'peer' })]), [], /^inflight: E_TRACE_INVALID: .*step 7/],
    ['fds beyond the bounds', { ...b, bounds: { ...b.bounds, fds: 1e9 } }, [], /^inflight: E_TRACE_INVALID: .*bounds/],
    ['not JSON', '{"format": "inflight-trace/1", ', [], /^inflight: E_TRACE_INVALID: .*not JSON/],
  ];
  for (const [what, tr, extra, code] of cases) {
    const r = await repro(tr, extra);
    t.is(r.code, 2, what);
    t.is(r.out, '', `${what}: no C`);
    t.is(r.err.length, 1, what);
    t.regex(r.err[0]!, code, what);
    if (typeof tr !== 'string') {
      const p = await replay(tr, extra);
      t.is(p.code, 2, `replay: ${what}`);
      t.is(p.err[0]!.split(':')[1], r.err[0]!.split(':')[1], `replay gives the same code: ${what}`);
    }
  }
});

test('numbers of the trace reach the C only as checked ints: fds outside the table are FD_OUTSIDE, huge slots FAR_INDEX, NTASKS is the bound', (t) => {
  const tr = withSteps(base({ files: 8, fds: 6 }), [
    step('close', { fd: 600 }, { ret: 0 }), step('close', { fd: 1e21 }), step('close', { fd: -1e21 }), step('dup', { fd: 2 ** 31 }),
    step('sendmsg', { fd: 4, rights: [600, 1e21, -7, 0] }, { ret: 1 }), step('connect', { fd: 1e21, to: -1e21 }),
    step('io_uring_setup', {}, { ret: 3 }), step('io_uring_update', { fd: 5, offset: 1e21, files: [-1, 700] }),
    step('io_uring_enter', { fd: 5, op: 'read', fixed: true, target: 1e21 }),
    step('fork', {}, { ret: 1e9 }), step('socketpair', { type: 'stream' }, { ret: 0, fds: Array.from({ length: 50 }, (_, i) => i * 1e9) }),
  ]);
  const c = reproC(tr);
  t.deepEqual(scan(c, []), []);
  t.regex(c, /#define NTASKS 2\n/);
  t.regex(c, /#define MAXFD 9\n/);
  t.regex(c, /\/\* step 7 \*\/ \{ \.text = "T0 close\(600\)", [^\n]*\.fd = FD_OUTSIDE,/);
  t.regex(c, /\/\* step 8 \*\/ [^\n]*\.fd = FD_OUTSIDE,/);
  t.regex(c, /static const int s11_list\[\] = \{ FD_OUTSIDE, FD_OUTSIDE, FD_OUTSIDE, FD_OUTSIDE \};/);
  t.regex(c, /\/\* step 14 \*\/ [^\n]*\.offset = FAR_INDEX,/);
  t.regex(c, /static const int s14_list\[\] = \{ -1, FD_OUTSIDE \};/);
  t.regex(c, /\/\* step 15 \*\/ [^\n]*\.flag = 1, \.target = FAR_INDEX,/);
  // The fork makes the design's task 1; the trace's 1e9 is only text (what the file recorded).
  t.regex(c, /\/\* step 16 \*\/ \{ \.text = "T0 fork\(\)", \.recorded = "1000000000", \.task = 0, \.kind = K_FORK, \.ret = 1,/);
  // 50 recorded fds: text; the table has the design's two.
  t.regex(c, /\/\* step 17 \*\/ [^\n]*\.nfds = 2, \.fds = s17_fds,/);
});

/** Hostile strings: each carries a mark (PWN...) that nothing else in the C contains. */
const HOSTILE_STRINGS = [
  TRIGRAPH_DESIGN, 'PWNa */ int x; /*', 'PWNb\\\n#include "/etc/passwd"', 'PWNc"; system("id"); "', 'PWNd %n%n%s%s %%',
  'PWNe ??= ??( ??) ??< ??> ??\' ??! ??-', 'PWNf \u0000 nul', 'PWNg \u2028\u2029 \u{1F600} \u00e9', 'PWNh\r\n\t\v\f', 'PWNi \\u0041 \\x41 \\101',
  'PWNj <% %> <: :> %: %:%:', 'PWNk `$(id)`', 'PWNl'.padEnd(5000, '?'),
];

test('hostile strings (design, property, violation): only in octal-escaped literals, decoded exactly as given', async (t) => {
  for (const [i, s] of HOSTILE_STRINGS.entries()) {
    // A property is a known name (or one a property of the user's own may have): a hostile one is refused.
    const refused = await repro({ ...base(), design: s, property: `${s} property`, violation: `${s} violation` }, ['--design', 'linux-6.18']);
    t.is(refused.code, 2);
    t.regex(refused.err[0]!, /^inflight: E_TRACE_INVALID: \S+: "property" names an unknown property /);
    const tr = { ...base(), design: s, property: 'hand-written', violation: `${s} violation` };
    const r = await repro(tr, ['--design', 'linux-6.18']);
    t.is(r.code, 0, `${i}: ${r.err.join('\n')}`);
    const marks = [s.includes('PWN') ? s.slice(0, 4) : 'system('];
    t.deepEqual(scan(r.out, marks), [], `string ${i}`);
    const lit = (name: string): string => decode(new RegExp(`static const char ${name}\\[\\] = (${LITERAL.source});`).exec(r.out)![1]!);
    t.is(lit('trace_design'), s);
    t.is(lit('trace_property'), 'hand-written');
    t.is(lit('trace_violation'), `${s} violation`);
  }
});

// The generated corpus: valid traces with hostile values put in at random (strings, fd numbers, task
// numbers, recorded results, long lists). Every outcome is a reproducer that passes the scan, or one
// coded line (exit 2) that replay gives too.
const hostileNumber = fc.constantFrom(600, 601, 650, 700, 1e21, -1e21, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 0, 1, 2, -1, -2, 511, 512, 3, 4, 5, 6);
const hostileString = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 12, unit: 'binary' }).map((s) => `PWNz${s}`));
const edit = fc.oneof(
  fc.record({ kind: fc.constant('string' as const), field: fc.constantFrom('design', 'property', 'violation'), value: hostileString }),
  fc.record({ kind: fc.constant('fd' as const), at: fc.nat(), value: hostileNumber }),
  fc.record({ kind: fc.constant('task' as const), at: fc.nat(), value: fc.constantFrom(1, 2, 5, 1e9, -1) }),
  fc.record({ kind: fc.constant('result' as const), at: fc.nat(), ret: hostileNumber, fds: fc.array(hostileNumber, { maxLength: 60 }) }),
  fc.record({ kind: fc.constant('append' as const), syscall: fc.constantFrom('close', 'dup', 'sendmsg', 'recvmsg', 'connect', 'listen', 'accept', 'io_uring_register', 'io_uring_update', 'io_uring_enter', 'fork', 'socketpair'),
    fd: hostileNumber, list: fc.array(hostileNumber, { maxLength: 300 }), flag: fc.boolean() }),
);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function applyEdit(tr: TraceFile, e: any): TraceFile {
  const steps = [...tr.steps];
  switch (e.kind) {
    case 'string': return { ...tr, [e.field]: e.value };
    case 'fd': {
      const i = e.at % steps.length;
      const s = steps[i]!;
      if ('fd' in s.args) steps[i] = { ...s, args: { ...s.args, fd: e.value } } as TraceStep;
      return { ...tr, steps };
    }
    case 'task': { const i = e.at % steps.length; steps[i] = { ...steps[i]!, task: e.value }; return { ...tr, steps }; }
    case 'result': { const i = e.at % steps.length; steps[i] = { ...steps[i]!, result: { ret: e.ret, fds: e.fds } }; return { ...tr, steps }; }
    default: {
      const args: Record<string, unknown> = {
        close: { fd: e.fd }, dup: { fd: e.fd }, listen: { fd: e.fd }, accept: { fd: e.fd }, recvmsg: { fd: e.fd, peek: e.flag },
        sendmsg: { fd: e.fd, rights: e.list, ...(e.flag ? { oob: true } : {}) }, connect: { fd: e.fd, to: e.list[0] ?? 3 },
        io_uring_register: { fd: e.fd, files: e.list }, io_uring_update: { fd: e.fd, offset: e.list[0] ?? 0, files: e.list.slice(1) },
        io_uring_enter: { fd: e.fd, op: e.flag ? 'recv' : 'read', fixed: e.flag, target: e.list[0] ?? 0 }, fork: {}, socketpair: { type: e.flag ? 'stream' : 'dgram' },
      }[e.syscall as string] as Record<string, unknown>;
      return withSteps(tr, [step(e.syscall, args, { ret: 0 })]);
    }
  }
}

const corpus = { made: 0, refused: new Map<string, number>(), scanned: 0, minimal: 0, minimalRefused: 0 };
test('the generated corpus: every reproducer passes the scan; every refusal is one coded line, as replay says', async (t) => {
  const start = withSteps(base({ reqs: 1, ops: SYSCALLS }), [step('io_uring_setup', {}, { ret: 5 })]);
  await fc.assert(fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
    let tr = start;
    for (const e of edits) tr = applyEdit(tr, e);
    const json = JSON.parse(JSON.stringify(tr)) as TraceFile;
    const r = await repro(json, ['--design', 'linux-6.18']);
    // --minimal: the same scan, or one coded line; what the full form refuses as invalid it refuses too.
    const m = await repro(json, ['--design', 'linux-6.18', '--minimal']);
    if (m.code === 0) {
      const bad = scan(m.out, [json.design, json.property, json.violation].filter((s) => s.startsWith('PWN')).map((s) => s.slice(0, 4)));
      if (bad.length) throw new Error(`--minimal: ${bad.join('; ')} for ${JSON.stringify(edits).slice(0, 400)}`);
      corpus.minimal++;
    } else {
      if (m.code !== 2 || m.err.length !== 1 || !/^inflight: E_(TRACE_INVALID|REPRO_UNSUPPORTED): [^\n]*$/.test(m.err[0]!)) throw new Error(`--minimal: status ${m.code}, ${JSON.stringify(m.err)}`);
      if (r.code === 0 && !/one-task traces only/.test(m.err[0]!)) throw new Error(`--minimal refuses what the full form makes: ${m.err[0]}`);
      if (r.code === 2 && r.err[0]!.split(':')[1] !== m.err[0]!.split(':')[1] && !/one-task traces only/.test(m.err[0]!)) throw new Error(`--minimal: ${m.err[0]} / ${r.err[0]}`);
      corpus.minimalRefused++;
    }
    if (r.code === 0) {
      corpus.made++;
      const marks = [json.design, json.property, json.violation].filter((s) => s.startsWith('PWN')).map((s) => s.slice(0, 4));
      const bad = scan(r.out, marks);
      if (bad.length) throw new Error(`${bad.join('; ')} for ${JSON.stringify(edits).slice(0, 400)}`);
      corpus.scanned++;
      return;
    }
    if (r.code !== 2 || r.err.length !== 1 || !/^inflight: E_(TRACE_INVALID|REPRO_UNSUPPORTED): [^\n]*$/.test(r.err[0]!)) {
      throw new Error(`status ${r.code}, ${JSON.stringify(r.err)} for ${JSON.stringify(edits).slice(0, 400)}`);
    }
    const code = r.err[0]!.split(':')[1]!.trim();
    corpus.refused.set(code, (corpus.refused.get(code) ?? 0) + 1);
    if (code === 'E_TRACE_INVALID') {
      const p = await replay(json, ['--design', 'linux-6.18']);
      if (p.code !== 2 || !p.err[0]?.includes('E_TRACE_INVALID')) throw new Error(`replay accepts what repro refuses: ${r.err[0]}`);
    }
  }), { numRuns: 300, seed: 18001 });
  t.log(`corpus: ${corpus.made} reproducers scanned clean, refused ${JSON.stringify(Object.fromEntries(corpus.refused))}; --minimal: ${corpus.minimal} clean, ${corpus.minimalRefused} refused`);
  t.true(corpus.minimal >= 50, 'much of the corpus gets as far as the --minimal C');
  t.true(corpus.made >= 100, 'most of the corpus gets as far as the C');
  t.true(corpus.refused.size > 0, 'some of the corpus is refused');
});

// repro accepts exactly what replay accepts: the trace of the first repro tests, mutated at random paths
// (as test/fuzz.test.ts mutates traces for replay), through both. When replay refuses (exit 2), repro
// refuses with the same code; when replay runs (0 or 1), repro gives C (which passes the scan) or refuses
// with E_REPRO_UNSUPPORTED, the one refusal that is its own.
function mutate(v: unknown, path: readonly number[], replacement: unknown): unknown {
  if (path.length === 0 || v === null || typeof v !== 'object') return replacement;
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v as object);
  if (entries.length === 0) return replacement;
  const [k, child] = entries[path[0]! % entries.length]!;
  const copy: Record<string | number, unknown> = Array.isArray(v) ? [...v] as unknown as Record<number, unknown> : { ...(v as object) };
  copy[k] = mutate(child, path.slice(1), replacement);
  return copy;
}
const jsonValue = fc.oneof(hostileNumber, fc.double(), fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null), hostileString,
  fc.constantFrom('kernel', 'unix_gc', 'sendmsg', 'fork', 'EBADF', 'inflight-trace/1', 'linux-6.18', 'seed-2019'), fc.array(hostileNumber, { maxLength: 4 }), fc.constant({}));
const agreement = new Map<string, number>();
test('repro and replay accept and refuse the same mutated traces, with the same codes', async (t) => {
  const good = JSON.parse(traceToJson(withSteps(base(), [step('fork', {}, { ret: 1 }), step('close', { fd: 4 }, { ret: 0 }, 1)]))) as unknown;
  await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.array(fc.nat(), { minLength: 2, maxLength: 5 }), jsonValue), { minLength: 1, maxLength: 3 }), async (edits) => {
    let v = good;
    for (const [path, value] of edits) v = mutate(v, path, value);
    const p = await replay(v);
    const r = await repro(v);
    const m = await repro(v, ['--minimal']);
    if (m.code === 0) {
      const t0 = v as { design: string; property: string; violation: string };
      const bad = scan(m.out, [t0.design, t0.property, t0.violation].filter((x) => typeof x === 'string' && x.startsWith('PWN')).map((x) => x.slice(0, 4)));
      if (bad.length) throw new Error(`--minimal: ${bad.join('; ')}`);
    } else if (p.code === 2 ? m.err[0]!.split(':')[1] !== p.err[0]!.split(':')[1] : !/^inflight: E_REPRO_UNSUPPORTED: [^\n]*$/.test(m.err[0]!)) {
      throw new Error(`--minimal: ${p.err[0] ?? p.code} / ${m.err.join(' ')}`);
    }
    const key = `replay ${p.code === 2 ? p.err[0]!.split(':')[1]!.trim() : p.code} / repro ${r.code === 2 ? r.err[0]!.split(':')[1]!.trim() : r.code}`;
    agreement.set(key, (agreement.get(key) ?? 0) + 1);
    if (p.code === 2) {
      if (r.code !== 2 || r.err[0]!.split(':')[1] !== p.err[0]!.split(':')[1]) throw new Error(`${key}: ${p.err[0]} / ${r.err.join(' ')}`);
    } else if (r.code === 2) {
      if (!/^inflight: E_REPRO_UNSUPPORTED: [^\n]*$/.test(r.err[0]!)) throw new Error(`${key}: ${r.err[0]}`);
    } else {
      const t0 = v as { design: string; property: string; violation: string };
      const bad = scan(r.out, [t0.design, t0.property, t0.violation].filter((x) => typeof x === 'string' && x.startsWith('PWN')).map((x) => x.slice(0, 4)));
      if (bad.length) throw new Error(bad.join('; '));
    }
  }), { numRuns: 500, seed: 18018 });
  t.log(`replay / repro outcomes: ${JSON.stringify(Object.fromEntries(agreement))}`);
  t.true([...agreement.keys()].some((k) => k.endsWith('repro 0')), 'some mutated traces get as far as the C');
});

// ---------------------------------------------------------------------------------------------- a few builds

sanTest('built with -std=c11 and ASan/UBSan: sendmsg with 300 rights refused, 4 rights, close(600), fds of 1e21, 50 recorded fds, a trigraph design', async (t) => {
  // 300 rights in one message are beyond any trace's bounds (the model's ceiling is 4): refused before any C.
  const many = withSteps({ ...base(), design: TRIGRAPH_DESIGN }, [step('sendmsg', { fd: 4, rights: Array.from({ length: 300 }, () => 4) }, { ret: 1 })]);
  const refused = await repro(many, ['--design', 'linux-6.18']);
  t.is(refused.code, 2);
  t.regex(refused.err[0]!, /^inflight: E_TRACE_INVALID: \S+: step 7: sendmsg passes 300 fds, beyond the trace's msgFds 4 \(the model's ceiling\)$/);
  const tr = withSteps({ ...base(), design: TRIGRAPH_DESIGN, property: 'hand-written', violation: '100% PWNv %s%n ??/' }, [
    step('sendmsg', { fd: 4, rights: [4, 4, 4, 4] }, { ret: 1 }),
    step('close', { fd: 600 }), step('close', { fd: 1e21 }), step('sendmsg', { fd: 4, rights: [600, 650, 700] }, { ret: 1 }),
    step('fork', {}, { ret: 1e9 }),
    step('socketpair', { type: 'dgram' }, { ret: 0, fds: Array.from({ length: 50 }, (_, i) => i + 3) }),
    step('recvmsg', { fd: 3, peek: false }, { ret: 1, fds: Array.from({ length: 50 }, (_, i) => i + 3) }),
  ]);
  const r = await repro(tr, ['--design', 'linux-6.18']);
  t.is(r.code, 0, r.err.join('\n'));
  t.deepEqual(scan(r.out, ['PWNv', 'system(']), []);
  // The trace file's records of steps 7-13 are not the design's results: every one of them differs, exit 1.
  const out = sanitized(t, 'hostile', r.out, 1);
  t.false(existsSync(join(dir, 'PWNED-design')));
  // The program prints the trace's strings as they are, one % each.
  t.true(out.includes(`trace: 13 steps of design ${TRIGRAPH_DESIGN} (property hand-written)`), out.split('\n').slice(0, 3).join('\n'));
  t.true(out.includes('violation: 100% PWNv %s%n ??/'));
  t.regex(stepLine(out, 7), /sendmsg\(4, SCM_RIGHTS\[4, 4, 4, 4\]\): kernel -1 ECONNREFUSED; trace -1 ECONNREFUSED; DIFFERS$/);
  t.regex(stepLine(out, 8), /close\(600\): kernel -1 EBADF; trace -1 EBADF; DIFFERS$/);
  t.regex(stepLine(out, 9), /close\(1e\+21\): kernel -1 EBADF; trace -1 EBADF; DIFFERS$/);
  t.regex(stepLine(out, 10), /sendmsg.*: kernel -1 EBADF; trace -1 EBADF; DIFFERS$/);
  t.regex(stepLine(out, 11), /fork\(\): kernel 1 \(task 1, pid \d+\); trace 1; DIFFERS$/);
  t.regex(out, /the trace file recorded 1000000000; design linux-6\.18 gives the result compared here/);
  t.regex(out, /the kernel's results DIFFER from the trace's/);
});

sanTest('built with -std=c11 and ASan/UBSan: a ring with FILES_UPDATE and a fixed read, a listener, closes: clean, and as the design says', async (t) => {
  const ring = handTrace(L618, [
    [0, 'open'], [0, 'open'], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 5, files: [3, -1] }],
    [0, 'io_uring_update', { fd: 5, offset: 1, files: [4] }], [0, 'io_uring_enter', { fd: 5, op: 'read', fixed: true, target: 0 }],
    [0, 'socket', { type: 'stream' }], [0, 'listen', { fd: 6 }], [0, 'close', { fd: 3 }], [0, 'close', { fd: 5 }],
  ], { tasks: 1, reqs: 1, fds: 5 }, 'hand-written');
  const out = sanitized(t, 'ring', reproC(ring));
  t.regex(out, /the kernel's results agree with the trace's/);
});

sanTest('--minimal built with -std=c11 and ASan/UBSan: 4 rights, close(600), fds of 1e21, a ring and a listener; 50 recorded fds planted: exit 1 naming that step', async (t) => {
  const made = handTrace(L618, [
    ...base().steps.map((x) => [x.task, x.syscall, x.args] as const),
    [0, 'sendmsg', { fd: 4, rights: [4, 4, 4, 4] }], [0, 'close', { fd: 600 }], [0, 'close', { fd: 1e21 }],
    [0, 'sendmsg', { fd: 4, rights: [600, 650, 700] }], [0, 'socketpair', { type: 'dgram' }], [0, 'recvmsg', { fd: 3, peek: false }],
    [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 7, files: [3, -1] }], [0, 'io_uring_update', { fd: 7, offset: 1e21, files: [-1, 700] }],
    [0, 'io_uring_enter', { fd: 7, op: 'read', fixed: true, target: 0 }], [0, 'io_uring_enter', { fd: 7, op: 'read', fixed: false, target: 4 }],
    [0, 'socket', { type: 'stream' }], [0, 'listen', { fd: 8 }], [0, 'accept', { fd: 8 }], [0, 'close', { fd: 7 }],
  ], { tasks: 1, reqs: 2, files: 8, fds: 7, ops: SYSCALLS }, 'hand-written');
  const tr = { ...made, design: TRIGRAPH_DESIGN, violation: '100% PWNv %s%n ??/',
    steps: made.steps.map((x, i) => (i === 10 ? { ...x, result: { ret: 0, fds: Array.from({ length: 50 }, (_, j) => j + 3) } } : x)) };
  const r = await repro(tr, ['--design', 'linux-6.18', '--minimal']);
  t.is(r.code, 0, r.err.join('\n'));
  t.deepEqual(scan(r.out, ['PWNv', 'system(']), []);
  const out = sanitized(t, 'hostile-minimal', r.out, 1);
  t.false(existsSync(join(dir, 'PWNED-design')));
  t.true(out.includes(`steps of design ${TRIGRAPH_DESIGN}\n`), out.split('\n')[0]);
  // Only the planted record differs: the socketpair's 50 fds (the design, and the kernel, give 2).
  t.deepEqual(out.split('\n').filter((l) => l.includes('DIFFERS')).map((l) => l.replace(/ \[fds[^\]]*\]/g, ' [fds]')),
    ['step 11 T0 socketpair(AF_UNIX, SOCK_DGRAM): kernel 0 [fds]; trace 0 [fds] (the design gives 0 [fds]); DIFFERS']);
  t.regex(out, /\[fds 3, 6\]; trace 0 \[fds 3, 4, 5, 6, 7,/);
  t.regex(out, /the kernel's results DIFFER from the trace's\n$/);
});

test('the C files are found from any working directory (bin/inflight.mjs repro run from an empty directory)', (t) => {
  const file = join(dir, 'cwd.json');
  writeFileSync(file, traceToJson(base()));
  const cwd = mkdtempSync(join(dir, 'elsewhere-'));
  const bin = new URL('../bin/inflight.mjs', import.meta.url).pathname;
  const r = spawnSync(process.execPath, [bin, 'repro', file], { cwd, encoding: 'utf8', timeout: 60_000 });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /inflight repro, part 1 of 3[\s\S]*Part 2 of 3, generated[\s\S]*inflight repro, part 3 of 3[\s\S]*int main\(void\)/);
});
