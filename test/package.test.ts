// The package as a user gets it (issue 16): the library returns what the CLI's --json prints, and the
// tarball of `npm pack`, installed into an empty project, gives a working `npx inflight`, the import of
// the library in plain Node (no TypeScript loader), its type declarations, and a user's .ts design that
// imports `inflight/design` or `inflight-check/design`.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../cli/main.js';
import { check, loadDesign, matrix, replay, type CheckJson } from '../api/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'inflight-package-'));
test.after.always(() => rmSync(TMP, { recursive: true, force: true }));

async function cli(argv: readonly string[]): Promise<{ code: number; json: unknown }> {
  const out: string[] = [];
  const io: Io = { out: (s) => { out.push(s); }, err: () => {}, tty: false };
  const code = await main(argv, io);
  return { code, json: JSON.parse(out.join('\n')) };
}

/** The document without the figures of time (seconds, states per second), which differ run to run. */
function untimed(doc: unknown): unknown {
  return JSON.parse(JSON.stringify(doc), (k, v: unknown) => (k === 'seconds' || k === 'statesPerSecond' ? undefined : v));
}

// Counted by hand (test/designs.test.ts): seed-2019, 1 task, 2 fds, 2 files, open/close: {-,-} {f,-}
// {-,f} {f,g}, 7 transitions plus the initial state.
const SMALL = ['--tasks', '1', '--fds', '2', '--files', '2', '--ops', 'open,close'];
const SMALL_BOUNDS = { tasks: 1, fds: 2, files: 2, ops: ['open', 'close'] } as const;

test('check() returns what check --json prints, with the hand-counted 4 states and 8 transitions', async (t) => {
  const api = await check({ design: 'seed-2019', bounds: SMALL_BOUNDS });
  const c = await cli(['check', '--design', 'seed-2019', ...SMALL, '--json']);
  t.deepEqual(untimed(api), untimed(c.json));
  t.is(api.stats.distinct, 4);
  t.is(api.stats.generated, 8);
  t.is(api.stop, 'exhausted');
  t.deepEqual(api.bounds.ops, ['open', 'close']);
  // Plain data, as parsed JSON is: no undefined left in it.
  t.deepEqual(api, JSON.parse(JSON.stringify(api)) as CheckJson);
});

test('check() with a violation: the same verdicts and shortest trace as check --json (seed-2019 leaks in 5 steps)', async (t) => {
  const api = await check({ design: 'seed-2019', bounds: { depth: 5 } });
  const c = await cli(['check', '--design', 'seed-2019', '--depth', '5', '--json']);
  t.deepEqual(untimed(api), untimed(c.json));
  const leak = api.properties.find((p) => p.name === 'no-leak');
  t.is(leak?.status, 'violated');
  t.is(leak?.trace?.steps.length, 5);
  t.is(api.properties.find((p) => p.name === 'graph-accounting')?.status, 'n/a');
});

test('check() refuses bad options with the CLI\'s codes', async (t) => {
  await t.throwsAsync(check({ design: 'seed-2019', bounds: { ops: ['open', 'nope' as 'open'] } }), { message: /unknown syscall 'nope'/ });
  await t.throwsAsync(check({ design: 'seed-2019', bounds: { fds: -1 } }), { message: /bounds\.fds expects a whole number/ });
  const e = await t.throwsAsync(check({ design: 'no-such-design' }));
  t.is((e as Error & { code?: string }).code, 'E_DESIGN_UNKNOWN');
});

test('matrix() returns what matrix --json prints', async (t) => {
  const api = await matrix({ designs: ['seed-2019', 'linux-6.18'], bounds: SMALL_BOUNDS });
  const c = await cli(['matrix', '--designs', 'seed-2019,linux-6.18', ...SMALL, '--json']);
  t.deepEqual(untimed(api), untimed(c.json));
  t.deepEqual(api.designs.map((d) => [d.design, d.stats.distinct]), [['seed-2019', 4], ['linux-6.18', 4]]);
  t.is(api.designs[0]!.verdicts['no-leak']?.status, 'holds');
});

