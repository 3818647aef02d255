// `npm run bench -- --ceiling [--rounds R] [--json]`: what two threads can give on this machine right now,
// against what the two-worker search gives. Each round runs filelife A (depth <= 8) three ways: one
// single-thread search alone; two independent single-thread searches at once (nothing shared: the
// machine's ceiling for two threads is 2 x alone / the slower of the two); then the parallel search with
// two workers. Each search runs in a worker thread, so the three are measured alike. Figures per round and
// their medians; nothing is asserted.
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { checkParallel } from '../checker/parallel.js';
import { CONFIGS } from './filelife.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const ri = args.indexOf('--rounds');
const rounds = ri >= 0 ? Number(args[ri + 1]) : 3;
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) {
  console.error(`bench --ceiling: --rounds expects a whole number from 1 to 50, got '${args[ri + 1]}'`);
  process.exit(2);
}

const ENTRY = new URL('./ceiling-worker.mjs', import.meta.url);
const one = (): Promise<{ distinct: number; seconds: number }> => new Promise((resolve, reject) => {
  const w = new Worker(ENTRY);
  w.once('message', (m: { distinct: number; seconds: number }) => { resolve(m); void w.terminate(); });
  w.once('error', reject);
});
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]!; };
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

let first: { distinct: number } | undefined;
const rows: { alone: number; both: [number, number]; ceiling: number; workers2: number; speedup: number; load: string }[] = [];
for (let i = 0; i < rounds; i++) {
  const before = load();
  const alone = await one();
  first ??= alone;
  const [a, b] = await Promise.all([one(), one()]);
  const par = await checkParallel({ module: new URL('./filelife-factory.ts', import.meta.url), params: { config: 'A' }, workers: 2 },
    { maxDepth: CONFIGS.A.MaxDepth });
  if (par.stats.distinct !== alone.distinct || a.distinct !== alone.distinct || b.distinct !== alone.distinct) {
    console.error('bench --ceiling: the searches disagree on the distinct count');
    process.exit(1);
  }
  const row = {
    alone: alone.seconds, both: [a.seconds, b.seconds] as [number, number],
    ceiling: 2 * alone.seconds / Math.max(a.seconds, b.seconds),
    workers2: par.stats.seconds, speedup: alone.seconds / par.stats.seconds, load: before,
  };
  rows.push(row);
  if (!json) {
    console.log(`round ${i + 1} (load ${before}): one alone ${row.alone.toFixed(2)} s; two at once ${row.both.map((x) => x.toFixed(2)).join(' and ')} s ` +
      `(ceiling ×${row.ceiling.toFixed(2)}); --workers 2 ${row.workers2.toFixed(2)} s (×${row.speedup.toFixed(2)})`);
  }
}
const summary = { rounds, distinct: first!.distinct, ceiling: median(rows.map((r) => r.ceiling)), speedup: median(rows.map((r) => r.speedup)), rows };
if (json) console.log(JSON.stringify(summary));
else {
  console.log(`median: two independent threads give ×${summary.ceiling.toFixed(2)} one thread's rate; the two-worker search ×${summary.speedup.toFixed(2)} ` +
    `(${(100 * summary.speedup / summary.ceiling).toFixed(0)}% of that ceiling)`);
}
