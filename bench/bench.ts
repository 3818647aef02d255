// `npm run bench [-- --json]`: distinct states, transitions, states/second and bytes per visited state of
// the checker on the built-in designs at fixed bounds. Figures, not assertions: the tests never time.
// `npm run bench -- filelife A|B|A-buggy [--json]`: the reference model that TLC and SPIN also run
// (bench/filelife-run.ts). `npm run bench -- --vs-spin [--json]`: filelife A by SPIN and by inflight in one
// run, and their ratio (bench/vs-spin.ts).
import { runCheck } from '../cli/run.js';
import { fmtInt, formatBounds } from '../cli/render.js';
import { DEFAULT_BOUNDS, type Bounds } from '../model/bounds.js';
import { builtinDesign } from '../model/designs/index.js';

/** The fixed configurations; change them only together with the figures quoted in notes and README. */
const RUNS: { design: string; bounds: Bounds }[] = [
  { design: 'seed-2019', bounds: DEFAULT_BOUNDS },
  { design: 'viro-2019', bounds: DEFAULT_BOUNDS },
  { design: 'flush-teardown', bounds: DEFAULT_BOUNDS },
  // The reference figure: two tasks, Al Viro's three files, every state within 8 steps.
  { design: 'viro-2019', bounds: { ...DEFAULT_BOUNDS, tasks: 2, depth: 8 } },
];

if (process.argv.includes('--vs-spin')) {
  await import('./vs-spin.js');
} else if (process.argv[2] === 'filelife') {
  process.argv.splice(2, 1);
  await import('./filelife-run.js');
} else {
  runDesigns();
}

function runDesigns(): void {
  const json = process.argv.includes('--json');
  const rows = [];
  for (const { design, bounds } of RUNS) {
    const d = builtinDesign(design)!;
    const before = process.memoryUsage().rss;
    const r = runCheck(d, bounds);
    const s = r.stats;
    rows.push({ design, bounds: formatBounds(bounds), distinct: s.distinct, generated: s.generated, depth: s.depth,
      stop: r.stop, seconds: Number(s.seconds.toFixed(3)), statesPerSecond: Math.round(s.statesPerSecond),
      transitionsPerSecond: Math.round(s.generated / s.seconds), bytesPerState: Number(s.bytesPerState.toFixed(1)),
      rssGrowthBytes: Math.max(0, process.memoryUsage().rss - before) });
  }
  // Symmetry reduction on the reference configuration: the same search without task symmetry.
  const ref = RUNS[RUNS.length - 1]!;
  const plain = runCheck(builtinDesign(ref.design)!, ref.bounds, { symmetry: false });
  const reduced = rows[rows.length - 1]!;
  const symmetry = { design: ref.design, bounds: formatBounds(ref.bounds), withSymmetry: reduced.distinct, without: plain.stats.distinct,
    factor: Number((plain.stats.distinct / reduced.distinct).toFixed(2)) };
  if (json) {
    console.log(JSON.stringify({ node: process.version, peakRssBytes: process.resourceUsage().maxRSS * 1024, runs: rows, symmetry }, null, 2));
  } else {
    for (const r of rows) {
      console.log(`${r.design}  [${r.bounds}]`);
      console.log(`  ${fmtInt(r.distinct)} distinct, ${fmtInt(r.generated)} transitions, depth ${r.depth} (${r.stop}), ${r.seconds} s`);
      console.log(`  ${fmtInt(r.statesPerSecond)} states/s, ${fmtInt(r.transitionsPerSecond)} transitions/s, ` +
        `${r.bytesPerState} bytes per visited state in the fingerprint table and parent links, ` +
        `${fmtInt(Math.round(r.rssGrowthBytes / r.distinct))} bytes per state of RSS growth (frontier states are objects)`);
    }
    console.log(`task symmetry on ${symmetry.design} [${symmetry.bounds}]: ${fmtInt(symmetry.withSymmetry)} distinct states with it, ` +
      `${fmtInt(symmetry.without)} without (reduction ×${symmetry.factor})`);
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  }
}