test('replay() returns what replay --json prints: the leak again under seed-2019, not under linux-6.18; a trace object works as its file', async (t) => {
  const file = join(TMP, 'seed.trace.json');
  const c = await main(['check', '--design', 'seed-2019', '--depth', '5', '--trace-out', file], { out: () => {}, err: () => {}, tty: false });
  t.is(c, 1);
  const own = await replay({ trace: file });
  t.deepEqual(own, (await cli(['replay', file, '--json'])).json);
  t.deepEqual('findings' in own ? own.findings.filter((f) => f.kind === 'always').map((f) => [f.property, f.step]) : undefined, [['no-leak', 5]]);
  const fixed = await replay({ trace: file, design: 'linux-6.18' });
  t.deepEqual(fixed, (await cli(['replay', file, '--design', 'linux-6.18', '--json'])).json);
  const trace = (await check({ design: 'seed-2019', bounds: { depth: 5 } })).properties.find((p) => p.name === 'no-leak')!.trace!;
  t.deepEqual(await replay({ trace }), own);
});

test('loadDesign() gives the design a check runs: a user module, checked alike by name and as loaded', async (t) => {
  const mine = join(TMP, 'api-mine.ts');
  writeFileSync(mine, `import { defineDesign } from 'inflight/design';\nexport default defineDesign({ name: 'api-mine', summary: 'viro-2019 with ->flush teardown', base: 'viro-2019', switches: { flushTeardown: true } });\n`);
  const d = await loadDesign(mine);
  t.is(d.name, 'api-mine');
  t.deepEqual(untimed(await check({ design: d, bounds: { depth: 3 } })), untimed(await check({ design: mine, bounds: { depth: 3 } })));
});

// ------------------------------------------------------------------------------------------------
// npm pack, installed into an empty project

interface Proc { code: number; stdout: string; stderr: string }
/** The children run as a user's would: not told to run the sources (the tests' INFLIGHT_FROM_SOURCE). */
const { INFLIGHT_FROM_SOURCE: _ignored, ...ENV } = process.env;
function exec(cmd: string, args: readonly string[], cwd: string): Promise<Proc> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: ENV, timeout: 300_000, encoding: 'utf8', maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') { reject(new Error(`${cmd} ${args.join(' ')}: ${error.killed ? 'killed (timeout)' : error.message}`)); return; }
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

const PROJECT = join(TMP, 'project');
const DESIGN = (name: string, from: string): string =>
  `import { defineDesign } from '${from}';\nimport type { DesignSpec } from '${from}';\n` +
  `const spec: DesignSpec = { name: '${name}', summary: 'viro-2019 with ->flush teardown', base: 'viro-2019', switches: { flushTeardown: true } };\nexport default defineDesign(spec);\n`;

const SOURCE_DIRS = ['api', 'checker', 'cli', 'model', 'oracle', 'properties', 'scenarios', 'traces'];
function buildIsStale(): boolean {
  const stamp = join(ROOT, 'dist', '.built');
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return SOURCE_DIRS.some((d) => readdirSync(join(ROOT, d), { recursive: true }).some((f) => statSync(join(ROOT, d, String(f))).mtimeMs > built));
}

