// Fuzzing the CLI (fast-check): arguments drawn from a vocabulary of commands, options and values, good
// and bad, and trace files mutated at random. No input may end in an exception out of `main` (the bin
// would print a stack trace) or in an exit status other than 0, 1, 2 or 130 (3 with --strict); a status 2 is exactly one
// line on stderr.
import { fc, testProp } from '@fast-check/ava';
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../cli/main.js';
import { runCheck } from '../cli/run.js';
import { markSandboxed } from '../cli/sandbox.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import { traceToJson } from '../traces/format.js';
import { design } from './helpers/world.js';

const TMP = mkdtempSync(join(tmpdir(), 'inflight-fuzz-'));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => { out += s; }, err: (s) => { err += s; }, tty: false };
  const code = await main(argv, io);
  return { code, out, err };
}

const commands = ['check', 'matrix', 'designs', 'scenarios', 'explain', 'replay', 'help', 'render', 'report', 'simulate', 'frobnicate', ''];
const flags = ['--design', '--designs', '--tasks', '--files', '--fds', '--skbs', '--msg-fds', '--depth', '--ops', '--max-states',
  '--timeout', '--json', '--full', '--no-symmetry', '--trace-out', '--trace-of', '--format', '--step', '--out', '--seed', '--runs', '--exact',
  '--max-memory', '--checkpoint', '--resume', '--checkpoint-every', '--scenario', '--variant', '--gc', '--reqs', '--workers', '--strict', '--frobnicate', '-h', '--'];
const values = ['seed-2019', 'viro-2019', 'flush-teardown', 'linux-5.1', 'linux-5.14[peekGuard=none]', 'linux-6.1[oob=x]', 'cve-2021-0920', 'viro-2019', 'phased', 'atomic', 'dgram', 'nope', './nope.ts', 'test/fixtures/my-patch.ts', 'test/fixtures/throws-on-load.ts',
  '0', '1', '2', '3', '-1', '1.5', '99999999', 'abc', '', ' ', 'close,dup', 'open,bogus', ',', 'no-leak', 'dot', 'svg',
  '4G', '12', '1e3', 'scenario-completes', '\u0000', '../../etc/passwd', join(TMP, 'out'), '{}', 'null'];

const arg = fc.oneof(fc.constantFrom(...flags), fc.constantFrom(...values), fc.string({ maxLength: 6 }));

test('CLI arguments: never an exception, only 0/1/2/130; status 2 is one line on stderr', async (t) => {
  const codes = new Map<number, number>();
  await fc.assert(fc.asyncProperty(fc.constantFrom(...commands), fc.array(arg, { maxLength: 7 }), async (cmd, args) => {
    // Keep every search small whatever the other arguments say (the last occurrence of an option wins).
    const argv = cmd === '' ? args : [cmd, ...args, ...(['check', 'matrix', 'report', 'simulate'].includes(cmd) ? ['--max-states', '300', '--runs', '20'] : [])];
    let r;
    try { r = await run(argv); } catch (e) {
      throw new Error(`main threw on ${JSON.stringify(argv)}: ${(e as Error).stack}`);
    }
    codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    if (![0, 1, 2, 130].includes(r.code) && !(r.code === 3 && argv.includes('--strict'))) throw new Error(`status ${r.code} for ${JSON.stringify(argv)}`);
    if (r.code === 2 && !/^inflight: E_[A-Z_]+: [^\n]*\n?$/.test(r.err)) throw new Error(`not one line for ${JSON.stringify(argv)}: ${r.err}`);
    if (/\n\s+at .*:\d+:\d+/.test(r.err)) throw new Error(`stack trace for ${JSON.stringify(argv)}`);
  }), { numRuns: 400, seed: 20261126 });
  t.log(`exit statuses: ${JSON.stringify(Object.fromEntries(codes))}`);
  t.true((codes.get(0) ?? 0) + (codes.get(1) ?? 0) >= 20, 'the fuzzer reaches past argument checking often enough to mean something');
});

test('the well-formed end of the vocabulary does run checks', async (t) => {
  const r = await run(['check', '--design', 'viro-2019', '--tasks', '2', '--depth', '3', '--max-states', '300']);
  t.is(r.code, 0);
});

