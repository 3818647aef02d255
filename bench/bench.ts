// `npm run bench [-- --json]`: distinct states, transitions, states/second and bytes per visited state of
// the checker on the built-in designs at fixed bounds. Figures, not assertions: the tests never time.
// `npm run bench -- filelife A|B|A-buggy [--json]`: the reference model that TLC and SPIN also run
// (bench/filelife-run.ts). `npm run bench -- --vs-spin [--json]`: filelife A by SPIN and by inflight in one
// run, and their ratio (bench/vs-spin.ts). `npm run bench -- --ceiling [--rounds R] [--json]`: what two
// independent threads give on this machine now, against the two-worker search (bench/ceiling.ts).
// `npm run bench -- --partition [--parts 2,4] [--json] [-- CHECK ARGS]`: one search split into N processes
// on this machine, merged: speed-up and redundancy (bench/partition.ts). `npm run bench -- --replay [--runs N]
// [--json]`: replay of a 10,000-step trace over a few files and of one through 5,000 files, and their ratio
// (bench/replay.ts). `npm run bench -- --kernel-vs-filelife [--rounds R] [--json]`: linux-6.18 at two tasks,
// depth 8, one worker, against filelife A in the same run, interleaved, and their ratio (bench/kernel-vs-filelife.ts).
import { runCheckAsync } from '../cli/run.js';
import { fmtInt, formatBounds } from '../cli/render.js';
import { DEFAULT_BOUNDS, type Bounds } from '../model/bounds.js';
import { builtinDesign } from '../model/designs/index.js';

/** The fixed configurations; change them only together with the figures quoted in notes and README. The
 *  reference figures: two tasks, three files, every state within 8 steps, for Al Viro's design and for
 *  today's Linux, each with 1 and 2 workers. */
const RUNS: { design: string; bounds: Bounds; workers: number }[] = [
  ...['seed-2019', 'viro-2019', 'flush-teardown', 'linux-5.14', 'linux-6.18'].map((design) => ({ design, bounds: DEFAULT_BOUNDS, workers: 1 })),
  ...['viro-2019', 'linux-6.18'].flatMap((design) => [1, 2].map((workers) => ({ design, bounds: { ...DEFAULT_BOUNDS, tasks: 2, depth: 8 }, workers }))),
];

if (process.argv.includes('--kernel-vs-filelife')) {
  await import('./kernel-vs-filelife.js');
} else if (process.argv.includes('--replay')) {
  await import('./replay.js');
} else if (process.argv.includes('--partition')) {
  await import('./partition.js');
} else if (process.argv.includes('--vs-spin')) {
  await import('./vs-spin.js');
} else if (process.argv.includes('--ceiling')) {
  await import('./ceiling.js');
} else if (process.argv[2] === 'filelife') {
  process.argv.splice(2, 1);
  await import('./filelife-run.js');
} else {
  await runDesigns();
}

async function runDesigns(): Promise<void> {
  const json = process.argv.includes('--json');
  const rows = [];
  for (const { design, bounds, workers } of RUNS) {
    const d = builtinDesign(design)!;
    const r = await runCheckAsync(d, bounds, { workers });
    const s = r.stats;
    rows.push({ design, bounds: formatBounds(bounds), workers, distinct: s.distinct, generated: s.generated, depth: s.depth,
      stop: r.stop, seconds: Number(s.seconds.toFixed(3)), statesPerSecond: Math.round(s.statesPerSecond),
      transitionsPerSecond: Math.round(s.generated / s.seconds), bytesPerState: Number(s.bytesPerState.toFixed(1)),
      visitedBytesPerState: Number((s.visitedBytesPerState ?? 0).toFixed(1)), peakFrontierBytes: s.peakFrontierBytes ?? 0 });
  }
  // Symmetry reduction on the reference configuration: the same search without task symmetry.
  const ref = RUNS.find((r) => r.design === 'viro-2019' && r.bounds.tasks === 2)!;
  const plain = await runCheckAsync(builtinDesign(ref.design)!, ref.bounds, { symmetry: false });
  const reduced = rows.find((r) => r.design === ref.design && r.bounds === formatBounds(ref.bounds))!;
  const symmetry = { design: ref.design, bounds: formatBounds(ref.bounds), withSymmetry: reduced.distinct, without: plain.stats.distinct,
    factor: Number((plain.stats.distinct / reduced.distinct).toFixed(2)) };
  const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  if (json) {
    console.log(JSON.stringify({ node: process.version, load, peakRssBytes: process.resourceUsage().maxRSS * 1024, runs: rows, symmetry }, null, 2));
  } else {
    for (const r of rows) {
      console.log(`${r.design}  [${r.bounds}]${r.workers > 1 ? `  --workers ${r.workers}` : ''}`);
      console.log(`  ${fmtInt(r.distinct)} distinct, ${fmtInt(r.generated)} transitions, depth ${r.depth} (${r.stop}), ${r.seconds} s`);
      console.log(`  ${fmtInt(r.statesPerSecond)} states/s, ${fmtInt(r.transitionsPerSecond)} transitions/s, ` +
        `${r.bytesPerState} bytes per visited state (${r.visitedBytesPerState} in the fingerprint table, the rest parent links)` +
        (r.peakFrontierBytes ? `, frontier at most ${(r.peakFrontierBytes / 2 ** 20).toFixed(1)} MB (worlds as words)` : ''));
    }
    console.log(`task symmetry on ${symmetry.design} [${symmetry.bounds}]: ${fmtInt(symmetry.withSymmetry)} distinct states with it, ` +
      `${fmtInt(symmetry.without)} without (reduction ×${symmetry.factor})`);
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; load average ${load}`);
  }
}
