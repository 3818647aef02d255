// `npm run bench -- --kernel-vs-filelife [--rounds R] [--json]`: the kernel model (linux-6.18, two tasks,
// depth <= 8, one worker) against filelife A (depth <= 8, the compact frontier, as `npm run bench --
// filelife A`), both by the single-thread search in this process, interleaved (filelife, kernel, filelife,
// kernel, ... R rounds, default 3) so that a drift of the machine's speed touches both; prints the median
// distinct states per second of each and their ratio (kernel / filelife). Issue 15 aims at a ratio >= 0.3.
import { readFileSync } from 'node:fs';
import { check } from '../checker/bfs.js';
import { runCheckAsync } from '../cli/run.js';
import { fmtInt, formatBounds } from '../cli/render.js';
import { DEFAULT_BOUNDS, type Bounds } from '../model/bounds.js';
import { builtinDesign } from '../model/designs/index.js';
import { CONFIGS, createFileLife } from './filelife.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const ri = args.indexOf('--rounds');
const rounds = ri >= 0 ? Number(args[ri + 1]) : 3;
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) {
  console.error(`bench --kernel-vs-filelife: --rounds needs a whole number from 1 to 50, got ${args[ri + 1]}`);
  process.exit(2);
}

const DESIGN = 'linux-6.18';
const BOUNDS: Bounds = { ...DEFAULT_BOUNDS, tasks: 2, depth: 8 };
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Run { distinct: number; seconds: number; rate: number; bytesPerState: number }
const filelife = (): Run => {
  const m = createFileLife(CONFIGS.A);
  const st = check(m, { properties: m.properties, maxDepth: CONFIGS.A.MaxDepth, compact: true }).stats;
  return { distinct: st.distinct, seconds: st.seconds, rate: st.distinct / st.seconds, bytesPerState: st.bytesPerState };
};
const kernel = async (): Promise<Run> => {
  const st = (await runCheckAsync(builtinDesign(DESIGN)!, BOUNDS, { workers: 1 })).stats;
  return { distinct: st.distinct, seconds: st.seconds, rate: st.distinct / st.seconds, bytesPerState: st.bytesPerState };
};

const loadBefore = load();
const f: Run[] = [];
const k: Run[] = [];
for (let i = 0; i < rounds; i++) {
  f.push(filelife());
  k.push(await kernel());
}
const fRate = median(f.map((r) => r.rate));
const kRate = median(k.map((r) => r.rate));
const result = {
  rounds,
  filelife: { config: 'A', distinct: f[0]!.distinct, statesPerSecond: Math.round(fRate), each: f.map((r) => Math.round(r.rate)) },
  kernel: { design: DESIGN, bounds: formatBounds(BOUNDS), workers: 1, distinct: k[0]!.distinct, statesPerSecond: Math.round(kRate),
    bytesPerState: Number(k[0]!.bytesPerState.toFixed(1)), each: k.map((r) => Math.round(r.rate)) },
  ratio: Number((kRate / fRate).toFixed(3)),
  ratioPerRound: k.map((r, i) => Number((r.rate / f[i]!.rate).toFixed(3))),
  load: { before: loadBefore, after: load() },
};
if (json) console.log(JSON.stringify(result));
else {
  console.log(`filelife A (depth <= 8)      ${fmtInt(result.filelife.distinct)} distinct  ${fmtInt(result.filelife.statesPerSecond)} states/s (median of ${rounds})`);
  console.log(`${DESIGN} [${result.kernel.bounds}]  ${fmtInt(result.kernel.distinct)} distinct  ${fmtInt(result.kernel.statesPerSecond)} states/s (median of ${rounds}), ${result.kernel.bytesPerState} bytes/state`);
  console.log(`ratio ${result.ratio} (kernel / filelife, per round ${result.ratioPerRound.join(', ')}; target >= 0.3); load ${result.load.before} -> ${result.load.after}`);
}