/** Packs (after a build if the sources are newer than dist/) and installs the tarball, once for the tests below. */
let installed: Promise<{ tarball: string; files: string[]; seconds: number }> | undefined;
function install(): Promise<{ tarball: string; files: string[]; seconds: number }> {
  installed ??= (async () => {
    const t0 = performance.now();
    // The build npm ci made, unless a source is newer (as bin/inflight.mjs decides): then built again.
    if (buildIsStale()) {
      const build = await exec('npm', ['run', 'build'], ROOT);
      if (build.code !== 0) throw new Error(`npm run build failed: ${build.stdout}${build.stderr}`);
    }
    const pack = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', TMP], ROOT);
    if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
    const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const tarball = join(TMP, info[0]!.filename);
    mkdirSync(PROJECT);
    writeFileSync(join(PROJECT, 'package.json'), JSON.stringify({ name: 'a-user', version: '1.0.0', private: true, type: 'module' }));
    writeFileSync(join(PROJECT, 'mine.ts'), DESIGN('mine', 'inflight/design'));
    writeFileSync(join(PROJECT, 'mine-by-name.ts'), DESIGN('mine-by-name', 'inflight-check/design'));
    const npm = await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], PROJECT);
    if (npm.code !== 0) throw new Error(`npm install failed: ${npm.stderr}`);
    return { tarball, files: info[0]!.files.map((f) => f.path), seconds: (performance.now() - t0) / 1000 };
  })();
  return installed;
}
const npx = (args: readonly string[]): Promise<Proc> => exec('npx', ['--no', '--', 'inflight', ...args], PROJECT);

test.serial('npm pack: the tarball carries what runs (dist/ with .js and .d.ts, bin, examples), not the tests, benchmarks, CI or deployment', async (t) => {
  const { files, seconds } = await install();
  t.log(`npm pack (and a build if one was due) and npm install: ${seconds.toFixed(1)} s`);
  for (const f of ['bin/inflight.mjs', 'dist/cli/main.js', 'dist/api/index.js', 'dist/api/index.d.ts', 'dist/model/design.d.ts', 'dist/checker/worker.js',
    'dist/scenarios/cve-2021-0920.json', 'dist/traces/repro/head.c', 'examples/flush-last-fd.ts', 'package.json', 'README.md']) t.true(files.includes(f), f);
  t.deepEqual(files.filter((f) => /^(test|bench|\.ci|deploy|scripts)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('examples/'))), []);
  // No TypeScript loader comes with it: nothing it runs needs one.
  t.false(existsSync(join(PROJECT, 'node_modules', 'tsx')), 'tsx is not installed');
  t.true(readdirSync(join(PROJECT, 'node_modules', '.bin')).includes('inflight'));
});

