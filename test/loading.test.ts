// Loading a design module (cli/usercode.ts): a .ts, .mts, .js or .mjs file anywhere on disk, with no
// package.json near it or one of either type, exporting a plain object or defineDesign's result imported
// from the package, loads — in directories outside the checkout with no node_modules.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../cli/main.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'inflight-loading-'));
test.after.always(() => rmSync(TMP, { recursive: true, force: true }));

async function run(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => { out += s + '\n'; }, err: (s) => { err += s + '\n'; }, tty: false };
  const code = await main(argv, io);
  return { code, out, err };
}

const body = (name: string): string => `{ name: '${name}', summary: 'viro-2019 with ->flush teardown', base: 'viro-2019', switches: { flushTeardown: true } }`;
const SOURCES = {
  plain: (name: string) => `export default ${body(name)};\n`,
  define: (name: string) => `import { defineDesign } from 'inflight/design';\nexport default defineDesign(${body(name)});\n`,
  typed: (name: string) => `import type { Design, DesignSpec } from 'inflight/design';\nconst spec: DesignSpec = ${body(name)};\nexport default spec;\nexport type { Design };\n`,
  commonjs: (name: string) => `module.exports = ${body(name)};\n`,
} as const;

/** Every combination: extension × package.json near it × how the module exports. */
function writeAll(): { file: string; name: string }[] {
  const out: { file: string; name: string }[] = [];
  for (const pkg of ['none', 'module', 'commonjs'] as const) {
    for (const ext of ['ts', 'mts', 'js', 'mjs'] as const) {
      for (const [kind, src] of Object.entries(SOURCES)) {
        if (kind === 'typed' && (ext === 'js' || ext === 'mjs')) continue;   // type syntax is TypeScript's
        if (kind === 'commonjs' && (ext === 'mts' || ext === 'mjs')) continue;   // .m* files are ES modules
        const dir = join(TMP, `${pkg}-${ext}-${kind}`);
        mkdirSync(dir);
        if (pkg !== 'none') writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mine', type: pkg }));
        const name = `user-${pkg}-${ext}-${kind}`;
        writeFileSync(join(dir, `design.${ext}`), src(name));
        out.push({ file: join(dir, `design.${ext}`), name });
      }
    }
  }
  return out;
}

test('every extension, package.json or none, plain object, defineDesign, types, CommonJS: each loads and checks', async (t) => {
  const files = writeAll();
  t.is(files.length, 36);
  // One matrix loads them all (one sandbox); each is viro-2019 with ->flush teardown.
  const r = await run(['matrix', '--designs', files.map((f) => f.file).join(','), '--depth', '4', '--json']);
  t.true(r.code === 0 || r.code === 1, r.err);
  const j = JSON.parse(r.out) as { designs: { design: string; verdicts: Record<string, { status: string; steps?: number }> }[] };
  t.deepEqual(j.designs.map((d) => d.design), files.map((f) => f.name));
  for (const d of j.designs) {
    t.is(d.verdicts['teardown-on-final-fput']?.status, 'violated', d.design);
    t.is(d.verdicts['teardown-on-final-fput']?.steps, 3, d.design);
    t.is(d.verdicts['no-leak']?.status, 'bounded', d.design);   // not violated within depth 4
  }
});

test('the README\'s way, in an empty temporary directory: `./that.ts` with the checkout\'s bin and with npx --prefix', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inflight-empty-'));
  try {
    writeFileSync(join(dir, 'that.ts'), SOURCES.plain('that'));
    const exec = (cmd: string, args: string[]) => new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile(cmd, args, { cwd: dir }, (e, out, err) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err }));
    });
    const bin = await exec('node', [join(ROOT, 'bin/inflight.mjs'), 'check', '--design', './that.ts', '--depth', '4']);
    t.is(bin.code, 1, bin.err);
    t.regex(bin.out, /^design that: /);
    t.regex(bin.out, /teardown-on-final-fput +VIOLATED/);
    const npx = await exec('npx', ['--prefix', ROOT, 'inflight', 'check', '--design', './that.ts', '--depth', '4']);
    t.is(npx.code, 1, npx.err);
    t.regex(npx.out, /^design that: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('imports: a helper by its .js name, node: modules, and one line for what cannot be resolved', async (t) => {
  const dir = join(TMP, 'imports');
  mkdirSync(dir);
  writeFileSync(join(dir, 'helper.ts'), `export const base: string = 'viro-2019';\n`);
  writeFileSync(join(dir, 'uses-helper.ts'), `import { base } from './helper.js';\nimport { basename } from 'node:path';\n` +
    `export default { name: basename(import.meta.url).replace(/\\.ts$/, ''), summary: 's', base, switches: { flushTeardown: true } };\n`);
  const ok = await run(['check', '--design', join(dir, 'uses-helper.ts'), '--depth', '4']);
  t.is(ok.code, 1, ok.err);
  t.regex(ok.out, /^design uses-helper: /, 'import.meta.url is the file\'s own');
  const cases: [string, RegExp][] = [
    [`import leftPad from 'left-pad';\nexport default { name: 'x', summary: String(leftPad) };\n`, /^inflight: E_DESIGN_LOAD: cannot load design \S+: \S+:1:\d+: Could not resolve "left-pad"/],
    [`import { defineDesign } from 'inflight/nope';\nexport default defineDesign({});\n`, /^inflight: E_DESIGN_LOAD: cannot load design \S+: \S+:1:\d+: the package inflight has no export '\.\/nope' \(it exports inflight, inflight\/design, inflight\/scenario, inflight\/property, inflight\/schemas\/\*\.json\)$/],
    [`import { nothing } from './helper.js';\nexport default { name: String(nothing), summary: 's' };\n`, /^inflight: E_DESIGN_LOAD: cannot load design \S+: \S+:1:\d+: No matching export in "\S+helper\.ts" for import "nothing"/],
    [`export default { name: 'x', summary: 's', base: 'viro-2019' ;\n`, /^inflight: E_DESIGN_LOAD: cannot load design \S+: \S+:1:\d+: Expected "}" but found ";"$/],
  ];
  let i = 0;
  for (const [src, err] of cases) {
    const file = join(dir, `bad-${i++}.ts`);
    writeFileSync(file, src);
    const r = await run(['check', '--design', file]);
    t.is(r.code, 2, src);
    t.is(r.err.trimEnd().split('\n').length, 1, r.err);
    t.regex(r.err.trimEnd(), err);
  }
});