// A valid trace to mutate.
const seedReport = runCheck(design('seed-2019'), DEFAULT_BOUNDS);
const goodTrace = JSON.parse(traceToJson(seedReport.properties.find((p) => p.trace)!.trace!)) as unknown;

/** Replaces the value at a random path of a JSON value. */
function mutate(v: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || v === null || typeof v !== 'object') return replacement;
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v as object);
  if (entries.length === 0) return replacement;
  const [k, child] = entries[path[0]! % entries.length]!;
  const copy: any = Array.isArray(v) ? [...v] : { ...(v as object) };
  copy[k] = mutate(child, path.slice(1), replacement);
  return copy;
}

const jsonValue = fc.oneof(fc.integer({ min: -5, max: 300 }), fc.double(), fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null),
  fc.constantFrom('kernel', 'unix_gc', 'sendmsg', 'EBADF', 'inflight-trace/1', 'seed-2019'), fc.array(fc.integer({ min: -1, max: 9 }), { maxLength: 3 }), fc.constant({}));

let n = 0;
testProp('trace files: mutated, truncated or garbled, replay never throws and answers 0/1/2', [
  fc.array(fc.tuple(fc.array(fc.nat(), { maxLength: 5 }), jsonValue), { minLength: 1, maxLength: 3 }),
  fc.oneof(fc.constant(-1), fc.nat()), fc.constantFrom('seed-2019', 'viro-2019', 'flush-teardown'),
], async (t, edits, cut, against) => {
  let v = goodTrace;
  for (const [path, value] of edits) v = mutate(v, path, value);
  let text = JSON.stringify(v);
  if (cut >= 0) text = text.slice(0, cut % (text.length + 1));
  const file = join(TMP, `trace-${n++}.json`);
  writeFileSync(file, text);
  let r;
  try { r = await run(['replay', file, '--design', against]); } catch (e) {
    t.fail(`replay threw on ${text}: ${(e as Error).stack}`);
    return;
  }
  t.true([0, 1, 2].includes(r.code), `status ${r.code}`);
  if (r.code === 2) t.regex(r.err, /^inflight: E_(TRACE_INVALID|TRACE_READ): [^\n]*\n?$/);
}, { numRuns: 400, seed: 7 });

// Scenario files: the built-in cve-2021-0920 scenario, mutated and truncated, checked on a design.
const goodScenario: unknown = JSON.parse(readFileSync(new URL('../scenarios/cve-2021-0920.json', import.meta.url), 'utf8'));
const scenarioValue = fc.oneof(jsonValue, fc.constantFrom('close fd=3', 'sendmsg fd=3 rights=[3,3]', 'recvmsg fd=9 peek=true', 'fork',
  'exit', 'bogus x', 'close', 'phased', 'atomic', 'T1', 'inflight-scenario/1', 'linux-5.1', 'gc-safety', 'holds'),
  fc.array(fc.constantFrom('open', 'close fd=3', 'fork', 'exit', 'recvmsg fd=4 peek=true', 'dup fd=3'), { maxLength: 4 }));
const scenarioCodes = new Map<number, number>();
testProp('scenario files: mutated, truncated or garbled, check never throws and answers 0/1/2', [
  fc.array(fc.tuple(fc.array(fc.nat(), { maxLength: 5 }), scenarioValue), { minLength: 1, maxLength: 3 }),
  fc.oneof(fc.constant(-1), fc.constant(-1), fc.nat()), fc.constantFrom('linux-5.1', 'linux-5.14', 'seed-2019'),
], async (t, edits, cut, against) => {
  let v = goodScenario;
  for (const [path, value] of edits) v = mutate(v, path, value);
  let text = JSON.stringify(v);
  if (cut >= 0) text = text.slice(0, cut % (text.length + 1));
  const file = join(TMP, `scenario-${n++}.json`);
  writeFileSync(file, text);
  let r;
  try { r = await run(['check', '--design', against, '--scenario', file, '--max-states', '2000']); } catch (e) {
    t.fail(`check threw on ${text}: ${(e as Error).stack}`);
    return;
  }
  scenarioCodes.set(r.code, (scenarioCodes.get(r.code) ?? 0) + 1);
  t.true([0, 1, 2].includes(r.code), `status ${r.code}`);
  if (r.code === 2) t.regex(r.err, /^inflight: E_(SCENARIO|BOUNDS): [^\n]*\n?$/);
  t.notRegex(r.err, /\n\s+at .*:\d+:\d+/);
}, { numRuns: 300, seed: 11 });

