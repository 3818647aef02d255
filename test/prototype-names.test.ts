// Names that Object.prototype already has (`constructor`, `toString`, `__proto__` …), in every place a
// name comes from input: a switched design name on the command line or in a trace, a design module's
// switches, hooks and expectations, --variant, --designs, --scenario, --ops, explain. Each is an unknown
// name with its one-line message, never a TypeError, never dropped silently.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDesign } from '../cli/designs.js';
import { main, type Io } from '../cli/main.js';
import { UserError } from '../cli/errors.js';
import { runCheck } from '../cli/run.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import { parseSwitchedName } from '../model/design.js';
import { traceToJson } from '../traces/format.js';
import { design } from './helpers/world.js';

const PROTO = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'propertyIsEnumerable'];
const TMP = mkdtempSync(join(tmpdir(), 'inflight-proto-'));
test.after.always(() => rmSync(TMP, { recursive: true, force: true }));

async function run(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => { out += s; }, err: (s) => { err += s + '\n'; }, tty: false };
  const code = await main(argv, io);
  return { code, out, err };
}

/** Exit 2 and exactly `line` (a regex) as the one line on stderr. */
async function refused(t: import('ava').ExecutionContext, argv: readonly string[], line: RegExp): Promise<void> {
  const r = await run(argv);
  t.is(r.code, 2, `${argv.join(' ')}: ${r.err}`);
  t.is(r.err.trimEnd().split('\n').length, 1, r.err);
  t.regex(r.err.trimEnd(), line, argv.join(' '));
}

const re = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('--design NAME[P=x], NAME[oob=P], P and P[oob=leaky]: unknown switch, bad value, unknown design', async (t) => {
  for (const p of PROTO) {
    await refused(t, ['check', '--design', `linux-5.14[${p}=x]`], new RegExp(`^inflight: E_DESIGN_UNKNOWN: linux-5\\.14\\[${re(p)}=x\\]: unknown switch '${re(p)}' \\(known: registration, `));
    await refused(t, ['check', '--design', `linux-5.14[oob=${p}]`], new RegExp(`switch oob must be one of unsupported, leaky, fixed \\(got '${re(p)}'\\)$`));
    await refused(t, ['check', '--design', p], new RegExp(`^inflight: E_DESIGN_UNKNOWN: unknown design '${re(p)}'`));
    await refused(t, ['check', '--design', `${p}[oob=leaky]`], /^inflight: E_DESIGN_UNKNOWN: unknown design /);
    await refused(t, ['matrix', '--designs', `viro-2019,${p}`], new RegExp(`^inflight: E_DESIGN_UNKNOWN: unknown design '${re(p)}'`));
  }
});

test('parseSwitchedName keeps __proto__ as a key (it used to be dropped: the design ran unchanged)', (t) => {
  const sw = parseSwitchedName('linux-5.14[__proto__=1,oob=leaky]');
  t.deepEqual(Object.keys(sw!.overrides), ['__proto__', 'oob']);
  t.is(sw!.overrides['__proto__'], '1');
});

test('a trace whose design is P or NAME[P=x]: replay and render refuse it in one line', async (t) => {
  const seed = runCheck(design('seed-2019'), DEFAULT_BOUNDS).properties.find((p) => p.trace)!.trace!;
  for (const p of PROTO) {
    for (const [name, line] of [[`linux-5.14[${p}=x]`, `unknown switch '${re(p)}'`], [p, `the trace was made with design '${re(p)}', which is not built in`]] as const) {
      const file = join(TMP, `trace-${Buffer.from(name).toString('hex')}.json`);
      writeFileSync(file, traceToJson({ ...seed, design: name }));
      await refused(t, ['replay', file], new RegExp(`^inflight: E_DESIGN_UNKNOWN: .*${line}`));
      await refused(t, ['render', file], /^inflight: E_DESIGN_UNKNOWN: /);
    }
  }
});

test('--variant P, --scenario P, --ops P, explain P', async (t) => {
  for (const p of PROTO) {
    await refused(t, ['check', '--design', 'linux-6.18', '--scenario', 'selftest-triangle', '--variant', p],
      new RegExp(`^inflight: E_SCENARIO: scenario 'selftest-triangle': no variant '${re(p)}' \\(variants: dgram, stream, stream-listener, stream-oob, dgram-disabled, stream-disabled, stream-listener-disabled, stream-oob-disabled\\)$`));
    await refused(t, ['check', '--design', 'linux-6.18', '--scenario', p], new RegExp(`^inflight: E_SCENARIO: no scenario '${re(p)}'`));
    await refused(t, ['check', '--design', 'viro-2019', '--ops', p], new RegExp(`^inflight: E_BOUNDS: unknown syscall '${re(p)}' in --ops`));
    await refused(t, ['explain', p], new RegExp(`^inflight: E_PROPERTY_UNKNOWN: unknown property '${re(p)}'`));
  }
});

/** A design module with `field: { [p]: value }` (JSON: every key an own property, `__proto__` too). */
function moduleWith(field: string, p: string, value: string): string {
  const file = join(TMP, `${field}-${Buffer.from(p).toString('hex')}.ts`);
  writeFileSync(file, `export default { name: 'proto-${field}', summary: 's', base: 'viro-2019', ${field}: JSON.parse(${JSON.stringify(`{${JSON.stringify(p)}: ${value}}`)}) };\n`);
  return file;
}

async function loadError(file: string): Promise<string> {
  try { await loadDesign(file); } catch (e) { if (e instanceof UserError) return `${e.code}: ${e.message}`; throw e; }
  return 'loaded';
}

test('a design module whose switches, hooks or expected use P as a key: E_DESIGN_INVALID naming P', async (t) => {
  for (const p of PROTO) {
    t.regex(await loadError(moduleWith('switches', p, '"x"')), new RegExp(`^E_DESIGN_INVALID: .*: design 'proto-switches': unknown switch '${re(p)}'`));
    t.regex(await loadError(moduleWith('expected', p, '"holds"')), new RegExp(`^E_DESIGN_INVALID: .*: expected names an unknown property '${re(p)}'`));
    // (A hook's value cannot be a function in JSON: a number; the name is refused before the value.)
    t.regex(await loadError(moduleWith('hooks', p, '1')), new RegExp(`^E_DESIGN_INVALID: .*'${re(p)}'`));
  }
  // And through the CLI (the sandbox): the same lines.
  await refused(t, ['check', '--design', moduleWith('switches', 'constructor', '"x"')], /^inflight: E_DESIGN_INVALID: .*unknown switch 'constructor'/);
  await refused(t, ['check', '--design', moduleWith('expected', '__proto__', '"holds"')], /^inflight: E_DESIGN_INVALID: .*expected names an unknown property '__proto__'/);
});

test('a design named like a prototype property runs, and a scenario\'s expectations are not looked up on Object.prototype', async (t) => {
  const file = join(TMP, 'named-constructor.ts');
  writeFileSync(file, `export default { name: 'constructor', summary: 's', base: 'linux-6.18' };\n`);
  const r = await run(['check', '--design', file, '--scenario', 'selftest-triangle', '--json']);
  t.is(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { design: string; surprises?: unknown[] };
  t.is(j.design, 'constructor');
});
