// `npm run bench -- --replay [--runs N] [--json]`: the time of `inflight replay` on two traces of 10,000
// steps (the longest a trace may have): one over a few files (open, then dup/close 4,999 times, close) and
// one that opens and closes 5,000 files (the model keeps every file a trace ever allocated). Each replay runs
// in a process of its own (bench/replay-run.ts), the two alternating, N times each (default 3): medians of
// the replay's own time, of the whole process's wall time, and of its peak RSS, and the ratio of the two
// traces' times (1 = the number of files the trace went through costs nothing). Figures, not assertions.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORE_OPS, DEFAULT_BOUNDS } from '../model/bounds.js';
import { TRACE_FORMAT, traceToJson, type TraceFile, type TraceStep } from '../traces/format.js';

const RUNNER = fileURLToPath(new URL('./replay-run.ts', import.meta.url));
const argv = process.argv.slice(2);
const json = argv.includes('--json');
const ri = argv.indexOf('--runs');
const runs = ri >= 0 ? Number(argv[ri + 1]) : 3;

const open: TraceStep = { task: 0, syscall: 'open', args: {}, result: { ret: 3 } };
const close = (fd: number): TraceStep => ({ task: 0, syscall: 'close', args: { fd }, result: { ret: 0 } });
const fewFiles: TraceStep[] = [open];
for (let i = 0; i < 4999; i++) fewFiles.push({ task: 0, syscall: 'dup', args: { fd: 3 }, result: { ret: 4 } }, close(4));
fewFiles.push(close(3));
const manyFiles: TraceStep[] = [];
for (let i = 0; i < 5000; i++) manyFiles.push(open, close(3));

const dir = mkdtempSync(join(tmpdir(), 'inflight-replay-bench-'));
const traces = [
  { name: 'few files (1 file, 10,000 steps)', steps: fewFiles },
  { name: 'many files (5,000 files, 10,000 steps)', steps: manyFiles },
].map((t, i) => {
  const file = join(dir, `trace-${i}.json`);
  const trace: TraceFile = { format: TRACE_FORMAT, design: 'seed-2019', bounds: { ...DEFAULT_BOUNDS, ops: CORE_OPS }, property: 'hand-written', violation: '', steps: t.steps };
  writeFileSync(file, traceToJson(trace));
  return { ...t, file, replay: [] as number[], wall: [] as number[], rss: [] as number[] };
});

for (let r = 0; r < runs; r++) {
  for (const t of traces) {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, ['--import=tsx', RUNNER, t.file], { encoding: 'utf8' });
    const wall = (performance.now() - t0) / 1000;
    if (p.status !== 0) throw new Error(`replay of ${t.name} failed: ${p.stderr}`);
    const out = JSON.parse(p.stdout.trim().split('\n').at(-1)!) as { seconds: number; peakRssBytes: number; code: number };
    if (out.code !== 0) throw new Error(`replay of ${t.name} exited ${out.code}`);
    t.replay.push(out.seconds); t.wall.push(wall); t.rss.push(out.peakRssBytes);
  }
}
rmSync(dir, { recursive: true, force: true });

const median = (xs: readonly number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
const rows = traces.map((t) => ({ trace: t.name, steps: t.steps.length, runs, replaySeconds: Number(median(t.replay).toFixed(2)),
  wallSeconds: Number(median(t.wall).toFixed(2)), peakRssMB: Math.round(median(t.rss) / 2 ** 20), replayRuns: t.replay.map((x) => Number(x.toFixed(2))) }));
const ratio = Number((rows[1]!.replaySeconds / rows[0]!.replaySeconds).toFixed(2));
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
if (json) console.log(JSON.stringify({ node: process.version, load, rows, ratio }, null, 2));
else {
  for (const r of rows) console.log(`replay, ${r.trace}: ${r.replaySeconds} s (whole process ${r.wallSeconds} s), peak RSS ${r.peakRssMB} MB; medians of ${r.runs} [${r.replayRuns.join(', ')}]`);
  console.log(`many files / few files: ×${ratio}; load average ${load}`);
}