test.after('scenario fuzz statuses', (t) => { t.log(`scenario files: exit statuses ${JSON.stringify(Object.fromEntries(scenarioCodes))}`); });

// Design modules: sources put together from hostile pieces (a top level that throws or awaits, exports
// that are Proxies, getters that throw, prototype names as keys, hooks that throw odd values, return
// promises or thenables), written to a temp dir and checked through `main`. In this process, not in the
// sandbox thread (whose start-up would cost most of the time): what can only be survived in the sandbox —
// loops, process.exit, stray rejections — is test/sandbox.test.ts's. Status 0, 1 or 2; a status 2 is one
// coded line; never a stack trace.
const thrown = fc.constantFrom("new Error('boom')", "'a string'", '42', 'null', 'undefined', "Symbol('s')", "new Error('two\\nlines')",
  "({ toString() { throw new Error('t'); } })", "new Proxy({}, { get() { throw new Error('p'); }, getPrototypeOf() { throw new Error('p'); } })",
  "'x'.repeat(100000)", 'Object.create(null)');
const protoKey = fc.constantFrom('constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf');
const key = (known: readonly string[]) => fc.oneof(fc.constantFrom(...known), protoKey, fc.string({ maxLength: 4 }));
const scalar = fc.oneof(fc.constantFrom("'table'", "'ring_sock'", 'true', 'false', "'EINVAL'", "'graph'", "'none'", "'leaky'", "'holds'", "'violated'",
  "'viro-2019'", "'linux-6.18'", "'nope'", '0', 'null', '[]', '{}'), thrown.map((v) => `(() => { throw ${v}; })()`));
const hookBody = fc.oneof(fc.constant(''), thrown.map((v) => `throw ${v};`), thrown.map((v) => `return Promise.reject(${v});`),
  fc.constant('return { then() {} };'), fc.constant('return 5;'), fc.constant("w.files[f].f_count = -3;"), fc.constant('return new Proxy({}, { get() { throw new Error("then?"); } });'));
const entries = (keys: fc.Arbitrary<string>, value: fc.Arbitrary<string>) =>
  fc.array(fc.tuple(keys, value, fc.boolean()), { maxLength: 3 }).map((es) => `{ ${es.map(([k, v, getter]) =>
    getter ? `get [${JSON.stringify(k)}]() { return ${v}; }` : `[${JSON.stringify(k)}]: ${v}`).join(', ')} }`);
const SWITCHES = ['registration', 'flushTeardown', 'ringFdInScm', 'gc', 'peekGuard', 'scmIoUringRequeue', 'oob', 'soPassRights'];
const field = fc.oneof(
  fc.tuple(fc.constant('switches'), entries(key(SWITCHES), scalar)),
  fc.tuple(fc.constant('hooks'), fc.array(fc.tuple(key(['flush', 'releaseRing']), hookBody, fc.boolean()), { maxLength: 2 })
    .map((hs) => `{ ${hs.map(([k, b, isAsync]) => `${isAsync ? 'async ' : ''}[${JSON.stringify(k)}](w, f, k) { ${b} }`).join(', ')} }`)),
  fc.tuple(fc.constant('expected'), entries(key(['no-leak', 'gc-safety', 'refcount-exact']), scalar)),
  fc.tuple(key(['name', 'summary', 'base', 'source', 'refcount']), scalar),
);
const spec = fc.tuple(fc.constantFrom("'fuzzed'", "'seed-2019'", "''", '7', "'constructor'"), fc.constantFrom("'viro-2019'", "'seed-2019'", "'linux-6.18'", "'toString'", "'nope'", 'undefined'),
  fc.array(field, { maxLength: 4 })).map(([name, base, fields]) => `{ name: ${name}, summary: 'fuzzed', base: ${base}${fields.map(([k, v]) => `, [${JSON.stringify(k)}]: ${v}`).join('')} }`);
