// The published JSON Schemas (schemas/*.schema.json, `inflight schema NAME`): up to date with the valibot
// schemas the readers use, and, read by an independent validator (ajv), accepting the repository's real
// files and what the checker writes, refusing planted bad ones (which inflight's own readers refuse too).
import test from 'ava';
import { Ajv } from 'ajv';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonSchemaText, SCHEMA_NAMES, type SchemaName } from '../cli/schema.js';
import { runCheck } from '../cli/run.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import { builtinDesign } from '../model/designs/index.js';
import { resolveScenario, scenarioBounds, type Scenario } from '../model/scenario.js';
import { builtinScenario } from '../scenarios/index.js';
import { parseTrace, traceToJson } from '../traces/format.js';
import { decodeSnapshot } from '../checker/checkpoint.js';
import { cli } from './helpers/cli.js';

const TMP = mkdtempSync(join(tmpdir(), 'inflight-schemas-'));
test.after.always(() => { rmSync(TMP, { recursive: true, force: true }); });

const published = (name: SchemaName): string => readFileSync(new URL(`../schemas/${name}.schema.json`, import.meta.url), 'utf8');
const ajv = new Ajv({ strict: true, allErrors: false });
const validator = (name: SchemaName) => ajv.compile(JSON.parse(published(name)) as object);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

test('schemas/*.schema.json are what `npm run schemas` writes now (regenerate with it)', (t) => {
  for (const name of SCHEMA_NAMES) t.is(published(name), jsonSchemaText(name), `schemas/${name}.schema.json is stale: npm run schemas`);
});

test('inflight schema NAME prints the published file; an unknown name or none is E_USAGE, one line, exit 2', async (t) => {
  for (const name of SCHEMA_NAMES) {
    const r = await cli(['schema', name]);
    t.is(r.code, 0, r.err);
    t.is(r.out + '\n', published(name));
  }
  for (const argv of [['schema', 'trcae'], ['schema'], ['schema', 'trace', 'scenario'], ['schema', '--frob'], ['schema', '__proto__']]) {
    const r = await cli(argv);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.err, /^inflight: E_USAGE: [^\n]+$/, argv.join(' '));
    t.is(r.out, '');
  }
  const help = await cli(['schema', '--help']);
  t.is(help.code, 0);
  t.regex(help.out, /^usage: inflight schema trace\|scenario\|checkpoint/);
});

