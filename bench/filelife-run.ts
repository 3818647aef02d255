// `node --import=tsx bench/filelife-run.ts A|B|A-buggy [--depth N] [--labels] [--workers N] [--objects] [--json]`
// Runs the filelife reference model (bench/filelife.ts) in one of the shared bench's configurations and prints
// distinct states, generated (initial states + transitions), depth, seconds (of the search, and of the whole
// process), distinct states/s, bytes per state of the visited set and parent links, and peak RSS. --depth overrides the configuration's MaxDepth
// (0 = unbounded); --labels adds per-syscall coverage (costs a little per transition); --workers N runs the
// parallel search (checker/parallel.ts) with N worker threads (without it: the single-thread `check`).
import { check, replayPath, type CheckResult } from '../checker/index.js';
import { checkParallel } from '../checker/parallel.js';
import { CONFIGS, createFileLife, describeAction, type ConfigName, type FileLifeConfig } from './filelife.js';

function usage(msg: string): never {
  console.error(`${msg}\nusage: node --import=tsx bench/filelife-run.ts A|B|A-buggy [--depth N] [--labels] [--workers N] [--json]`);
  process.exit(2);
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const labels = args.includes('--labels');
const names = args.filter((a) => !a.startsWith('--'));
let depthOverride: number | undefined;
const di = args.indexOf('--depth');
if (di >= 0) {
  const v = Number(args[di + 1]);
  if (!Number.isInteger(v) || v < 0) usage(`--depth needs a non-negative integer, got ${args[di + 1]}`);
  depthOverride = v;
  names.splice(names.indexOf(args[di + 1]!), 1);
}
let workers: number | undefined;
const wi = args.indexOf('--workers');
if (wi >= 0) {
  const v = Number(args[wi + 1]);
  if (!Number.isInteger(v) || v < 1) usage(`--workers needs a positive integer, got ${args[wi + 1]}`);
  workers = v;
  names.splice(names.indexOf(args[wi + 1]!), 1);
}
if (workers !== undefined && labels) usage('--labels is not supported with --workers (the parallel search collects no coverage)');
if (names.length !== 1 || !Object.hasOwn(CONFIGS, names[0]!)) usage(`expected one configuration name, got ${names.join(' ') || 'none'}`);
const name = names[0] as ConfigName;
const cfg: FileLifeConfig = { ...CONFIGS[name], ...(depthOverride !== undefined ? { MaxDepth: depthOverride } : {}) };

const model = createFileLife(cfg, { labels });
const r: CheckResult = workers === undefined
  ? check(model, { properties: model.properties, maxDepth: cfg.MaxDepth, compact: !args.includes('--objects') })
  : await checkParallel({ module: new URL('./filelife-factory.ts', import.meta.url), params: { config: cfg }, workers }, { maxDepth: cfg.MaxDepth });
const st = r.stats;
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
const noLeak = r.properties[0]!;
const counterexample = noLeak.path !== undefined
  ? replayPath(model, noLeak.path).actions.map(describeAction)
  : undefined;

const out = {
  config: name,
  constants: cfg,
  distinct: st.distinct,
  generated: st.generated,
  transitions: st.generated - 1, // one initial state
  depth: st.depth,
  stop: r.stop,
  seconds: Number(st.seconds.toFixed(3)),
  /** Wall time of the whole process so far (node start-up, tsx and the search): what the README's table
   *  measures for TLC and SPIN. */
  processSeconds: Number(process.uptime().toFixed(3)),
  statesPerSecond: Math.round(st.statesPerSecond),
  transitionsPerSecond: Math.round((st.generated - 1) / st.seconds),
  bytesPerState: Number(st.bytesPerState.toFixed(1)),
  /** The fingerprint table alone, per distinct state (the issue's "visited set" figure). */
  visitedBytesPerState: Number((st.visitedBytesPerState ?? 0).toFixed(1)),
  /** Frontier states kept encoded in one arena (default; --objects keeps them as objects). */
  compactFrontier: workers === undefined && !args.includes('--objects'),
  peakFrontierBytes: st.peakFrontierBytes ?? 0,
  peakRssBytes,
  stateBytes: model.stateBytes,
  /** Worker threads of the parallel search; 1 without --workers (the single-thread search, no worker). */
  workers: workers ?? 1,
  parallel: workers !== undefined,
  noLeak: noLeak.status,
  ...(counterexample !== undefined ? { counterexample, message: noLeak.message } : {}),
  ...(r.coverage !== undefined ? { coverage: r.coverage } : {}),
  node: process.version,
};

if (json) {
  console.log(JSON.stringify(out));
} else {
  const n = (x: number): string => x.toLocaleString('en-US');
  const c = cfg;
  console.log(`filelife ${name}: P=${c.P} F=${c.F} D=${c.D} Q=${c.Q} R=${c.R} FIXED=${c.FIXED ? 'TRUE' : 'FALSE'} ` +
    `MaxDepth=${c.MaxDepth}${c.MaxDepth === 0 ? ' (unbounded)' : ''}`);
  console.log(`  distinct     ${n(out.distinct)}`);
  console.log(`  generated    ${n(out.generated)} (initial state + ${n(out.transitions)} transitions)`);
  console.log(`  depth        ${out.depth} (stop: ${out.stop})`);
  console.log(`  workers      ${workers === undefined ? '1 (single-thread check)' : `${workers} (parallel search)`}`);
  console.log(`  seconds      ${out.seconds} (the search; ${out.processSeconds} s of process wall time)`);
  console.log(`  states/s     ${n(out.statesPerSecond)} distinct (${n(out.transitionsPerSecond)} transitions/s)`);
  console.log(`  bytes/state  ${out.bytesPerState} (visited set ${out.visitedBytesPerState} + parent links; a state itself is ${model.stateBytes} bytes in ${model.stateWords} words)`);
  console.log(`  frontier     ${out.compactFrontier ? `encoded in an arena, at most ${(out.peakFrontierBytes / 2 ** 20).toFixed(1)} MB` : 'objects (--objects, or workers)'}`);
  console.log(`  peak RSS     ${(peakRssBytes / 2 ** 20).toFixed(0)} MB`);
  console.log(`  NoLeak       ${noLeak.status}${noLeak.message !== undefined ? `: ${noLeak.message}` : ''}`);
  if (counterexample !== undefined) console.log(`  counterexample (${counterexample.length} steps): ${counterexample.join(' -> ')}`);
  if (r.coverage !== undefined) {
    for (const cv of r.coverage) console.log(`    ${cv.label.padEnd(15)} ${n(cv.generated).padStart(12)} generated ${n(cv.distinct).padStart(12)} distinct`);
  }
}