const exported = fc.oneof(
  spec,
  spec.map((s) => `new Proxy(${s}, { get(t, k) { if (k === 'switches') throw new Error('trap'); return t[k]; } })`),
  spec.map((s) => `new Proxy(${s}, { ownKeys() { return ['name', 'name']; } })`),
  spec.map((s) => `Object.freeze(${s})`),
  fc.constantFrom('42', 'null', "'a string'", '() => ({})', '[1, 2]', 'Object.create(null)', 'new Map()', 'Symbol("d")'),
);
const topLevel = fc.constantFrom('', '', '', 'await Promise.resolve();', 'export function then() {}', "export const design = { name: 'other' };",
  "throw new Error('at load');", 'throw null;', "throw { toString() { throw new Error('t'); } };");
// A valid design most of the time, so that the checks run and the hooks are called.
const plausible = fc.tuple(fc.constantFrom('viro-2019', 'seed-2019', 'linux-6.18'), fc.array(fc.tuple(fc.constantFrom(...SWITCHES), scalar), { maxLength: 2 }),
  fc.array(fc.tuple(fc.constantFrom('flush', 'releaseRing'), hookBody), { maxLength: 2 }))
  .map(([base, sw, hooks]) => `{ name: 'fuzzed', summary: 'fuzzed', base: '${base}', switches: { ${sw.map(([k, v]) => `${k}: ${v}`).join(', ')} }, ` +
    `hooks: { ${hooks.map(([k, b]) => `${k}(w, f, k) { ${b} }`).join(', ')} } }`);
const moduleCodes = new Map<number, number>();
let m = 0;
testProp('design modules: generated hostile sources never throw out of main, answer 0/1/2, one line for 2', [topLevel, fc.oneof(exported, plausible), fc.constantFrom('ts', 'mjs', 'js')],
  async (t, top, value, ext) => {
    const file = join(TMP, `design-${m++}.${ext}`);
    const source = `${top}\nexport default ${value};\n`;
    writeFileSync(file, ext === 'ts' ? `// @ts-nocheck\n${source}` : source);
    let r;
    markSandboxed();
    try { r = await run(['check', '--design', file, '--depth', '3', '--max-states', '300']); } catch (e) {
      t.fail(`main threw on ${source}: ${(e as Error).stack}`);
      return;
    }
    moduleCodes.set(r.code, (moduleCodes.get(r.code) ?? 0) + 1);
    t.true([0, 1, 2].includes(r.code), `status ${r.code} for ${source}`);
    // E_DESIGN_THROWS also prints (on stdout) the steps to the state where the design threw.
    if (r.code === 2) t.regex(r.err, /^inflight: E_DESIGN_[A-Z]+: [^\n]*\n?$/, source);
    t.notRegex(r.err, /\n\s+at .*:\d+:\d+/, source);
  }, { numRuns: 200, seed: 20261203 });

test.after('design module fuzz statuses', (t) => { t.log(`design modules: exit statuses ${JSON.stringify(Object.fromEntries(moduleCodes))}`); });

// Checkpoints: a small one (seed-2019 stopped at 400 states), its bytes mutated at random (bit flips, bytes
// set, cut, inserted, deleted), and its decoded fields forged and re-encoded with a correct checksum.
// Resuming must refuse (E_CHECKPOINT, one line) or end exactly as the whole run.
const ckptFile = join(TMP, 'fuzz-base.ckpt');
const comparable = (out: string): unknown => {
  const j = JSON.parse(out) as { stats: Record<string, unknown> };
  const { seconds: _s, statesPerSecond: _p, ...stats } = j.stats;
  return { ...j, stats };
};
let ckptBase: Buffer | undefined;
let ckptWhole: unknown;
async function ckptSetup(): Promise<Buffer> {
  if (ckptBase) return ckptBase;
  ckptWhole = comparable((await run(['check', '--design', 'seed-2019', '--json'])).out);
  await run(['check', '--design', 'seed-2019', '--json', '--max-states', '400', '--checkpoint', ckptFile]);
  ckptBase = readFileSync(ckptFile);
  return ckptBase;
}
const ckptCodes = { refused: 0, identical: 0 };
async function resumeMustRefuseOrAgree(bytes: Uint8Array, what: string): Promise<void> {
  const file = join(TMP, `fuzz-${n++}.ckpt`);
  writeFileSync(file, bytes);
  const r = await run(['check', '--design', 'seed-2019', '--json', '--resume', file]);
  if (r.code === 2) {
    if (!/^inflight: E_CHECKPOINT: [^\n]*\n?$/.test(r.err)) throw new Error(`${what}: not one E_CHECKPOINT line: ${r.err}`);
    ckptCodes.refused++;
    return;
  }
  if (JSON.stringify(comparable(r.out)) !== JSON.stringify(ckptWhole)) throw new Error(`${what}: accepted, and the result differs from the whole run`);
  ckptCodes.identical++;
}

