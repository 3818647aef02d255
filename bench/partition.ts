// `npm run bench -- --partition [--parts 2,4] [--json] [-- CHECK ARGS...]`: one search as one process, then
// split into N parts run as N processes at once on this machine (`inflight check --partition I/N --json`,
// as the pods of deploy/k8s/job.yaml run them), merged with `inflight merge`. Prints per N: the wall time of
// the N processes, the speed-up over the single process, the states of every part against the single
// run's (the true redundancy, and the merge's own estimate), each part's time, and whether the merged
// verdicts and trace lengths are the single run's. The default search is linux-6.18 with two tasks to
// depth 11, about a minute on one core of this machine. Figures, not assertions; the load average is printed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/inflight.mjs', import.meta.url));
const DEFAULT_ARGS = ['--design', 'linux-6.18', '--tasks', '2', '--depth', '11'];

const argv = process.argv.slice(2).filter((a) => a !== '--partition');
const json = argv.includes('--json');
const sep = argv.indexOf('--');
const checkArgs = sep >= 0 ? argv.slice(sep + 1) : DEFAULT_ARGS;
const pi = argv.indexOf('--parts');
const counts = pi >= 0 && pi < (sep >= 0 ? sep : argv.length) ? argv[pi + 1]!.split(',').map(Number) : [2, 4];
const dir = mkdtempSync(join(tmpdir(), 'inflight-partition-bench-'));

/** Runs inflight with `args`, stdout to `out`; resolves with the exit status and the wall seconds. */
function run(args: string[], out: string): Promise<{ code: number; seconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    p.stdout.on('data', (c: Buffer) => chunks.push(c));
    p.on('error', reject);
    p.on('close', (code) => {
      writeFileSync(out, Buffer.concat(chunks));
      if (code === 2 || code === null) reject(new Error(`inflight ${args.join(' ')} failed (${code})`));
      else resolve({ code, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

type Result = { properties: { name: string; status: string; trace?: { steps: unknown[] } }[]; witnesses: { name: string; status: string; trace?: { steps: unknown[] } }[];
  stats: { distinct: number; seconds: number }; stop: string };
const verdicts = (r: Result): string => JSON.stringify([...r.properties, ...r.witnesses].map((v) => [v.name, v.status, v.trace?.steps.length ?? null]));
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const loadBefore = load();
const singleFile = join(dir, 'single.json');
const single = await run(['check', ...checkArgs, '--json'], singleFile);
const s = JSON.parse(readFileSync(singleFile, 'utf8')) as Result;
const rows = [];
for (const n of counts) {
  const files = Array.from({ length: n }, (_, i) => join(dir, `part-${n}-${i}.json`));
  const t0 = performance.now();
  await Promise.all(files.map((f, i) => run(['check', ...checkArgs, '--partition', `${i}/${n}`, '--json'], f)));
  const wall = (performance.now() - t0) / 1000;
  const mergedFile = join(dir, `merged-${n}.json`);
  await run(['merge', ...files, '--json'], mergedFile);
  const m = JSON.parse(readFileSync(mergedFile, 'utf8')) as Result & { merge: { statesInParts: number; distinctEstimate: number; redundancy: number; splitLevel: number | null; frontier: number;
    perPart: { index: number; distinct: number; seconds: number }[] } };
  rows.push({
    parts: n, wallSeconds: Number(wall.toFixed(2)), speedUp: Number((single.seconds / wall).toFixed(2)),
    splitLevel: m.merge.splitLevel, splitFrontier: m.merge.frontier,
    statesInParts: m.merge.statesInParts, redundancy: Number((m.merge.statesInParts / s.stats.distinct).toFixed(3)),
    estimatedDistinct: m.merge.distinctEstimate, estimatedRedundancy: m.merge.redundancy,
    partSeconds: m.merge.perPart.map((p) => Number(p.seconds.toFixed(2))), partStates: m.merge.perPart.map((p) => p.distinct),
    sameVerdicts: verdicts(m) === verdicts(s),
  });
}
const report = { args: checkArgs, node: process.version, loadBefore, loadAfter: load(),
  single: { wallSeconds: Number(single.seconds.toFixed(2)), searchSeconds: s.stats.seconds, distinct: s.stats.distinct, stop: s.stop }, partitioned: rows };
if (json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(`inflight check ${checkArgs.join(' ')}`);
  console.log(`  one process: ${report.single.wallSeconds} s wall (${s.stats.seconds.toFixed(2)} s of search), ${s.stats.distinct.toLocaleString('en-US')} distinct states, ${s.stop}`);
  for (const r of rows) {
    console.log(`  ${r.parts} processes at once: ${r.wallSeconds} s wall, speed-up x${r.speedUp}; split at level ${r.splitLevel} (${r.splitFrontier} states); ` +
      `${r.statesInParts.toLocaleString('en-US')} states over the parts = x${r.redundancy} the single run's (the merge estimates x${r.estimatedRedundancy}); ` +
      `parts ${r.partSeconds.join(', ')} s; verdicts ${r.sameVerdicts ? 'the same' : 'DIFFER'}`);
  }
  console.log(`  load average before ${loadBefore}, after ${report.loadAfter} (2 cores shared: the speed-up is this machine's now)`);
}