test('the scenario schema accepts every scenarios/*.json and refuses planted faults, as resolveScenario does', (t) => {
  const ok = validator('scenario');
  const dir = new URL('../scenarios/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  t.true(files.length >= 13);
  for (const f of files) t.true(ok(JSON.parse(readFileSync(new URL(f, dir), 'utf8'))), `${f}: ${ajv.errorsText(ok.errors)}`);
  const base = JSON.parse(readFileSync(new URL('cve-2021-0920.json', dir), 'utf8')) as Record<string, any>;
  const planted: [string, (s: Record<string, any>) => void][] = [
    ['a name with a space', (s) => { s.name = 'my scenario'; }],
    ['another format', (s) => { s.format = 'inflight-scenario/9'; }],
    ['a bound it cannot have', (s) => { s.bounds.tasks = 2; }],
    ['a fractional bound', (s) => { s.bounds.files = 2.5; }],
    ['an unknown gc', (s) => { s.bounds.gc = 'sometimes'; }],
    ['a program of a task T6', (s) => { s.programs.T6 = ['open']; }],
    ['a program line not a string', (s) => { s.programs.T0[1] = { syscall: 'open' }; }],
    ['a verdict that is none', (s) => { s.expect['linux-5.1']['no-leak'] = 'fine'; }],
    ['a misspelt field', (s) => { s.expcet = s.expect; }],
    ['variants empty', (s) => { s.variants = {}; }],
    ['a variant with a field it cannot set', (s) => { s.variants = { a: { name: 'x' } }; }],
  ];
  for (const [what, f] of planted) {
    const s = clone(base);
    f(s);
    t.false(ok(s), `the JSON Schema accepts ${what}`);
    t.is(typeof resolveScenario(s), 'string', `resolveScenario accepts ${what}`);
  }
});

/** Traces the checker writes: a violation of free exploration, and a scenario's (a GC in phases, a MSG_PEEK
 *  in sub-steps: pending results, kernel steps) with its programs. */
function checkerTraces(): string[] {
  const seed = runCheck(builtinDesign('seed-2019')!, DEFAULT_BOUNDS).properties.filter((p) => p.trace).map((p) => traceToJson(p.trace!));
  const sc = builtinScenario('cve-2021-0920') as Scenario;
  const r = runCheck(builtinDesign('linux-5.1')!, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
  const scenario = r.properties.filter((p) => p.trace).map((p) => traceToJson(p.trace!));
  return [...seed, ...scenario];
}

test('the trace schema accepts the traces the checker writes and refuses planted faults, as parseTrace does', (t) => {
  const ok = validator('trace');
  const texts = checkerTraces();
  t.true(texts.length >= 3);
  t.true(texts.some((x) => x.includes('"pending": true')) && texts.some((x) => x.includes('"kernel"')), 'sub-steps and kernel steps among them');
  for (const x of texts) {
    t.true(parseTrace(x).ok);
    t.true(ok(JSON.parse(x)), ajv.errorsText(ok.errors));
  }
  const base = JSON.parse(texts[0]!) as Record<string, any>;
  const planted: [string, (s: Record<string, any>) => void][] = [
    ['an fd as a string', (s) => { s.steps[1].args.fd = '3'; }],
    ['an unknown syscall', (s) => { s.steps[0].syscall = 'splice'; }],
    ['a task step run by "kernel"', (s) => { s.steps[0].task = 'kernel'; }],
    ['a missing result', (s) => { delete s.steps[0].result; }],
    ['an argument the call does not take', (s) => { s.steps[0].args.flags = 1; }],
    ['an unknown errno', (s) => { s.steps[0].result = { ret: -1, errno: 'EWHAT' }; }],
    ['fds beyond the model', (s) => { s.bounds.fds = 99; }],
    ['a negative task', (s) => { s.steps[0].task = -1; }],
    ['no format', (s) => { delete s.format; }],
    ['10,001 steps', (s) => { s.steps = Array(10_001).fill(s.steps[0]); }],
  ];
  for (const [what, f] of planted) {
    const s = clone(base);
    f(s);
    t.false(ok(s), `the JSON Schema accepts ${what}`);
    const p = parseTrace(JSON.stringify(s));
    t.false(p.ok, `parseTrace accepts ${what}`);
  }
});

test('the checkpoint schema accepts the header a check writes and refuses planted faults, as resume does', async (t) => {
  const ok = validator('checkpoint');
  const file = join(TMP, 'c.ckpt');
  const r = await cli(['check', '--design', 'seed-2019', '--max-states', '300', '--checkpoint', file]);
  t.not(r.code, 2, r.err);
  const buf = readFileSync(file);
  const nl1 = buf.indexOf(0x0a);
  const header = JSON.parse(buf.subarray(nl1 + 1, buf.indexOf(0x0a, nl1 + 1)).toString('utf8')) as Record<string, any>;
  t.true(ok(header), ajv.errorsText(ok.errors));
  t.is(typeof decodeSnapshot(buf), 'object');
  const planted: [string, (h: Record<string, any>) => void][] = [
    ['a negative counter', (h) => { h.distinct = -1; }],
    ['four array lengths', (h) => { h.lengths = h.lengths.slice(1); }],
    ['another version', (h) => { h.version = 2; }],
    ['a verdict that is a number', (h) => { h.properties[0] = 5; }],
    ['meta.symmetry a string', (h) => { h.meta.symmetry = 'yes'; }],
    ['meta without its design', (h) => { delete h.meta.design; }],
  ];
  for (const [what, f] of planted) {
    const h = clone(header);
    f(h);
    t.false(ok(h), `the JSON Schema accepts ${what}`);
  }
});

test('a schema failure on the command line: one line, the JSON path of the bad field, then the reason', async (t) => {
  const text = checkerTraces()[0]!;
  const bad = JSON.parse(text) as Record<string, any>;
  const i = bad.steps.findIndex((s: { args: { fd?: unknown } }) => s.args.fd !== undefined);
  const syscall = bad.steps[i].syscall as string;
  bad.steps[i].args.fd = 'x';
  const file = join(TMP, 'bad-fd.json');
  writeFileSync(file, JSON.stringify(bad));
  for (const cmd of ['replay', 'render', 'repro']) {
    const r = await cli([cmd, file]);
    t.is(r.code, 2, cmd);
    t.is(r.err, `inflight: E_TRACE_INVALID: ${file}: steps[${i}].args.fd: step ${i + 1}: ${syscall}: argument 'fd' must be an integer`, cmd);
  }
});

test('scenario maps refuse the names __proto__, constructor and prototype, with the path (valibot would drop them silently)', (t) => {
  const base = '"name":"x","summary":"s","programs":{"T0":["open"]}';
  t.is(resolveScenario(JSON.parse(`{${base},"expect":{"__proto__":{"no-leak":"holds"}}}`)), "scenario 'x': expect.__proto__: the name '__proto__' is not allowed");
  t.is(resolveScenario(JSON.parse(`{${base},"expect":{"linux-6.18":{"constructor":"holds"}}}`)), "scenario 'x': expect.linux-6.18.constructor: the name 'constructor' is not allowed");
  t.is(resolveScenario(JSON.parse(`{${base},"variants":{"prototype":{}}}`)), "scenario 'x': variants.prototype: the name 'prototype' is not allowed");
  // Deeply nested and huge values are refused at their first wrong element, without walking them.
  const deep = JSON.parse(`{${base.replace('["open"]', `[${'['.repeat(50_000)}${']'.repeat(50_000)}]`)}}`) as unknown;
  t.is(resolveScenario(deep), "scenario 'x': T0's program must be a list of lines");
});