const byteEdit = fc.tuple(fc.constantFrom('flip', 'set', 'cut', 'insert', 'delete'), fc.nat(), fc.integer({ min: 0, max: 255 }));
test.serial('checkpoint bytes: mutated at random, resume refuses (E_CHECKPOINT) or ends exactly as the whole run', async (t) => {
  const base = await ckptSetup();
  await fc.assert(fc.asyncProperty(fc.array(byteEdit, { minLength: 1, maxLength: 3 }), async (edits) => {
    let b = Buffer.from(base);
    for (const [kind, pos, v] of edits) {
      // Half the edits in the first 2 KB (checksum line, header, frontier lists are near the start or end).
      const at = pos % 2 === 0 ? (pos >> 1) % Math.min(b.length, 2048) : (pos >> 1) % Math.max(1, b.length);
      if (kind === 'flip') b[at]! ^= 1 << (v % 8);
      else if (kind === 'set') b[at] = v;
      else if (kind === 'cut') b = b.subarray(0, at);
      else if (kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.of(v), b.subarray(at)]);
      else b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
    }
    await resumeMustRefuseOrAgree(b, JSON.stringify(edits));
  }), { numRuns: 300, seed: 20261203 });
  t.log(`checkpoint bytes: ${JSON.stringify(ckptCodes)}`);
  t.true(ckptCodes.refused > 250);
});

test.serial('checkpoint fields: forged with a correct checksum, resume refuses or ends exactly as the whole run', async (t) => {
  const base = await ckptSetup();
  const { decodeSnapshot, encodeSnapshot } = await import('../checker/checkpoint.js');
  const d = decodeSnapshot(base);
  if (typeof d === 'string') return t.fail(d);
  const before = { ...ckptCodes };
  const arrays = ['visited', 'parents', 'stepTaken', 'cur', 'nxt'] as const;
  await fc.assert(fc.asyncProperty(
    fc.array(fc.oneof(
      fc.tuple(fc.constant('field' as const), fc.array(fc.nat(), { maxLength: 4 }), jsonValue),
      fc.tuple(fc.constant('word' as const), fc.tuple(fc.constantFrom(...arrays), fc.nat()), fc.integer({ min: -3, max: 500 })),
    ), { minLength: 1, maxLength: 2 }),
    async (edits) => {
      const { visited, parents, stepTaken, cur, nxt, ...fields } = d.snapshot;
      let header: unknown = { ...fields, meta: d.meta };
      const words = { visited: visited.slice(), parents: parents.slice(), stepTaken: stepTaken.slice(), cur: cur.slice(), nxt: nxt.slice() };
      for (const e of edits) {
        if (e[0] === 'field') header = mutate(header, e[1], e[2]);
        else { const a = words[e[1][0]]; if (a.length > 0) a[e[1][1] % a.length] = e[2]; }
      }
      if (typeof header !== 'object' || header === null) return;   // no header object: nothing to encode
      const { meta, ...rest } = header as Record<string, unknown>;
      let bytes: Buffer;
      try { bytes = encodeSnapshot({ ...(rest as object), ...words } as never, meta); } catch { return; }   // not encodable: nothing to test
      await resumeMustRefuseOrAgree(bytes, JSON.stringify(edits));
    }), { numRuns: 200, seed: 20261204 });
  t.log(`checkpoint fields: refused ${ckptCodes.refused - before.refused}, identical ${ckptCodes.identical - before.identical}`);
  t.true(ckptCodes.refused - before.refused > 100);
});