test.serial('installed: npx inflight --version, and check --design linux-6.18 --depth 3 --json as the library from the sources gives it', async (t) => {
  await install();
  const v = await npx(['--version']);
  t.is(v.code, 0, v.stderr);
  t.regex(v.stdout, /^inflight \d+\.\d+\.\d+ \(package inflight-check; \d+ built-in designs/);
  const c = await npx(['check', '--design', 'linux-6.18', '--depth', '3', '--json']);
  t.is(c.code, 0, c.stderr);
  const doc = JSON.parse(c.stdout) as CheckJson;
  t.deepEqual(untimed(doc), untimed(await check({ design: 'linux-6.18', bounds: { depth: 3 } })));
  t.is(doc.stats.depth, 3);
});

test.serial('installed: import { check, matrix, replay, loadDesign } from \'inflight-check\' in plain Node', async (t) => {
  await install();
  const script = `import { check, matrix, replay, loadDesign } from 'inflight-check';
const r = await check({ design: 'seed-2019', bounds: ${JSON.stringify(SMALL_BOUNDS)} });
const m = await matrix({ designs: ['seed-2019'], bounds: ${JSON.stringify(SMALL_BOUNDS)} });
const d = await loadDesign('./mine.ts');
console.log(JSON.stringify({ r, m, name: d.name, replay: typeof replay }));`;
  const p = await exec(process.execPath, ['--input-type=module', '-e', script], PROJECT);
  t.is(p.code, 0, p.stderr);
  const got = JSON.parse(p.stdout) as { r: unknown; m: unknown; name: string; replay: string };
  t.deepEqual(untimed(got.r), untimed(await check({ design: 'seed-2019', bounds: SMALL_BOUNDS })));
  t.deepEqual(untimed(got.m), untimed(await matrix({ designs: ['seed-2019'], bounds: SMALL_BOUNDS })));
  t.is(got.name, 'mine');
  t.is(got.replay, 'function');
});

test.serial('installed: a user\'s .ts design importing inflight/design (or inflight-check/design) loads via npx inflight check --design ./mine.ts, one thread or two', async (t) => {
  await install();
  const want = untimed(await check({ design: join(PROJECT, 'mine.ts'), bounds: { depth: 4 } }));
  for (const [file, name] of [['./mine.ts', 'mine'], ['./mine-by-name.ts', 'mine-by-name']] as const) {
    const p = await npx(['check', '--design', file, '--depth', '4', '--json']);
    // ->flush teardown is the bug flush-teardown models: the ring torn down while a dup still holds it.
    t.is(p.code, 1, p.stderr);
    const doc = JSON.parse(p.stdout) as CheckJson;
    t.is(doc.design, name);
    t.is(doc.properties.find((x) => x.name === 'teardown-on-final-fput')?.trace?.steps.length, 3);
    // The same document but for the design's name (it is in the traces too).
    t.deepEqual(JSON.parse(JSON.stringify(untimed(doc)).replaceAll(`"${name}"`, '"mine"')), want);
  }
  // The workers of a parallel search start the compiled worker and run the same bundled design.
  const w = await npx(['check', '--design', './mine.ts', '--depth', '4', '--workers', '2', '--json']);
  t.is(w.code, 1, w.stderr);
  const doc = JSON.parse(w.stdout) as CheckJson;
  t.is(doc.stats.distinct, (want as CheckJson).stats.distinct);
  t.deepEqual(doc.properties.map((p) => [p.name, p.status]), (want as CheckJson).properties.map((p) => [p.name, p.status]));
});

test.serial('installed: the type declarations: a consumer\'s TypeScript type-checks against the package (and a wrong option does not)', async (t) => {
  await install();
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const opts = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2023', '--skipLibCheck',
    '--typeRoots', join(ROOT, 'node_modules', '@types'), '--types', 'node'];
  writeFileSync(join(PROJECT, 'use.ts'), `import { check, type CheckJson } from 'inflight-check';\nimport { defineDesign } from 'inflight-check/design';\nimport { always } from 'inflight-check/property';\n` +
    `const r: CheckJson = await check({ design: 'linux-6.18', bounds: { depth: 3 } });\nexport const n: number = r.stats.distinct;\nexport const d = defineDesign({ name: 'x', summary: 'y', base: 'linux-6.18' });\nexport const a = always;\n`);
  const ok = await exec(process.execPath, [tsc, ...opts, 'use.ts'], PROJECT);
  t.is(ok.code, 0, ok.stdout + ok.stderr);
  writeFileSync(join(PROJECT, 'wrong.ts'), `import { check } from 'inflight-check';\nexport const r = check({ desing: 'linux-6.18' });\n`);
  const bad = await exec(process.execPath, [tsc, ...opts, 'wrong.ts'], PROJECT);
  t.not(bad.code, 0);
  t.regex(bad.stdout, /desing/);
});

test.serial('the checkout\'s bin runs dist/ (fresh after install()): a fixture importing ../../model/design.js gets the compiled model, the same report as from the sources', async (t) => {
  await install();
  t.false(buildIsStale());
  const p = await exec(process.execPath, [join(ROOT, 'bin', 'inflight.mjs'), 'check', '--design', 'test/fixtures/leaky-release.ts', '--depth', '3', '--json'], ROOT);
  t.true(p.code === 0 || p.code === 1, p.stderr);
  t.deepEqual(untimed(JSON.parse(p.stdout)), untimed((await cli(['check', '--design', 'test/fixtures/leaky-release.ts', '--depth', '3', '--json'])).json));
});
